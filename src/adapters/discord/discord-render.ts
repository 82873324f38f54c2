/**
 * Discord message payloads as plain API JSON, usable by the gateway client and by the REST-only publisher:
 * option sets (an embed field per option, one button each), status lines with Cancel, results with Re-roll
 * and Animate, failures, and the private `/history` page ("Older →") and `/forget` question. Every text is
 * cut to Discord's limits here, on grapheme boundaries, so a long prompt never costs a post nor splits an
 * emoji. Text that came from a person or the model is shown, never obeyed:
 * its `@everyone`, `@here`, `<@id>` and `<@&id>` cannot mention anyone, and a person's echoed words are
 * cleaned (echo-text) with their markdown shown as typed. Which mentions may ping is `allowed_mentions`' job
 * (the publisher's bodies, the client's default); this escaping keeps the text from even looking like one.
 */
import {
  type APIActionRowComponent,
  type APIAllowedMentions,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { OptionSet } from '../../core/assistant-types.js';
import type { ForgetOutcome, HistoryView } from '../../core/history-views.js';
import type { GenerationFailure, GenerationResult, ProgressEvent } from '../../core/types.js';
import { type ButtonAction, encodeButton } from '../shared/button-ids.js';
import { cleanEcho, cutGraphemes, ECHO_MAX_CHARS } from '../shared/echo-text.js';
import {
  FORGET_BUTTON_LABEL,
  forgetConfirmText,
  forgottenText,
  type HistoryMarkup,
  historyPageText,
  OLDER_BUTTON_LABEL,
} from '../shared/history-text.js';
import { estimateText, statusText } from '../shared/message-text.js';

export const LIMITS = {
  content: 2_000,
  buttonLabel: 80,
  fieldName: 256,
  fieldValue: 1_024,
  description: 4_096,
} as const;
const BRAND_COLOUR = 0x7c5cff;

export interface DiscordPayload {
  content: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIButtonComponent>[];
}

/** Pings nobody: every post and edit that names no one on purpose. */
export const NO_MENTIONS: APIAllowedMentions = { parse: [], replied_user: false };

/** Pings only `userId` (and only where the content names them). */
export function onlyMentions(userId: string): APIAllowedMentions {
  return { parse: [], users: [userId], replied_user: false };
}

/** Mentions shown as typed: a zero-width space after every `@` keeps Discord from parsing any of them. */
export function escapeMentions(text: string): string {
  return text.replaceAll('@', '@\u200b');
}

/** A person's words repeated back: cleaned and shortened (echo-text), markdown and mentions shown as typed. */
export function echoText(text: string, maxChars = ECHO_MAX_CHARS): string {
  return shownAsTyped(cleanEcho(text, maxChars));
}

/** One clean line of someone's words with its markdown and mentions shown as typed. */
function shownAsTyped(text: string): string {
  return escapeMentions(escapeMarkdown(text));
}

/**
 * Markdown shown as typed: a backslash before each character that could start bold, italics, strike, code,
 * spoilers or a masked link (`[text](url)`). An echo is one line, so headings, lists and quotes, which need a
 * line start, cannot occur.
 */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~`|[\]]/g, '\\$&');
}

/** Model text shown in Discord: mentions escaped, then cut to `max` on a grapheme boundary. */
function shown(text: string, max: number): string {
  return cutGraphemes(escapeMentions(text), max);
}

/** A quoted prompt (the model's, often a person's words reworked): one clean line, shown as typed. */
function quoted(prompt: string, max: number): string {
  return cutGraphemes(`> ${echoText(prompt, max - 2)}`, max);
}

/** The answer to a message when the assistant has a hint instead of options. */
export function hintPayload(text: string): DiscordPayload {
  return { content: shown(text, LIMITS.content) };
}

function button(
  label: string,
  action: ButtonAction,
  style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger = ButtonStyle.Secondary,
): APIButtonComponent {
  return {
    type: ComponentType.Button,
    style,
    label: cutGraphemes(cleanEcho(label, LIMITS.buttonLabel), LIMITS.buttonLabel),
    custom_id: encodeButton(action),
  };
}

function rows(buttons: APIButtonComponent[]): APIActionRowComponent<APIButtonComponent>[] {
  const out: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < buttons.length && out.length < 5; i += 5) {
    out.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  }
  return out;
}

export function optionsPayload(set: OptionSet, notes: readonly string[]): DiscordPayload {
  const fields = set.options.map((option, i) => {
    const estimate = estimateText(option.estimate);
    const reason = escapeMentions(option.reason);
    const prompt = quoted(option.prompt, LIMITS.fieldValue);
    const value = [reason, estimate ? `*${estimate}*` : '', prompt].filter(Boolean).join('\n');
    return {
      name: shown(`${i + 1}. ${option.label}`, LIMITS.fieldName),
      value: cutGraphemes(value, LIMITS.fieldValue),
    };
  });
  const text = [set.text, ...notes.map((n) => `-# ${n}`)].join('\n');
  return {
    content: shown(text, LIMITS.content),
    embeds: [{ color: BRAND_COLOUR, fields }],
    components: rows(
      set.options.map((o, i) =>
        button(
          `${i + 1}. ${o.label}`,
          { kind: 'option', key: set.key, index: i },
          i === 0 ? ButtonStyle.Primary : ButtonStyle.Secondary,
        ),
      ),
    ),
  };
}

export function statusPayload(
  label: string,
  generationId: string,
  event: ProgressEvent | { state: 'queued'; position?: number; estimatedWaitMs?: number },
): DiscordPayload {
  const cancellable = event.state === 'queued' || event.state === 'submitted';
  return {
    content: cutGraphemes(statusText(escapeMentions(label), event), LIMITS.content),
    components: cancellable ? rows([button('Cancel', { kind: 'cancel', generationId }, ButtonStyle.Danger)]) : [],
  };
}

/** The result message; `attachable` says which assets go as files (the rest become links). */
export function resultPayload(result: GenerationResult, attachable: readonly boolean[]): DiscordPayload {
  const seconds = (result.durationMs / 1_000).toFixed(0);
  const links = result.assets
    .filter((_, i) => !attachable[i])
    .map(
      (a) =>
        `[${a.contentType.startsWith('video/') ? 'Watch the video' : 'Open the image'}](${a.url}) (${(a.sizeBytes / 1_048_576).toFixed(1)} MB, too large to attach here)`,
    );
  const mention = `<@${result.conversation.userId}>`;
  const image = result.assets.some((a) => a.contentType.startsWith('image/'));
  const buttons = [button('Re-roll', { kind: 'reroll', generationId: result.generationId })];
  if (image)
    buttons.push(button('Animate', { kind: 'animate', generationId: result.generationId }, ButtonStyle.Primary));
  return {
    content: cutGraphemes(
      [`${mention} ✅ **${escapeMentions(result.option.label)}** — done in ${seconds} s`, ...links].join('\n'),
      LIMITS.content,
    ),
    embeds: [
      {
        color: BRAND_COLOUR,
        description: quoted(result.option.prompt, LIMITS.description),
        footer: { text: result.option.modelId },
      },
    ],
    components: rows(buttons),
  };
}

export function failurePayload(failure: GenerationFailure): DiscordPayload {
  const buttons =
    failure.reason === 'canceled' ? [] : [button('Try again', { kind: 'reroll', generationId: failure.generationId })];
  return {
    content: cutGraphemes(
      `<@${failure.conversation.userId}> ⚠️ **${escapeMentions(failure.option.label)}**: ${escapeMentions(failure.message)}`,
      LIMITS.content,
    ),
    components: rows(buttons),
  };
}

/** The shared history words (history-text) in Discord's markup. */
const HISTORY_MARKUP: HistoryMarkup = { bold: (s) => `**${s}**`, code: (s) => `\`${s}\``, inert: shownAsTyped };

/**
 * A private `/history` page with "Older →" when there are older ones; for an unavailable history, the note
 * alone. Every field is set, so editing a page into the next one (or into a note) leaves nothing behind.
 */
export function historyPayload(view: HistoryView, nowMs = Date.now()): DiscordPayload {
  if (view.kind !== 'page') return { content: shown(view.message, LIMITS.content), embeds: [], components: [] };
  const older = view.nextPage ? [button(OLDER_BUTTON_LABEL, { kind: 'history-page', key: view.nextPage })] : [];
  return {
    content: cutGraphemes(historyPageText(view, HISTORY_MARKUP, { nowMs, maxChars: LIMITS.content }), LIMITS.content),
    embeds: [],
    components: rows(older),
  };
}

/** `/forget`: the question with its red button, then (edited in place) what was forgotten. */
export function forgetPayload(outcome: ForgetOutcome): DiscordPayload {
  switch (outcome.kind) {
    case 'confirm':
      return {
        content: forgetConfirmText('Discord'),
        embeds: [],
        components: rows([button(FORGET_BUTTON_LABEL, { kind: 'forget' }, ButtonStyle.Danger)]),
      };
    case 'forgotten':
      return { content: forgottenText(outcome), embeds: [], components: [] };
    case 'unavailable':
      return { content: shown(outcome.message, LIMITS.content), embeds: [], components: [] };
  }
}

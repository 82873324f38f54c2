/**
 * Slack messages as Block Kit: option sets (a section per option with its reason, estimate and a button),
 * status lines with Cancel, result buttons (Re-roll, Animate), failures, and the private `/history` page and
 * `/forget` question, whose buttons carry the id of the person they were shown to as their `value`. Texts are cut to Slack's limits
 * (button 75, section 3,000) on grapheme boundaries, and every message has a plain `text` fallback for
 * notifications. Slack parses that fallback as mrkdwn too (`<!channel>`, `<@U…>` notify people), so every
 * text that can carry a person's or the model's words is escaped there as well as in the blocks; the only
 * mention we write is the requester's own `<@U…>`.
 */
import type { types } from '@slack/bolt';
import type { OptionSet } from '../../core/assistant-types.js';
import type { ForgetOutcome, HistoryView } from '../../core/history-views.js';
import type { GenerationFailure, GenerationResult, ProgressEvent } from '../../core/types.js';
import { type ButtonAction, encodeButton } from '../shared/button-ids.js';
import { cleanEcho, cutGraphemes } from '../shared/echo-text.js';
import {
  FORGET_BUTTON_LABEL,
  forgetConfirmText,
  forgottenText,
  type HistoryMarkup,
  historyPageText,
  OLDER_BUTTON_LABEL,
} from '../shared/history-text.js';
import { estimateText, statusText } from '../shared/message-text.js';

type ActionsBlock = types.ActionsBlock;
type Button = types.Button;
type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;

export const SLACK_LIMITS = { buttonText: 75, sectionText: 3_000, text: 4_000 } as const;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** `text` cut to `max` characters on a grapheme boundary, with '…' (kept for the publisher's titles). */
export const cut: (text: string, max: number) => string = cutGraphemes;

/** Slack mrkdwn needs &, < and > escaped in text that is not ours: `<!channel>` then shows, and notifies no one. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A top-level `text` (the notification fallback, parsed as mrkdwn) from words that are not ours. */
const fallback = (text: string): string => escapeMrkdwn(cut(text, SLACK_LIMITS.text));

/** "<@you> asked: …" in the channel: a cleaned, one-line, shortened copy of the request, escaped. */
export function askedText(userId: string, request: string): string {
  const echo = cleanEcho(request);
  return `<@${userId}> asked: ${echo ? escapeMrkdwn(echo) : '(nothing yet)'}`;
}

/** A plain answer (a hint, an ephemeral note): the words escaped, and no blocks. */
export function noteText(text: string): string {
  return fallback(text);
}

/** A button; its `value` is its id unless given (the history buttons carry their owner's user id). */
function button(label: string, action: ButtonAction, style?: 'primary' | 'danger', value?: string): Button {
  const id = encodeButton(action);
  return {
    type: 'button',
    text: { type: 'plain_text', text: cut(label, SLACK_LIMITS.buttonText), emoji: true },
    action_id: id,
    value: value ?? id,
    ...(style ? { style } : {}),
  };
}

const section = (text: string, accessory?: Button): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: cut(text, SLACK_LIMITS.sectionText) },
  ...(accessory ? { accessory } : {}),
});

export function optionsMessage(set: OptionSet, notes: readonly string[]): SlackMessage {
  const blocks: KnownBlock[] = [section(escapeMrkdwn(set.text))];
  set.options.forEach((option, i) => {
    const estimate = estimateText(option.estimate);
    const text = [
      `*${i + 1}. ${escapeMrkdwn(option.label)}*`,
      escapeMrkdwn(option.reason),
      estimate ? `_${estimate}_` : '',
      `> ${escapeMrkdwn(option.prompt)}`,
    ]
      .filter(Boolean)
      .join('\n');
    blocks.push(
      section(
        text,
        button(`Generate ${i + 1}`, { kind: 'option', key: set.key, index: i }, i === 0 ? 'primary' : undefined),
      ),
    );
  });
  if (notes.length)
    blocks.push({
      type: 'context',
      elements: notes.map((n) => ({ type: 'mrkdwn', text: cut(escapeMrkdwn(n), 2_000) })),
    });
  return { text: fallback(set.text), blocks };
}

export function statusMessage(
  label: string,
  generationId: string,
  event: Pick<ProgressEvent, 'state' | 'position' | 'estimatedWaitMs' | 'message'>,
): SlackMessage {
  const text = statusText(label, event);
  const blocks: KnownBlock[] = [section(escapeMrkdwn(text))];
  if (event.state === 'queued' || event.state === 'submitted') {
    blocks.push({
      type: 'actions',
      elements: [button('Cancel', { kind: 'cancel', generationId }, 'danger')],
    } satisfies ActionsBlock);
  }
  return { text: fallback(text), blocks };
}

/** The message that follows an uploaded result (or carries its link when too large to upload). */
export function resultMessage(
  result: GenerationResult,
  linked: readonly { url: string; contentType: string; sizeBytes: number }[],
): SlackMessage {
  const seconds = (result.durationMs / 1_000).toFixed(0);
  const head = `<@${result.conversation.userId}> ✅ *${escapeMrkdwn(result.option.label)}* — done in ${seconds} s`;
  const links = linked.map(
    (a) =>
      `<${a.url}|${a.contentType.startsWith('video/') ? 'Watch the video' : 'Open the image'}> (${(a.sizeBytes / 1_048_576).toFixed(1)} MB, too large to upload here)`,
  );
  const image = result.assets.some((a) => a.contentType.startsWith('image/'));
  const buttons = [button('Re-roll', { kind: 'reroll', generationId: result.generationId })];
  if (image) buttons.push(button('Animate', { kind: 'animate', generationId: result.generationId }, 'primary'));
  return {
    text: fallback(`${result.option.label}: done`),
    blocks: [section([head, ...links].join('\n')), { type: 'actions', elements: buttons }],
  };
}

export function failureMessage(failure: GenerationFailure): SlackMessage {
  const text = `<@${failure.conversation.userId}> ⚠️ *${escapeMrkdwn(failure.option.label)}*: ${escapeMrkdwn(failure.message)}`;
  const blocks: KnownBlock[] = [section(text)];
  if (failure.reason !== 'canceled') {
    blocks.push({
      type: 'actions',
      elements: [button('Try again', { kind: 'reroll', generationId: failure.generationId })],
    });
  }
  return { text: fallback(`${failure.option.label}: ${failure.message}`), blocks };
}

/** The shared history words (history-text) in Slack's mrkdwn. */
const HISTORY_MARKUP: HistoryMarkup = { bold: (s) => `*${s}*`, code: (s) => `\`${s}\``, inert: escapeMrkdwn };

/** A private message of ours: its mrkdwn text (escaped where it is not ours) as a section and as the fallback. */
function privateMessage(text: string, buttons: Button[] = []): SlackMessage {
  const blocks: KnownBlock[] = [section(text)];
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons } satisfies ActionsBlock);
  return { text: cut(text, SLACK_LIMITS.text), blocks };
}

/** A `/history` page shown to `ownerId`, with "Older →" when there are older ones; or the note alone. */
export function historyMessage(view: HistoryView, ownerId: string, nowMs = Date.now()): SlackMessage {
  if (view.kind !== 'page') return privateMessage(escapeMrkdwn(view.message));
  const older = view.nextPage
    ? [button(OLDER_BUTTON_LABEL, { kind: 'history-page', key: view.nextPage }, undefined, ownerId)]
    : [];
  return privateMessage(historyPageText(view, HISTORY_MARKUP, { nowMs, maxChars: SLACK_LIMITS.sectionText }), older);
}

/** `/forget` shown to `ownerId`: the question with its danger button, then what was forgotten. */
export function forgetMessage(outcome: ForgetOutcome, ownerId: string): SlackMessage {
  switch (outcome.kind) {
    case 'confirm':
      return privateMessage(forgetConfirmText('Slack'), [
        button(FORGET_BUTTON_LABEL, { kind: 'forget' }, 'danger', ownerId),
      ]);
    case 'forgotten':
      return privateMessage(forgottenText(outcome));
    case 'unavailable':
      return privateMessage(escapeMrkdwn(outcome.message));
  }
}

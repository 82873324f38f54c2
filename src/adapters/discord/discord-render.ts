/**
 * Discord message payloads as plain API JSON, usable by the gateway client and by the REST-only publisher:
 * option sets (an embed field per option, one button each), status lines with Cancel, results with Re-roll
 * and Animate, failures. Every text is cut to Discord's limits here, so a long prompt never costs a post.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { OptionSet } from '../../core/assistant-types.js';
import type { GenerationFailure, GenerationResult, ProgressEvent } from '../../core/types.js';
import { type ButtonAction, encodeButton } from '../shared/button-ids.js';
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

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function button(
  label: string,
  action: ButtonAction,
  style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger = ButtonStyle.Secondary,
): APIButtonComponent {
  return { type: ComponentType.Button, style, label: cut(label, LIMITS.buttonLabel), custom_id: encodeButton(action) };
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
    const value = [option.reason, estimate ? `*${estimate}*` : '', `> ${option.prompt}`].filter(Boolean).join('\n');
    return { name: cut(`${i + 1}. ${option.label}`, LIMITS.fieldName), value: cut(value, LIMITS.fieldValue) };
  });
  const text = [set.text, ...notes.map((n) => `-# ${n}`)].join('\n');
  return {
    content: cut(text, LIMITS.content),
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
    content: cut(statusText(label, event), LIMITS.content),
    components: cancellable ? rows([button('Cancel', { kind: 'cancel', generationId }, ButtonStyle.Danger)]) : [],
  };
}

export interface ResultPost {
  payload: DiscordPayload;
  /** Assets sent as links because they are over the upload limit. */
  linked: number;
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
    content: cut(
      [`${mention} ✅ **${result.option.label}** — done in ${seconds} s`, ...links].join('\n'),
      LIMITS.content,
    ),
    embeds: [
      {
        color: BRAND_COLOUR,
        description: cut(`> ${result.option.prompt}`, LIMITS.description),
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
    content: cut(`<@${failure.conversation.userId}> ⚠️ **${failure.option.label}**: ${failure.message}`, LIMITS.content),
    components: rows(buttons),
  };
}

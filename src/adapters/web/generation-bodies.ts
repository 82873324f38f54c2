/**
 * A generation as the web shows it (`GET /generations/{id}` and each item of the gallery, `GET /generations`):
 * its state, recipe, fresh links to its media, why it ended when it failed, and the actions that apply now.
 *
 * Decisions:
 * - The state comes from the queue's record while it has one (history follows it through a feed, a moment
 *   behind), else from history; the media and times from history, the links made fresh on every read; why
 *   it failed from history, or from the chat's event stream while history has not heard yet.
 */
import type { HistoryEntry } from '../../core/history.js';
import type { GenerationLookup } from '../../core/ports.js';
import type { ConversationRef, GenerationOption, GenerationState } from '../../core/types.js';
import { mediaBodies } from './answer-bodies.js';
import { isoTime } from './schemas/common.js';
import type { GenerationBody } from './schemas/generation-schemas.js';
import type { WebContext } from './web-context.js';
import { actionsFor } from './web-event-build.js';

/** A generation known to be the person's own, with what the queue and history know of it. */
export interface OwnGeneration {
  generationId: string;
  conversation: ConversationRef;
  option: GenerationOption;
  state: GenerationState;
  entry?: HistoryEntry;
  live?: GenerationLookup;
}

/** The stored results: history's, else the queue's while history has not heard of them yet. */
export function assetsOf(own: OwnGeneration) {
  return own.entry?.assets.length ? own.entry.assets : (own.live?.assets ?? []);
}

export async function generationBody(
  ctx: Pick<WebContext, 'media' | 'assistant' | 'events'>,
  own: OwnGeneration,
): Promise<GenerationBody> {
  const assets = assetsOf(own);
  const media = await mediaBodies(ctx.media, assets);
  const position =
    own.state === 'queued'
      ? (await ctx.assistant.activeJobs(own.conversation)).find((job) => job.generationId === own.generationId)
          ?.position
      : undefined;
  const failure = own.entry?.failure ?? (await endedWithout(ctx, own));
  return {
    generation_id: own.generationId,
    chat_id: own.conversation.channelId,
    state: own.state,
    label: own.option.label,
    model: own.option.modelId,
    kind: own.option.kind,
    prompt: own.option.prompt,
    ...(position !== undefined ? { position } : {}),
    media,
    ...(failure ? { message: failure.message, reason: failure.reason } : {}),
    actions: actionsFor(own.state, assets),
    ...(own.entry ? { created_at: isoTime(own.entry.createdAtMs), updated_at: isoTime(own.entry.updatedAtMs) } : {}),
  };
}

/**
 * Why a generation the queue says has failed or was canceled ended, while history has not heard yet (its
 * feed is a moment behind): from the chat's event stream, which the publisher wrote before the state changed.
 */
async function endedWithout(ctx: Pick<WebContext, 'events'>, own: OwnGeneration): Promise<HistoryEntry['failure']> {
  if (own.state !== 'failed' && own.state !== 'canceled') return undefined;
  const events = await ctx.events.since(own.conversation.channelId, undefined, 1_000).catch(() => []);
  for (let i = events.length - 1; i >= 0; i--) {
    const { event } = events[i] ?? {};
    if (event?.generation_id === own.generationId && event.message !== undefined) {
      return { reason: event.reason ?? own.state, message: event.message };
    }
  }
  return undefined;
}

/**
 * The web event for each thing a generation does: a state change (the status relay's progress event), a
 * posted result, a posted failure. The words are the chat platforms' own status lines
 * (src/adapters/shared/message-text.ts); the actions are the endpoints that apply now, as the buttons are on
 * Discord and Slack: Cancel while it waits, Re-roll once it has ended, Animate for an image result.
 */
import type { GenerationFailure, GenerationResult, MediaAsset, ProgressEvent } from '../../core/types.js';
import { statusText } from '../shared/message-text.js';
import type { WebEvent } from './web-events.js';

type Action = WebEvent['actions'][number];

/** What may be done with a generation in `state` whose results are `media` (by content type). */
export function actionsFor(
  state: WebEvent['type'],
  media: ReadonlyArray<Pick<MediaAsset, 'contentType'>> = [],
): Action[] {
  switch (state) {
    case 'queued':
    case 'submitted':
      return ['cancel'];
    case 'rendering':
    case 'delivering':
      return [];
    case 'done':
      return media.some((asset) => asset.contentType.startsWith('image/')) ? ['reroll', 'animate'] : ['reroll'];
    case 'failed':
    case 'canceled':
      return ['reroll'];
  }
}

function mediaOf(assets: readonly MediaAsset[]): NonNullable<WebEvent['media']> {
  return assets.map((asset) => ({
    url: asset.url,
    content_type: asset.contentType,
    ...(asset.width !== undefined ? { width: asset.width } : {}),
    ...(asset.height !== undefined ? { height: asset.height } : {}),
    ...(asset.durationS !== undefined ? { duration_s: asset.durationS } : {}),
  }));
}

/** A state change as the chat's event; `done` carries its media when the progress event has them. */
export function progressWebEvent(event: ProgressEvent): WebEvent {
  const label = event.label ?? event.modelId;
  return {
    type: event.state,
    generation_id: event.generationId,
    chat_id: event.conversation.channelId,
    label,
    model: event.modelId,
    text: statusText(label, event),
    actions: actionsFor(event.state, event.assets),
    ...(event.position !== undefined ? { position: event.position } : {}),
    ...(event.estimatedWaitMs !== undefined ? { estimated_wait_s: Math.round(event.estimatedWaitMs / 1_000) } : {}),
    ...(event.assets ? { media: mediaOf(event.assets) } : {}),
    ...(event.message !== undefined ? { message: event.message } : {}),
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    at: new Date(event.atMs).toISOString(),
  };
}

/** A delivered result: `done` with the stored media's links. */
export function resultWebEvent(result: GenerationResult, atMs = Date.now()): WebEvent {
  const { label, modelId } = result.option;
  const seconds = Math.round(result.durationMs / 1_000);
  return {
    type: 'done',
    generation_id: result.generationId,
    chat_id: result.conversation.channelId,
    label,
    model: modelId,
    text: `${statusText(label, { state: 'done' })} in ${seconds} s`,
    actions: actionsFor('done', result.assets),
    media: mediaOf(result.assets),
    at: new Date(atMs).toISOString(),
  };
}

/** A generation that ended without media: `canceled` when it was canceled, else `failed`, with the words why. */
export function failureWebEvent(failure: GenerationFailure, atMs = Date.now()): WebEvent {
  const { label, modelId } = failure.option;
  const type = failure.reason === 'canceled' ? 'canceled' : 'failed';
  return {
    type,
    generation_id: failure.generationId,
    chat_id: failure.conversation.channelId,
    label,
    model: modelId,
    text: statusText(label, { state: 'failed', message: failure.message }),
    actions: actionsFor(type),
    message: failure.message,
    reason: failure.reason,
    at: new Date(atMs).toISOString(),
  };
}

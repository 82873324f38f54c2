/**
 * The web's publisher: what a generation does becomes an event in its chat's stream (the chat is the
 * conversation's channel), which `GET /chats/{id}/events` sends to the person's browser; results stay in
 * the media store and the event carries their links. It needs no ledger: each append is one Redis script.
 *
 * Decisions:
 * - Exactly once: a result or failure is appended with its delivery id as the once-key, so a retried
 *   delivery (by any process) appends nothing; and the log appends nothing of a generation after its end,
 *   so the status relay's end event (done, failed, canceled) shows only where no delivery did (a
 *   generation canceled before it started has none), and a late status line never follows a result.
 * - The "status message" is the generation itself: `showStatus` answers the same MessageRef every time
 *   (channel = chat id, message = generation id), and a client shows each generation's newest event.
 */
import type { DeliveryLedger, Publisher } from '../../core/ports.js';
import type { GenerationFailure, GenerationResult, MessageRef, ProgressEvent } from '../../core/types.js';
import { WEB_PLATFORM } from './web-context.js';
import { failureWebEvent, progressWebEvent, resultWebEvent } from './web-event-build.js';
import type { WebEventLog } from './web-events.js';

export interface WebPublisherDeps {
  /** Where the chat's events go; results stay in the media store and the events carry their links. */
  events: WebEventLog;
}

export function createWebPublisher(deps: WebPublisherDeps): Publisher {
  const { events } = deps;
  return {
    platform: WEB_PLATFORM,

    async postResult(result: GenerationResult, deliveryId: string, _ledger?: DeliveryLedger) {
      await events.append(resultWebEvent(result), deliveryId);
    },

    async postFailure(failure: GenerationFailure, deliveryId: string, _ledger?: DeliveryLedger) {
      await events.append(failureWebEvent(failure), deliveryId);
    },

    async showStatus(event: ProgressEvent, message: MessageRef | undefined): Promise<MessageRef> {
      await events.append(progressWebEvent(event));
      return message ?? { channelId: event.conversation.channelId, messageId: event.generationId };
    },
  };
}

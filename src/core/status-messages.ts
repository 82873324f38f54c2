/**
 * Status messages: every generation shows where it is in one message in its thread, posted on its first
 * event and edited on the next ones by its platform's publisher. Any process that hears the progress
 * events may do it (bot or worker): the status board decides whose turn it is, so the message is posted
 * once and edits land in order however many processes listen. Updates are throttled per generation; an end
 * state is never held back. Adapters post nothing of it: they acknowledge the press and hand over.
 */
import type { CoreLogger, ProgressBus, Publisher, StatusBoard } from './ports.js';
import { createStatusThrottle } from './status-throttle.js';
import type { ProgressEvent } from './types.js';

export interface StatusMessagesOptions {
  bus: ProgressBus;
  board: StatusBoard;
  publishers: ReadonlyMap<string, Publisher>;
  logger: CoreLogger;
  /** Least time between two updates of one message (default 3 s). */
  intervalMs?: number;
  /** How often to ask again while another process holds the turn (default 150 ms). */
  busyRetryMs?: number;
  /** Longest an event waits for its turn before it is dropped (a newer one will show). */
  busyGiveUpMs?: number;
}

/** Starts showing status messages; resolves to the function that stops (after the updates under way). */
export async function startStatusMessages(options: StatusMessagesOptions): Promise<() => Promise<void>> {
  const { board, publishers, logger } = options;
  const busyRetryMs = options.busyRetryMs ?? 150;
  const busyGiveUpMs = options.busyGiveUpMs ?? 20_000;
  let stopped = false;

  const show = async (event: ProgressEvent) => {
    const publisher = publishers.get(event.conversation.platform);
    if (!publisher?.showStatus) return;
    const giveUpAt = Date.now() + busyGiveUpMs;
    for (;;) {
      const claim = await board.claim(event.generationId, event);
      if (claim.kind === 'stale') return;
      if (claim.kind === 'busy') {
        if (stopped || Date.now() > giveUpAt) {
          logger.info({ generationId: event.generationId, state: event.state }, 'status update skipped: busy');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, busyRetryMs));
        continue;
      }
      let posted: Awaited<ReturnType<NonNullable<Publisher['showStatus']>>> | undefined;
      try {
        posted = await publisher.showStatus(event, claim.message);
      } finally {
        // The message is remembered only when this turn posted it (an edit returns the same one).
        await board.release(event.generationId, claim.turn, claim.message ? undefined : posted);
      }
      return;
    }
  };

  const throttle = createStatusThrottle({
    intervalMs: options.intervalMs ?? 3_000,
    apply: show,
    onError: (err, event) =>
      logger.warn({ err, generationId: event.generationId, state: event.state }, 'status update failed'),
  });
  const unsubscribe = await options.bus.subscribe((event) => {
    if (publishers.get(event.conversation.platform)?.showStatus) throttle.push(event);
  });
  return async () => {
    stopped = true;
    await unsubscribe();
    await throttle.flush();
  };
}

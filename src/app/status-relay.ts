/**
 * Keeps status messages current in the process that owns them: listens to progress events from every
 * worker and edits each generation's status message through its platform's publisher, throttled per message.
 */
import type { ProgressBus, Publisher } from '../core/ports.js';
import { createStatusThrottle } from '../core/status-throttle.js';
import type { MessageRef } from '../core/types.js';
import type { Logger } from '../log.js';

export async function startStatusRelay(options: {
  bus: ProgressBus;
  publishers: ReadonlyMap<string, Publisher>;
  intervalMs?: number;
  logger: Logger;
  /** Finds a status message attached after the generation was queued (not in its events). */
  statusMessageOf?: (generationId: string) => Promise<MessageRef | undefined>;
}): Promise<() => Promise<void>> {
  const throttle = createStatusThrottle({
    intervalMs: options.intervalMs ?? 3_000,
    apply: async (event) => {
      const publisher = options.publishers.get(event.conversation.platform);
      const message = event.statusMessage ?? (await options.statusMessageOf?.(event.generationId));
      await publisher?.updateStatus?.(event.conversation, message, event);
    },
    onError: (err, event) =>
      options.logger.warn({ err, generationId: event.generationId, state: event.state }, 'status update failed'),
  });
  const unsubscribe = await options.bus.subscribe((event) => {
    const publisher = options.publishers.get(event.conversation.platform);
    if (publisher?.updateStatus) throttle.push(event);
  });
  return async () => {
    await unsubscribe();
    await throttle.flush();
  };
}

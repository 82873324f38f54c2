/**
 * Progress events over Redis pub/sub, so whichever process holds a status message (a Discord gateway,
 * a Slack app, a terminal) hears every state change of a generation run by any worker. Fire-and-forget
 * by design: a missed event costs a stale status line, never a result (results are posted by the worker).
 */
import type { Redis } from 'ioredis';
import type { ProgressBus } from '../core/ports.js';
import type { ProgressEvent } from '../core/types.js';
import type { Logger } from '../log.js';

export function createRedisProgressBus(options: {
  publisher: Redis;
  /** A connection used only for subscribing (Redis puts it in subscriber mode); duplicated per subscription. */
  subscriberFactory: () => Redis;
  channel: string;
  logger: Logger;
}): ProgressBus {
  const { publisher, channel, logger } = options;
  return {
    async publish(event) {
      try {
        await publisher.publish(channel, JSON.stringify(event));
      } catch (err) {
        logger.warn({ err, generationId: event.generationId, state: event.state }, 'progress event not published');
      }
    },
    async subscribe(listener) {
      const sub = options.subscriberFactory();
      sub.on('message', (_channel: string, message: string) => {
        try {
          listener(JSON.parse(message) as ProgressEvent);
        } catch (err) {
          logger.warn({ err }, 'progress listener failed');
        }
      });
      await sub.subscribe(channel);
      return async () => {
        await sub.unsubscribe(channel).catch(() => undefined);
        sub.disconnect();
      };
    },
  };
}

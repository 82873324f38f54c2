/**
 * Progress events across processes, on a Redis stream, so whichever process holds a status message (a
 * Discord gateway, a Slack app, a terminal) hears every state change of a generation run by any worker.
 * A stream and not pub/sub: pub/sub drops what is published while a subscriber reconnects, so after a
 * Redis restart a "done" could vanish and leave a status message on "posting…" beside the posted result.
 * Each subscriber reads on from the last entry it saw, so an outage delays events but loses none. The
 * stream is capped (approximately) at `maxLength` entries; a subscriber starts with events after it joined.
 */
import type { Redis } from 'ioredis';
import type { ProgressBus } from '../core/ports.js';
import type { ProgressEvent } from '../core/types.js';
import type { Logger } from '../log.js';

/**
 * Older entries are trimmed. Raised from 20,000 for the history feed (history-feed.ts), which reads this stream
 * in a consumer group: trimming ignores the group, so while the history database is down, events the feed has
 * not written are lost once this many newer ones arrive. About five events per generation and ~650 bytes each
 * (measured with realistic events): 100,000 entries are ~65 MB of Redis and the last ~20,000 generations —
 * an outage of about 5.5 hours at a busy one generation a second, days at most deployments' pace.
 */
const DEFAULT_MAX_LENGTH = 100_000;
/** How long one blocking read waits before it looks again (and notices an unsubscribe). */
const BLOCK_MS = 2_000;
const BATCH = 500;

export function createRedisProgressBus(options: {
  publisher: Redis;
  /** A connection for one subscription's blocking reads; it should wait out outages (worker role). */
  subscriberFactory: () => Redis;
  /** The stream's key. */
  channel: string;
  logger: Logger;
  maxLength?: number;
}): ProgressBus {
  const { publisher, channel, logger } = options;
  const maxLength = String(options.maxLength ?? DEFAULT_MAX_LENGTH);
  return {
    async publish(event) {
      try {
        await publisher.xadd(channel, 'MAXLEN', '~', maxLength, '*', 'event', JSON.stringify(event));
      } catch (err) {
        logger.warn({ err, generationId: event.generationId, state: event.state }, 'progress event not published');
      }
    },
    async subscribe(listener) {
      const reader = options.subscriberFactory();
      let stopped = false;
      // Start after the newest entry as it is now: later events only.
      const newest = (await reader.xrevrange(channel, '+', '-', 'COUNT', 1))[0];
      let lastId = newest?.[0] ?? '0-0';
      const loop = (async () => {
        while (!stopped) {
          let reply: Array<[string, Array<[string, string[]]>]> | null;
          try {
            reply = (await reader.xread('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', channel, lastId)) as typeof reply;
          } catch (err) {
            if (stopped) return;
            logger.debug({ err }, 'progress read failed; reading again');
            await new Promise((resolve) => setTimeout(resolve, 200));
            continue;
          }
          for (const [, entries] of reply ?? []) {
            for (const [id, fields] of entries) {
              lastId = id;
              deliver(fields, listener, logger);
            }
          }
        }
      })();
      return async () => {
        stopped = true;
        reader.disconnect();
        // A read queued while the connection was down may never settle once it is closed: do not wait on it
        // past the length of one blocking read.
        await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, BLOCK_MS + 500).unref())]);
      };
    },
  };
}

function deliver(fields: string[], listener: (event: ProgressEvent) => void, logger: Logger): void {
  const raw = fields[fields.indexOf('event') + 1];
  if (raw === undefined) return;
  try {
    listener(JSON.parse(raw) as ProgressEvent);
  } catch (err) {
    logger.warn({ err }, 'progress listener failed');
  }
}

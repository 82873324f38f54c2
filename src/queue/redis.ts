/**
 * ioredis connections by role, following BullMQ's production guide: workers and blocking readers retry
 * forever (`maxRetriesPerRequest: null`); producers and one-shot probes fail fast, so a person is told
 * "try again" instead of waiting on a dead Redis.
 */
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'producer' | 'probe';

/** Connection options; reply mapping stays ioredis's default, which BullMQ expects. */
export type ConnectionOptions = Omit<RedisOptions, 'replyMapping'>;

export function createRedis(url: string, role: RedisRole, extra: ConnectionOptions = {}): Redis {
  const base: ConnectionOptions = { connectionName: `higgsbot-${role}` };
  const byRole: Record<RedisRole, ConnectionOptions> = {
    worker: { maxRetriesPerRequest: null },
    producer: { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 },
    probe: {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      connectTimeout: 2_000,
      lazyConnect: true,
      retryStrategy: () => null,
    },
  };
  return new Redis(url, { ...base, ...byRole[role], ...extra });
}

/** The few log calls a connection watcher makes; pino's logger satisfies it. */
interface WatchLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/**
 * Logs a connection's state changes once each, as structured lines: "lost" on the first error after it was
 * up (or when the first connect fails), "restored" when it is ready again. ioredis emits an error per retry
 * and prints "[ioredis] Unhandled error event" to stderr when no listener is attached; this listener is
 * that attachment, so an outage reads as two log lines per connection instead of a wall of stacks.
 */
export function watchRedis(redis: Redis, logger: WatchLogger, name: string): Redis {
  let state: 'connecting' | 'up' | 'down' = 'connecting';
  redis.on('ready', () => {
    if (state === 'down') logger.info({ redis: name }, 'Redis connection restored');
    state = 'up';
  });
  redis.on('error', (err: Error & { code?: string }) => {
    if (state === 'down') return;
    state = 'down';
    logger.warn({ redis: name, error: err.message, code: err.code }, 'Redis connection lost; retrying');
  });
  return redis;
}

/** PING with a deadline; resolves to the round trip in ms or rejects with the reason. */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<number> {
  const redis = createRedis(url, 'probe', { connectTimeout: timeoutMs });
  redis.on('error', () => {});
  const started = performance.now();
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return Math.round(performance.now() - started);
  } finally {
    redis.disconnect();
  }
}

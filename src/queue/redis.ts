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

/**
 * Per-file Redis isolation: a unique key prefix per test file and a cleanup that deletes exactly those
 * keys. Fails (never skips) with instructions when no Redis could be had.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export function redisUrl(): string {
  const url = inject('redisUrl');
  if (!url) {
    throw new Error(
      'These tests need Redis. Start one on 127.0.0.1:6379, set REDIS_URL, or install redis-server ' +
        '(Debian: apt-get install redis-server) so the test setup can start a private one.',
    );
  }
  return url;
}

/** A prefix unique to this file and run, e.g. `t-doctor-1a2b3c4d`. No colons: BullMQ job ids forbid them. */
export function testPrefix(file: string): string {
  return `t-${file}-${randomUUID().slice(0, 8)}`;
}

export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

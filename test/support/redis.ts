/**
 * Per-file Redis isolation: a unique key prefix per test file and a cleanup that deletes exactly those
 * keys (`deleteKeys`, from the test kit). Fails (never skips) with instructions when no Redis could be had.
 */
import { randomUUID } from 'node:crypto';
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

/** Moved into the test kit (test/doubles/kit/redis-keys.ts); re-exported so existing specs keep working. */
export { deleteKeys } from '../doubles/kit/redis-keys.js';

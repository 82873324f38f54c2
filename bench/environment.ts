/**
 * Where the benchmarks run: the repository root (child processes start there) and the Redis they use
 * (REDIS_URL, default 127.0.0.1:6379). Benchmarks talk to loopback only; `assertLoopbackRedis` says so
 * before anything starts.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Throws unless `url` is a Redis on 127.0.0.1 / localhost. */
export function assertLoopbackRedis(url: string): void {
  if (!/^redis:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/\d*)?$/.test(url)) {
    throw new Error(`REDIS_URL must point at 127.0.0.1 (got ${url}); the benchmarks talk to loopback only.`);
  }
}

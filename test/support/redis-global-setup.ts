/**
 * Makes a real Redis available to the suite: REDIS_URL (default 127.0.0.1:6379) when it answers,
 * otherwise a private `redis-server` on a free loopback port, stopped at the end. Tests read the URL
 * with `inject('redisUrl')`; `null` means none could be had, and tests that need Redis say how to get one.
 */
import type { TestProject } from 'vitest/node';
import { redisAnswers, startPrivateRedis } from '../../src/queue/private-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(wanted)) {
    project.provide('redisUrl', wanted);
    return async () => {};
  }
  const redis = await startPrivateRedis();
  project.provide('redisUrl', redis?.url ?? null);
  return async () => redis?.stop();
}

/**
 * The kit's Redis clean-up: a spec or benchmark deletes exactly the keys under its own prefix, and a prefix
 * that would reach further is refused before anything is deleted.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, testPrefix } from '../../support/redis.js';
import { deleteKeys } from '../index.js';

describe('deleteKeys', () => {
  const prefix = testPrefix('kit-keys');
  const neighbour = `${prefix}x`.replace(/^t-/, 'n-');
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.del(neighbour);
    redis.disconnect();
  });

  it('deletes every key under the prefix and leaves other keys alone', async () => {
    await redis.mset(`${prefix}:a`, '1', `${prefix}:b`, '2', neighbour, 'kept');
    await redis.set(`${prefix}:c`, '3');

    expect(await deleteKeys(redisUrl(), prefix)).toBe(3);
    expect(await redis.exists(`${prefix}:a`, `${prefix}:b`, `${prefix}:c`)).toBe(0);
    expect(await redis.get(neighbour)).toBe('kept');
  });

  it('answers 0 when nothing is under the prefix', async () => {
    expect(await deleteKeys(redisUrl(), `${prefix}-empty`)).toBe(0);
  });

  it.each(['', '*', 't-a*b', 't-[ab]', 't-a?'])('refuses the prefix %j, deleting nothing', async (bad) => {
    await redis.set(neighbour, 'kept');
    await expect(deleteKeys(redisUrl(), bad)).rejects.toThrow(/refuses the prefix/);
    expect(await redis.get(neighbour)).toBe('kept');
  });
});

/**
 * Option sets and conversation memory on real Redis: short keys that expire, a capped memory per thread that
 * expires too, and damaged or foreign data that reads as "nothing" rather than an error.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemoryTurn } from '../../src/core/assistant-types.js';
import { RedisConversationMemory } from '../../src/store/redis-conversation-memory.js';
import { OPTION_KEY_PATTERN, RedisOptionStore } from '../../src/store/redis-option-store.js';
import { conversation } from '../agent/agent-fixtures.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const url = redisUrl();
const prefix = testPrefix('stores');
const redis = new Redis(url);

afterAll(async () => {
  await deleteKeys(url, prefix);
  redis.disconnect();
});

const option = {
  kind: 'text-to-image' as const,
  modelId: 'nano-banana',
  prompt: 'a red fox',
  params: {},
  label: 'Fox',
  reason: 'because',
};

describe('the option store', () => {
  it('saves a set under a short key that a button can carry, and reads it back', async () => {
    const store = new RedisOptionStore(redis, prefix);
    const saved = await store.save({
      conversation: conversation('s1'),
      text: 'hi',
      options: [option],
      mode: 'offline',
      createdAtMs: 1,
    });
    expect(saved.key).toMatch(OPTION_KEY_PATTERN);
    expect(`o:${saved.key}:3`.length).toBeLessThanOrEqual(100);
    expect(await store.get(saved.key)).toEqual(saved);
    expect(await redis.ttl(`${prefix}:options:${saved.key}`)).toBeGreaterThan(6 * 86_400);
  });

  it('forgets a set after its time to live, and treats malformed keys and data as missing', async () => {
    const store = new RedisOptionStore(redis, prefix, 1);
    const saved = await store.save({
      conversation: conversation('s2'),
      text: 'hi',
      options: [option],
      mode: 'offline',
      createdAtMs: 1,
    });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await store.get(saved.key)).toBeUndefined();
    expect(await store.get('../../etc')).toBeUndefined();
    await redis.set(`${prefix}:options:AAAAAAAAAA`, JSON.stringify({ key: 'AAAAAAAAAA', options: 'nope' }));
    expect(await store.get('AAAAAAAAAA')).toBeUndefined();
  });
});

describe('conversation memory', () => {
  it('keeps the last turns of each thread, oldest first, capped', async () => {
    const memory = new RedisConversationMemory(redis, prefix, 5);
    const thread = conversation('m1');
    for (let i = 1; i <= 8; i++) await memory.append(thread, { role: 'user', text: `turn ${i}`, atMs: i });
    const turns = await memory.recent(thread);
    expect(turns.map((t) => (t as Extract<MemoryTurn, { role: 'user' }>).text)).toEqual([
      'turn 4',
      'turn 5',
      'turn 6',
      'turn 7',
      'turn 8',
    ]);
    expect(await memory.recent(conversation('another-thread'))).toEqual([]);
  });

  it('expires a quiet thread, and skips a damaged entry', async () => {
    const memory = new RedisConversationMemory(redis, prefix, 20, 1);
    const thread = conversation('m2');
    await memory.append(thread, { role: 'user', text: 'hello', atMs: 1 });
    await redis.rpush(`${prefix}:memory:terminal:local:c1:m2`, '{not json');
    expect(await memory.recent(thread)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await memory.recent(thread)).toEqual([]);
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressBus, Publisher } from '../../src/core/ports.js';
import { startStatusMessages } from '../../src/core/status-messages.js';
import type { GenerationState, MessageRef, ProgressEvent } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { createRedisStatusBoard } from '../../src/queue/status-board.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const prefix = testPrefix('status-messages');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  redis.disconnect();
  await deleteKeys(redisUrl(), prefix);
});

/** Every listener hears every event, as every process does on the Redis stream. */
function fanOutBus(): ProgressBus & { emit(event: ProgressEvent): void } {
  const listeners = new Set<(event: ProgressEvent) => void>();
  return {
    emit: (event) => {
      for (const l of listeners) l(event);
    },
    publish: async () => {},
    subscribe: async (listener) => {
      listeners.add(listener);
      return async () => void listeners.delete(listener);
    },
  };
}

interface Shown {
  generationId: string;
  process: string;
  action: 'post' | 'edit';
  state: GenerationState;
  messageId: string;
}

/** A platform that takes a moment per call and remembers what each process did. */
function recordingPublisher(name: string, shown: Shown[], options: { failPosts?: number } = {}): Publisher {
  let failPosts = options.failPosts ?? 0;
  let next = 0;
  return {
    platform: 'chat',
    postResult: async () => {},
    postFailure: async () => {},
    async showStatus(event, message): Promise<MessageRef> {
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      if (!message && failPosts-- > 0) throw new Error('the platform refused the post');
      const ref = message ?? { channelId: 'c', messageId: `${name}-m${next++}` };
      shown.push({
        generationId: event.generationId,
        process: name,
        action: message ? 'edit' : 'post',
        state: event.state,
        messageId: ref.messageId,
      });
      return ref;
    },
  };
}

const conversation = { platform: 'chat', workspaceId: 'w', channelId: 'c', threadId: 't', userId: 'u' };
let counter = 0;
const generation = () => `gen-status-${++counter}`;
const event = (generationId: string, state: GenerationState, atMs: number): ProgressEvent => ({
  generationId,
  conversation,
  state,
  modelId: 'nano-banana',
  label: 'Neon city',
  atMs,
});
const LIFE: GenerationState[] = ['queued', 'submitted', 'rendering', 'delivering', 'done'];
const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('status messages shown by several processes', () => {
  it('posts one status message and edits it in order to its end state, however many processes listen', async () => {
    const bus = fanOutBus();
    const shown: Shown[] = [];
    const stops = await Promise.all(
      ['bot', 'worker-1', 'worker-2'].map((name) =>
        startStatusMessages({
          bus,
          board: createRedisStatusBoard(redis, prefix),
          publishers: new Map([['chat', recordingPublisher(name, shown)]]),
          logger: silentLogger(),
          intervalMs: 0,
          busyRetryMs: 10,
        }),
      ),
    );
    try {
      const ids = [generation(), generation(), generation()];
      const t0 = Date.now();
      for (const [i, state] of LIFE.entries()) {
        for (const id of ids) bus.emit(event(id, state, t0 + i));
        await new Promise((r) => setTimeout(r, 2));
      }
      await until(() => ids.every((id) => shownFor(shown, id).at(-1)?.state === 'done'));
      for (const id of ids) {
        const mine = shownFor(shown, id);
        expect(mine.filter((s) => s.action === 'post')).toHaveLength(1);
        expect(mine[0]?.action).toBe('post');
        expect(new Set(mine.map((s) => s.messageId)).size).toBe(1);
        const order = mine.map((s) => LIFE.indexOf(s.state));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(new Set(order).size).toBe(order.length);
      }
    } finally {
      await Promise.all(stops.map((stop) => stop()));
    }
  });

  it('keeps an ended message on its end state when an older event arrives late', async () => {
    const bus = fanOutBus();
    const shown: Shown[] = [];
    const stop = await startStatusMessages({
      bus,
      board: createRedisStatusBoard(redis, prefix),
      publishers: new Map([['chat', recordingPublisher('bot', shown)]]),
      logger: silentLogger(),
      intervalMs: 0,
    });
    try {
      const id = generation();
      bus.emit(event(id, 'queued', 1_000));
      await until(() => shown.length === 1);
      const other = await startStatusMessages({
        bus: fanOutBus(),
        board: createRedisStatusBoard(redis, prefix),
        publishers: new Map([['chat', recordingPublisher('late', shown)]]),
        logger: silentLogger(),
        intervalMs: 0,
      });
      bus.emit(event(id, 'done', 3_000));
      await until(() => shown.length === 2);
      bus.emit(event(id, 'rendering', 2_000));
      await new Promise((r) => setTimeout(r, 100));
      expect(shown.map((s) => `${s.action} ${s.state}`)).toEqual(['post queued', 'edit done']);
      await other();
    } finally {
      await stop();
    }
  });

  it('posts on the next event when posting the first one failed, still once', async () => {
    const bus = fanOutBus();
    const shown: Shown[] = [];
    const stop = await startStatusMessages({
      bus,
      board: createRedisStatusBoard(redis, prefix),
      publishers: new Map([['chat', recordingPublisher('bot', shown, { failPosts: 1 })]]),
      logger: silentLogger(),
      intervalMs: 0,
    });
    try {
      const id = generation();
      bus.emit(event(id, 'queued', 1_000));
      await new Promise((r) => setTimeout(r, 60));
      expect(shown).toEqual([]);
      bus.emit(event(id, 'rendering', 2_000));
      bus.emit(event(id, 'done', 3_000));
      await until(() => shown.length === 2);
      expect(shown.map((s) => `${s.action} ${s.state}`)).toEqual(['post rendering', 'edit done']);
    } finally {
      await stop();
    }
  });

  it('lets another process take over when the one holding the turn died', async () => {
    const board = createRedisStatusBoard(redis, prefix, 200);
    const id = generation();
    const held = await board.claim(id, { state: 'queued', atMs: 1_000 });
    expect(held.kind).toBe('show');
    // Its process is gone: the turn is never released.
    expect((await board.claim(id, { state: 'submitted', atMs: 2_000 })).kind).toBe('busy');
    await new Promise((r) => setTimeout(r, 250));
    const next = await board.claim(id, { state: 'submitted', atMs: 2_000 });
    expect(next).toMatchObject({ kind: 'show' });
    expect(next.kind === 'show' && next.message).toBeFalsy();
  });
});

function shownFor(shown: Shown[], generationId: string): Shown[] {
  return shown.filter((s) => s.generationId === generationId);
}

/**
 * Progress events reach every listening process, in order, and survive a Redis restart: a "done" published
 * while Redis is down (the worker's write waits) is read after it is back, where pub/sub would have lost it
 * and left the status message on "posting…".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { createRedisProgressBus } from '../../src/queue/progress-bus.js';
import { createRedis } from '../../src/queue/redis.js';
import { type RedisServer, startRedisServer } from '../e2e/support/redis-server.js';
import { waitUntil } from '../e2e/support/wait.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.close();
});

const event = (generationId: string, state: ProgressEvent['state']) =>
  ({ generationId, state, modelId: 'nano-banana', atMs: Date.now() }) as unknown as ProgressEvent;

function bus() {
  const connections = [createRedis(redis.url, 'worker')];
  for (const c of connections) c.on('error', () => {});
  const progress = createRedisProgressBus({
    publisher: connections[0]!,
    subscriberFactory: () => {
      const sub = createRedis(redis.url, 'worker');
      sub.on('error', () => {});
      connections.push(sub);
      return sub;
    },
    channel: 'test:progress',
    logger: silentLogger(),
  });
  return {
    progress,
    close: () => {
      for (const c of connections) c.disconnect();
    },
  };
}

describe('the progress bus', () => {
  it('gives every subscriber the events after it joined, in order', async () => {
    const { progress, close } = bus();
    await progress.publish(event('before', 'queued'));
    const a: string[] = [];
    const b: string[] = [];
    const stopA = await progress.subscribe((e) => a.push(`${e.generationId}:${e.state}`));
    const stopB = await progress.subscribe((e) => b.push(`${e.generationId}:${e.state}`));
    for (const state of ['queued', 'rendering', 'done'] as const) await progress.publish(event('g1', state));
    await waitUntil(() => a.length === 3 && b.length === 3, {
      timeoutMs: 5_000,
      what: 'three events for each subscriber',
    });
    expect(a).toEqual(['g1:queued', 'g1:rendering', 'g1:done']);
    expect(b).toEqual(a);
    await stopA();
    await stopB();
    close();
  });

  it('delivers an event published while Redis was restarting, once it is back', async () => {
    const { progress, close } = bus();
    const seen: string[] = [];
    const stop = await progress.subscribe((e) => seen.push(`${e.generationId}:${e.state}`));
    await progress.publish(event('g2', 'delivering'));
    await waitUntil(() => seen.length === 1, { timeoutMs: 5_000, what: 'the first event' });
    await redis.stop();
    const published = progress.publish(event('g2', 'done')); // waits for Redis, as a worker's write does
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.start();
    await published;
    await waitUntil(() => seen.length === 2, { timeoutMs: 15_000, what: 'the event published during the outage' });
    expect(seen).toEqual(['g2:delivering', 'g2:done']);
    await stop();
    close();
  }, 30_000);
});

/**
 * HISTORY_RETENTION_DAYS as a scheduled job on a real Redis (BullMQ): a run removes records past the retention
 * and their media files (a real local media store in a temp folder) and keeps recent ones; every process
 * registers the schedule at start and there is still one schedule, run once per interval.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore, type LocalMediaStore } from '../../src/media/local-media-store.js';
import {
  HISTORY_RETENTION_QUEUE,
  type HistoryRetention,
  startHistoryRetention,
} from '../../src/queue/history-retention.js';
import { createRedis } from '../../src/queue/redis.js';
import { settle, waitUntil } from '../e2e/support/wait.js';
import { conversationOf, createMemoryHistoryStore, recordFinished } from '../support/memory-history.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const DAY = 86_400_000;
const url = redisUrl();
const filePrefix = testPrefix('history-retention');
let round = 0;
let dir: string;
let media: LocalMediaStore;
const connections: Redis[] = [];
const started: HistoryRetention[] = [];

const connection = () => {
  const redis = createRedis(url, 'worker');
  redis.on('error', () => {});
  connections.push(redis);
  return redis;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-retention-job-'));
  media = createLocalMediaStore({ dir });
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.stop()));
  for (const c of connections.splice(0)) c.disconnect();
  await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await deleteKeys(url, filePrefix);
});

describe('history retention', () => {
  it('purges records past the retention and their media files on schedule, and keeps recent ones', async () => {
    const prefix = `${filePrefix}-${++round}`;
    const history = createMemoryHistoryStore();
    const now = Date.now();
    const oldKey = await recordFinished(history, media, {
      generationId: 'gen-01d00000-a',
      conversation: conversationOf('ann'),
      prompt: 'a lighthouse at dusk',
      atMs: now - 91 * DAY,
    });
    const recentKey = await recordFinished(history, media, {
      generationId: 'gen-2ece0000-b',
      conversation: conversationOf('bob'),
      prompt: 'a fox in snow',
      atMs: now - 89 * DAY,
    });

    started.push(
      await startHistoryRetention({
        connection,
        prefix,
        history,
        media,
        retentionDays: 90,
        logger: silentLogger(),
      }),
    );

    // The first run of a new schedule comes at once; the next an hour later.
    await waitUntil(async () => (await history.get('gen-01d00000-a')) === undefined, {
      timeoutMs: 10_000,
      what: 'the old generation purged',
    });
    expect(await media.exists(oldKey)).toBe(false);
    expect((await history.get('gen-2ece0000-b'))?.option.prompt).toBe('a fox in snow');
    expect(await media.exists(recentKey)).toBe(true);
    expect(history.turns.has('turn-gen-01d00000-a')).toBe(false);
    expect(history.turns.has('turn-gen-2ece0000-b')).toBe(true);
  });

  it('has one schedule however many processes register it, and runs it once per interval', async () => {
    const prefix = `${filePrefix}-${++round}`;
    const history = createMemoryHistoryStore();
    const options = { connection, prefix, history, media, retentionDays: 90, logger: silentLogger(), everyMs: 1_000 };
    const since = Date.now();
    started.push(await startHistoryRetention(options));
    started.push(await startHistoryRetention(options));
    started.push(await startHistoryRetention(options));

    const queue = new Queue(HISTORY_RETENTION_QUEUE, { connection: connection(), prefix });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ every: 1_000 });

    await settle(3_500);
    const elapsed = Date.now() - since;
    // One schedule: at most one run per second (plus the first, at once) — three would make about three times that.
    expect(history.purges).toBeGreaterThanOrEqual(2);
    expect(history.purges).toBeLessThanOrEqual(Math.floor(elapsed / 1_000) + 1);
    await queue.close();
  });
});

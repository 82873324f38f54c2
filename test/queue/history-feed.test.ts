/**
 * The history feed, against a real Redis: what the progress bus and the history log carry ends in the history
 * store, in order, each once — through a database outage, a retried step, a feed stopped before it
 * acknowledged, a feed that died with entries in hand, two feeds sharing the work, and entries nobody can
 * read. The store is the in-memory one (test/support/memory-history.ts), which fails or hangs on request.
 */
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/core/history.js';
import { ServiceUnavailableError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { HISTORY_GROUP, type HistoryFeed, startHistoryFeed } from '../../src/queue/history-feed.js';
import { createRedisHistoryLog, historyLogKey } from '../../src/queue/history-log.js';
import { createRedisProgressBus } from '../../src/queue/progress-bus.js';
import { createRedis } from '../../src/queue/redis.js';
import { startRedisServer } from '../e2e/support/redis-server.js';
import { settle, waitUntil } from '../e2e/support/wait.js';
import { conversationOf, createMemoryHistoryStore, feedEntries, optionFor } from '../support/memory-history.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const url = redisUrl();
const filePrefix = testPrefix('history-feed');
let round = 0;
const connections: Redis[] = [];
const feeds: HistoryFeed[] = [];
const releases: Array<() => void> = [];

function connect(): Redis {
  const redis = createRedis(url, 'worker');
  redis.on('error', () => {});
  connections.push(redis);
  return redis;
}

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  });
  return { logger, lines };
}

/** A deployment of its own: a prefix, a producer, the progress bus and the history log on it. */
function deployment() {
  const prefix = `${filePrefix}-${++round}`;
  const producer = connect();
  const bus = createRedisProgressBus({
    publisher: producer,
    subscriberFactory: connect,
    channel: `${prefix}:progress`,
    logger: silentLogger(),
  });
  const log = createRedisHistoryLog(producer, prefix);
  const feed = async (store: HistoryStore, extra: Partial<Parameters<typeof startHistoryFeed>[0]> = {}) => {
    const started = await startHistoryFeed({
      redis: connect(),
      prefix,
      store,
      logger: silentLogger(),
      retryMs: { first: 50, max: 400 },
      ...extra,
    });
    feeds.push(started);
    return started;
  };
  /** Entries read by the group and not acknowledged yet, on both streams. */
  const pending = async () => {
    let count = 0;
    for (const stream of [`${prefix}:progress`, historyLogKey(prefix)]) {
      const summary = (await producer.xpending(stream, HISTORY_GROUP)) as [number, ...unknown[]];
      count += Number(summary[0]);
    }
    return count;
  };
  return { prefix, producer, bus, log, feed, pending };
}

const conversation = conversationOf('ann');
const { event, request, reply } = feedEntries(conversation);

const FLOW = ['queued', 'submitted', 'rendering', 'delivering', 'done'] as const;

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  await Promise.all(feeds.splice(0).map((f) => f.stop()));
  for (const c of connections.splice(0)) c.disconnect();
});
afterAll(async () => {
  await deleteKeys(url, filePrefix);
});

describe('the history feed', () => {
  it('writes a whole flow — request, reply and every state — to the store in order, including what came before it started', async () => {
    const { bus, log, feed, pending } = deployment();
    const store = createMemoryHistoryStore();
    // Before any feed ran: the group starts at the beginning of the streams, so these are not lost.
    await log.append(request('t1', 'a lighthouse at dusk'));
    await bus.publish(event('gen-1', 'queued'));
    await feed(store);
    await waitUntil(() => store.rows.length === 2, { timeoutMs: 10_000, what: 'what came before the feed' });
    await log.append(
      reply('t2', 'Here are three ways to make it.', {
        key: 'AbCdEfGhIj',
        options: [optionFor('a lighthouse at dusk')],
      }),
    );
    for (const state of FLOW.slice(1)) {
      const assets = [
        { key: '2026/01/01/gen-1-0.png', contentType: 'image/png', sizeBytes: 5, url: 'u', providerUrl: 'p' },
      ];
      await bus.publish(event('gen-1', state, state === 'done' ? { assets } : {}));
    }

    await waitUntil(() => store.rows.length === 7, { timeoutMs: 10_000, what: 'two turns and five states' });
    expect(store.rows).toEqual(['turn:t1', 'gen-1:queued', 'turn:t2', ...FLOW.slice(1).map((s) => `gen-1:${s}`)]);
    const written = store.generation('gen-1');
    expect(written?.state).toBe('done');
    expect(written?.option.prompt).toBe('prompt of gen-1');
    expect(written?.assets.map((a) => a.key)).toEqual(['2026/01/01/gen-1-0.png']);
    expect(store.turns.get('t2')).toMatchObject({ kind: 'reply', optionSet: { key: 'AbCdEfGhIj' } });
    await waitUntil(async () => (await pending()) === 0, { timeoutMs: 5_000, what: 'every entry acknowledged' });
  });

  it('loses nothing to a database outage during a generation, and writes each entry once when it is back', async () => {
    const { bus, log, feed } = deployment();
    const store = createMemoryHistoryStore();
    const { logger, lines } = capturedLogger();
    await feed(store, { logger });
    await log.append(request('t1', 'two foxes'));
    await bus.publish(event('gen-a', 'queued'));
    await waitUntil(() => store.rows.length === 2, { timeoutMs: 10_000, what: 'the first writes' });

    store.fail(new ServiceUnavailableError('the history database is down'));
    for (const state of FLOW.slice(1)) await bus.publish(event('gen-a', state));
    await log.append(request('t2', 'and a third'));
    for (const state of FLOW) await bus.publish(event('gen-b', state));
    await waitUntil(() => store.attempts.progress >= 5, { timeoutMs: 10_000, what: 'the feed retrying' });
    expect(store.rows).toHaveLength(2);

    store.recover();
    await waitUntil(() => store.rows.length === 2 + 4 + 1 + 5, { timeoutMs: 10_000, what: 'everything that waited' });
    await settle(500);
    // In order within each stream (how turns and events interleave depends on how the reads fell).
    expect(store.rows.filter((r) => r.startsWith('turn:'))).toEqual(['turn:t1', 'turn:t2']);
    expect(store.rows.filter((r) => r.startsWith('gen-'))).toEqual([
      ...FLOW.map((s) => `gen-a:${s}`),
      ...FLOW.map((s) => `gen-b:${s}`),
    ]);
    expect(store.written).toEqual({ turns: 2, progress: 10 });
    const failing = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('the history store is failing'));
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({ level: 40, code: 'SERVICE_UNAVAILABLE', outage: true });
    const back = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('the history store answers again'));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ level: 30 });
  });

  it('writes one state row for a step that published its event twice', async () => {
    const { bus, feed } = deployment();
    const store = createMemoryHistoryStore();
    await feed(store);
    for (const state of ['queued', 'queued', 'submitted', 'submitted', 'done'] as const) {
      await bus.publish(event('gen-r', state));
    }
    await waitUntil(() => store.written.progress === 5, { timeoutMs: 10_000, what: 'five deliveries' });
    expect(store.rows).toEqual(['gen-r:queued', 'gen-r:submitted', 'gen-r:done']);
    expect(store.generation('gen-r')?.states.map((s) => s.state)).toEqual(['queued', 'submitted', 'done']);
  });

  it('writes no duplicate when a feed stopped before acknowledging and the entries are delivered again', async () => {
    const { bus, feed, pending } = deployment();
    const store = createMemoryHistoryStore();
    const release = store.hold();
    releases.push(release);
    for (const state of FLOW) await bus.publish(event('gen-s', state));
    const first = await feed(store, { claimIdleMs: 300 }); // reads all five in one batch
    await waitUntil(() => store.attempts.progress === 1, { timeoutMs: 10_000, what: 'the first write in flight' });

    await first.stop(); // the write is still waiting: nothing acknowledged
    release(); // …then it lands, after the feed's connection is gone
    await waitUntil(() => store.rows.length === 1, { timeoutMs: 5_000, what: 'the write that was in flight' });
    expect(await pending()).toBe(5);

    await feed(store, { claimIdleMs: 300 });
    await waitUntil(async () => (await pending()) === 0, { timeoutMs: 10_000, what: 'the entries taken over' });
    expect(store.rows).toEqual(FLOW.map((s) => `gen-s:${s}`));
    expect(store.written.progress).toBe(6); // the first entry twice, one row
  });

  it('shares the work between two feeds: every entry is written by one of them', async () => {
    const { bus, feed } = deployment();
    const one = createMemoryHistoryStore();
    const two = createMemoryHistoryStore();
    await feed(one);
    await feed(two);
    const ids = Array.from({ length: 40 }, (_, i) => `gen-${i}`);
    for (const id of ids) {
      await bus.publish(event(id, 'queued'));
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitUntil(() => one.written.progress + two.written.progress === ids.length, {
      timeoutMs: 10_000,
      what: 'forty writes',
    });
    await settle(500);
    expect(one.written.progress + two.written.progress).toBe(ids.length);
    expect([...one.rows, ...two.rows].sort()).toEqual(ids.map((id) => `${id}:queued`).sort());
    expect(one.rows.length).toBeGreaterThan(0);
    expect(two.rows.length).toBeGreaterThan(0);
  });

  it('takes over the entries of a feed that died holding them', async () => {
    const { bus, feed, pending, producer, prefix } = deployment();
    const hung = createMemoryHistoryStore();
    releases.push(hung.hold()); // its database never answers
    for (const state of FLOW) await bus.publish(event('gen-k', state));
    const doomed = connect();
    feeds.push(await startHistoryFeed({ redis: doomed, prefix, store: hung, logger: silentLogger() }));
    await waitUntil(async () => (await pending()) === 5, {
      timeoutMs: 10_000,
      what: 'the doomed feed holding all five',
    });
    doomed.disconnect(); // the process is gone; its consumer in the group is not

    const survivor = createMemoryHistoryStore();
    await feed(survivor, { claimIdleMs: 500 });
    await waitUntil(() => survivor.rows.length === 5, { timeoutMs: 10_000, what: 'the five entries taken over' });
    expect(survivor.rows).toEqual(FLOW.map((s) => `gen-k:${s}`));
    await waitUntil(async () => (await pending()) === 0, { timeoutMs: 5_000, what: 'all acknowledged' });
    const consumers = (await producer.xinfo('CONSUMERS', `${prefix}:progress`, HISTORY_GROUP)) as unknown[][];
    expect(consumers).toHaveLength(2); // the dead one stays listed (removed after an hour idle) with nothing pending
  });

  it('skips and logs entries nobody can read, and writes the ones after them', async () => {
    const { bus, feed, pending, producer, prefix } = deployment();
    const store = createMemoryHistoryStore();
    const { logger, lines } = capturedLogger();
    await producer.xadd(`${prefix}:progress`, '*', 'event', 'not json at all');
    await producer.xadd(`${prefix}:progress`, '*', 'event', JSON.stringify({ generationId: 5, state: 'done' }));
    await producer.xadd(historyLogKey(prefix), '*', 'turn', JSON.stringify({ kind: 'shout', turnId: 'x' }));
    await producer.xadd(historyLogKey(prefix), '*', 'something', 'else');
    await bus.publish(event('gen-ok', 'queued'));
    await feed(store, { logger });

    await waitUntil(() => store.rows.length === 1, { timeoutMs: 10_000, what: 'the readable entry' });
    expect(store.rows).toEqual(['gen-ok:queued']);
    const skipped = lines.filter((l) => l.msg === 'a malformed history entry skipped');
    expect(skipped.map((l) => l.problem)).toEqual([
      expect.stringContaining('kind'),
      'not JSON',
      expect.stringContaining('generationId'),
    ]);
    expect(lines.filter((l) => l.msg === 'a history entry was gone or empty; skipped')).toHaveLength(1);
    await waitUntil(async () => (await pending()) === 0, { timeoutMs: 5_000, what: 'the bad entries acknowledged' });
  });

  it('gives up on an entry the store refuses again and again (not an outage), logging it whole, and goes on', async () => {
    const { bus, feed, pending } = deployment();
    const store = createMemoryHistoryStore();
    const { logger, lines } = capturedLogger();
    const picky: HistoryStore = {
      ...store,
      recordTurn: (turn) => store.recordTurn(turn),
      recordProgress: async (e) => {
        if (e.generationId === 'gen-poison') throw new Error('value too long for type character varying(64)');
        await store.recordProgress(e);
      },
    };
    await feed(picky, { logger, maxAttempts: 3, retryMs: { first: 20, max: 40 } });
    await bus.publish(event('gen-poison', 'queued'));
    await bus.publish(event('gen-fine', 'queued'));

    await waitUntil(() => store.rows.length === 1, { timeoutMs: 10_000, what: 'the entry after the poisoned one' });
    expect(store.rows).toEqual(['gen-fine:queued']);
    const given = lines.filter(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('the history store refused an entry'),
    );
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({ level: 50, tries: 3 });
    expect(String(given[0]?.entry)).toContain('gen-poison');
    await waitUntil(async () => (await pending()) === 0, { timeoutMs: 5_000, what: 'both acknowledged' });
  });

  it('stops within 3 s, whether blocked reading or waiting on a hung store', async () => {
    const { bus, feed } = deployment();
    const idle = await feed(createMemoryHistoryStore());
    await settle(300); // blocked in its read
    let started = Date.now();
    await idle.stop();
    expect(Date.now() - started).toBeLessThan(3_000);

    const hung = createMemoryHistoryStore();
    releases.push(hung.hold());
    const waiting = await feed(hung);
    await bus.publish(event('gen-h', 'queued'));
    await waitUntil(() => hung.attempts.progress === 1, { timeoutMs: 10_000, what: 'a write in flight' });
    started = Date.now();
    await waiting.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('trims the turns it has written from the history log, and only those', async () => {
    const { log, feed, producer, prefix } = deployment();
    const store = createMemoryHistoryStore();
    await feed(store, { claimIdleMs: 200 });
    for (let i = 1; i <= 5; i++) await log.append(request(`t${i}`, `turn ${i}`));
    await waitUntil(() => store.rows.length === 5, { timeoutMs: 10_000, what: 'five turns written' });
    // The last one delivered stays (it marks where the group is); the rest are gone.
    await waitUntil(async () => (await producer.xlen(historyLogKey(prefix))) === 1, {
      timeoutMs: 5_000,
      what: 'the written turns trimmed',
    });

    const release = store.hold();
    releases.push(release);
    for (let i = 6; i <= 8; i++) await log.append(request(`t${i}`, `turn ${i}`));
    await waitUntil(() => store.attempts.turns === 6, { timeoutMs: 10_000, what: 'the sixth turn in flight' });
    await settle(600);
    expect(await producer.xlen(historyLogKey(prefix))).toBe(4); // nothing waiting for the store is trimmed
    release();
    await waitUntil(() => store.rows.length === 8, { timeoutMs: 10_000, what: 'all eight turns written' });
  });

  it('leaves the progress bus working for its readers beside the group', async () => {
    const { bus, feed } = deployment();
    const store = createMemoryHistoryStore();
    await feed(store);
    const heard: string[] = [];
    const unsubscribe = await bus.subscribe((e) => heard.push(`${e.generationId}:${e.state}`));
    for (const state of FLOW) await bus.publish(event('gen-b', state));
    const all = FLOW.map((s) => `gen-b:${s}`);
    await waitUntil(() => heard.length === 5 && store.rows.length === 5, {
      timeoutMs: 10_000,
      what: 'the reader and the store both having all five',
    });
    expect(heard).toEqual(all);
    expect(store.rows).toEqual(all);
    await unsubscribe();
  });
});

describe('the history feed through a Redis restart', () => {
  it('goes on reading after Redis comes back, and writes what was published meanwhile', async () => {
    const server = await startRedisServer();
    try {
      const open = () => {
        const redis = createRedis(server.url, 'worker');
        redis.on('error', () => {});
        connections.push(redis);
        return redis;
      };
      const prefix = `${filePrefix}-restart`;
      const bus = createRedisProgressBus({
        publisher: open(),
        subscriberFactory: open,
        channel: `${prefix}:progress`,
        logger: silentLogger(),
      });
      const store = createMemoryHistoryStore();
      feeds.push(await startHistoryFeed({ redis: open(), prefix, store, logger: silentLogger() }));
      await bus.publish(event('gen-x', 'queued'));
      await waitUntil(() => store.rows.length === 1, { timeoutMs: 10_000, what: 'the first event' });

      await server.stop();
      const published = (async () => {
        for (const state of FLOW.slice(1)) await bus.publish(event('gen-x', state)); // waits for Redis
      })();
      await settle(1_000);
      await server.start();
      await published;

      await waitUntil(() => store.rows.length === 5, { timeoutMs: 20_000, what: 'the events published meanwhile' });
      expect(store.rows).toEqual(FLOW.map((s) => `gen-x:${s}`));
    } finally {
      await Promise.all(feeds.splice(0).map((f) => f.stop()));
      await server.close();
    }
  }, 40_000);
});

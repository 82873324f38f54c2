/**
 * The history feed into the real history store on the real PostgreSQL (a fresh database, reached through a
 * loopback proxy that can take the server away), with a real Redis: a whole flow lands once even when a step
 * publishes twice, and a database outage in the middle of a generation loses nothing — what was published
 * while the server was away is written, once, when it is back. Rows are counted with SQL.
 */
import { tmpdir } from 'node:os';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/core/history.js';
import { openHistoryStore } from '../../src/history/open-history-store.js';
import { silentLogger } from '../../src/log.js';
import { type HistoryFeed, startHistoryFeed } from '../../src/queue/history-feed.js';
import { createRedisHistoryLog } from '../../src/queue/history-log.js';
import { createRedisProgressBus } from '../../src/queue/progress-bus.js';
import { createRedis } from '../../src/queue/redis.js';
import { waitUntil } from '../e2e/support/wait.js';
import { recordingLogger } from '../history/history-backends.js';
import { type TcpProxy, tcpProxy } from '../history/tcp-proxy.js';
import { freePort } from '../support/free-port.js';
import { conversationOf, feedEntries } from '../support/memory-history.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const url = redisUrl();
const prefix = testPrefix('history-feed-pg');
const connections: Redis[] = [];
let database: TestDatabase;
let proxy: TcpProxy;
let store: HistoryStore;
let feed: HistoryFeed;
let sql: pg.Pool;
let lines: Array<Record<string, unknown>> = [];

const connect = () => {
  const redis = createRedis(url, 'worker');
  redis.on('error', () => {});
  connections.push(redis);
  return redis;
};

beforeAll(async () => {
  database = await createTestDatabase('history_feed');
  const direct = new URL(database.url);
  proxy = tcpProxy(await freePort(), { host: direct.hostname, port: Number(direct.port || 5432) });
  await proxy.start();
  const through = new URL(database.url);
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  store = await openHistoryStore(
    { databaseUrl: through.toString(), dataDir: tmpdir(), retentionDays: 90 },
    silentLogger(),
  );
  sql = new pg.Pool({ connectionString: database.url, max: 1 });
  sql.on('error', () => undefined);
  const recording = recordingLogger();
  lines = recording.lines;
  feed = await startHistoryFeed({
    redis: connect(),
    prefix,
    store,
    logger: recording.logger,
    retryMs: { first: 50, max: 500 },
  });
});
afterAll(async () => {
  await feed?.stop();
  for (const c of connections) c.disconnect();
  await store?.close();
  await sql?.end();
  await proxy?.stop();
  await database?.drop();
  await deleteKeys(url, prefix);
});

const producer = () => connect();
const conversation = conversationOf('pg-ann');
const { event, request, reply } = feedEntries(conversation);

async function stateRows(generationId: string): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ state: string; n: string }>(
    'select state, count(*) as n from generation_states where generation_id = $1 group by state',
    [generationId],
  );
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

async function turnRows(...turnIds: string[]): Promise<number> {
  const { rows } = await sql.query<{ n: string }>('select count(*) as n from turns where turn_id = any($1)', [turnIds]);
  return Number(rows[0]?.n);
}

const ONE_EACH = { queued: 1, submitted: 1, rendering: 1, delivering: 1, done: 1 };

describe('the history feed into PostgreSQL', () => {
  it('records a whole flow once, though a retried step published its events twice', async () => {
    const redis = producer();
    const bus = createRedisProgressBus({
      publisher: redis,
      subscriberFactory: connect,
      channel: `${prefix}:progress`,
      logger: silentLogger(),
    });
    const log = createRedisHistoryLog(redis, prefix);
    const id = 'gen-0f10a000-0000-4000-8000-000000000001';
    await log.append(request('pg-t1', 'a lighthouse at dusk'));
    await log.append(request('pg-t1', 'a lighthouse at dusk')); // the same turn again
    for (const state of ['queued', 'submitted', 'submitted', 'rendering', 'delivering', 'done', 'done'] as const) {
      const assets = [
        { key: `2026/01/01/${id}-0.png`, contentType: 'image/png', sizeBytes: 5, url: 'u', providerUrl: 'p' },
      ];
      await bus.publish(event(id, state, state === 'done' ? { assets } : {}));
    }

    await waitUntil(async () => (await store.get(id))?.state === 'done', {
      timeoutMs: 15_000,
      what: 'the flow recorded',
    });
    expect(await stateRows(id)).toEqual(ONE_EACH);
    expect(await turnRows('pg-t1')).toBe(1);
    const entry = await store.get(id);
    expect(entry?.option.prompt).toBe(`prompt of ${id}`);
    expect(entry?.assets.map((a) => a.key)).toEqual([`2026/01/01/${id}-0.png`]);
  });

  it('loses nothing to a database outage in the middle of a generation', async () => {
    const redis = producer();
    const bus = createRedisProgressBus({
      publisher: redis,
      subscriberFactory: connect,
      channel: `${prefix}:progress`,
      logger: silentLogger(),
    });
    const log = createRedisHistoryLog(redis, prefix);
    const id = 'gen-0f10a000-0000-4000-8000-000000000002';
    await log.append(request('pg-t2', 'a fox in snow'));
    await bus.publish(event(id, 'queued'));
    await waitUntil(async () => (await store.get(id))?.state === 'queued', {
      timeoutMs: 15_000,
      what: 'queued recorded',
    });

    await proxy.stop(); // the database is gone; the generation goes on
    for (const state of ['submitted', 'rendering', 'delivering', 'done'] as const) await bus.publish(event(id, state));
    await log.append(reply('pg-t3', 'Here it is.'));
    await waitUntil(() => lines.some((l) => String(l.msg).startsWith('the history store is failing')), {
      timeoutMs: 15_000,
      what: 'the feed noticing the outage',
    });
    expect(lines.find((l) => String(l.msg).startsWith('the history store is failing'))).toMatchObject({
      level: 40,
      code: 'SERVICE_UNAVAILABLE',
      outage: true,
    });

    await proxy.start();
    await waitUntil(async () => (await store.get(id).catch(() => undefined))?.state === 'done', {
      timeoutMs: 20_000,
      what: 'everything published during the outage recorded',
    });
    await waitUntil(async () => (await turnRows('pg-t2', 'pg-t3')) === 2, { timeoutMs: 10_000, what: 'both turns' });
    expect(await stateRows(id)).toEqual(ONE_EACH);
    expect(lines.filter((l) => String(l.msg).startsWith('the history store answers again'))).toHaveLength(1);
  });
});

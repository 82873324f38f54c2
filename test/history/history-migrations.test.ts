/**
 * The history schema's migrations, on PostgreSQL and on PGlite, each from an empty database: they bring it
 * up to the whole schema; a second run applies nothing and keeps the data; two migrators at once (two
 * processes starting together: two pools on PostgreSQL, two callers of one PGlite) apply each migration
 * exactly once, without an error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateHistory } from '../../src/history/migrations/index.js';
import { openHistoryStore } from '../../src/history/open-history-store.js';
import { createDatabase, recordingLogger } from './history-backends.js';
import { conversationOf, generationId, lifeOf, optionFor, person } from './history-fixtures.js';

const TABLES = ['api_keys', 'assets', 'conversations', 'generation_states', 'generations', 'turns'];

interface Fresh {
  /** A new Kysely on the same fresh database (a second "process" on PostgreSQL, the same handle on PGlite). */
  connect(): Kysely<unknown>;
  drop(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const fresh: Record<'PostgreSQL' | 'PGlite', () => Promise<Fresh>> = {
  async PostgreSQL() {
    const database = await createDatabase('history_migrations');
    const handles: Kysely<unknown>[] = [];
    let dropped: Promise<void> | undefined;
    const done = () => {
      dropped ??= (async () => {
        for (const handle of handles) await handle.destroy();
        await database.drop();
      })();
      return dropped;
    };
    cleanups.push(done);
    return {
      connect() {
        const pool = new pg.Pool({ connectionString: database.url, max: 2 });
        // A connection still closing when the database is dropped (WITH FORCE) hears "terminating connection":
        // expected here, and never an uncaught error.
        pool.on('connect', (client) => client.on('error', () => undefined));
        pool.on('error', () => undefined);
        const handle = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
        handles.push(handle);
        return handle;
      },
      drop: done,
    };
  },
  async PGlite() {
    const dir = await mkdtemp(join(tmpdir(), 'history-migrations-'));
    const handle = new Kysely<unknown>({ dialect: new PGliteDialect(await PGlite.create(dir)) });
    const done = async () => {
      await handle.destroy();
      await rm(dir, { recursive: true, force: true });
    };
    cleanups.push(done);
    return { connect: () => handle, drop: done };
  },
};

async function tablesOf(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_name not like 'history_migrations%' order by table_name`.execute(db);
  return rows.map((r) => r.table_name);
}

describe.each(['PostgreSQL', 'PGlite'] as const)('history migrations on %s', (name) => {
  it('bring an empty database up to the whole schema, with the search and paging indexes', async () => {
    const database = await fresh[name]();
    const db = database.connect();
    expect(await tablesOf(db)).toEqual([]);
    expect(await migrateHistory(db)).toEqual(['001_history', '002_web']);
    expect(await tablesOf(db)).toEqual(TABLES);
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where tablename = 'generations' order by indexname`.execute(db);
    expect(rows.find((r) => r.indexname === 'generations_search')?.indexdef).toMatch(/USING gin \(search\)/);
    expect(rows.find((r) => r.indexname === 'generations_history')?.indexdef).toMatch(
      /\(platform, user_id, created_at DESC, generation_id DESC\)/,
    );
    await database.drop();
  });

  it('apply nothing the second time, and keep what was recorded', async () => {
    const database = await fresh[name]();
    const db = database.connect();
    await migrateHistory(db);
    await sql`insert into conversations (platform, workspace_id, channel_id, thread_id, user_id, created_at, last_activity_at)
      values ('discord', 'w', 'c', 't', 'u', now(), now())`.execute(db);
    expect(await migrateHistory(db)).toEqual([]);
    expect(await migrateHistory(db)).toEqual([]);
    const { rows } = await sql<{ n: number }>`select cast(count(*) as integer) as n from conversations`.execute(db);
    expect(rows[0]?.n).toBe(1);
    await database.drop();
  });

  it('apply each migration once when two migrators start at once', async () => {
    const database = await fresh[name]();
    const runs = await Promise.all([
      migrateHistory(database.connect()),
      migrateHistory(database.connect()),
      migrateHistory(database.connect()),
    ]);
    expect(runs.flat()).toEqual(['001_history', '002_web']);
    expect(await tablesOf(database.connect())).toEqual(TABLES);
    await database.drop();
  });
});

describe('history stores opening together on PostgreSQL', () => {
  it('migrate once and all work: four processes starting on one empty database', async () => {
    const database = await createDatabase('history_open_together');
    cleanups.push(() => database.drop());
    const config = { databaseUrl: database.url, dataDir: tmpdir(), retentionDays: 90 };
    const logs = [recordingLogger(), recordingLogger(), recordingLogger(), recordingLogger()];
    const stores = await Promise.all(logs.map(({ logger }) => openHistoryStore(config, logger)));
    try {
      const migratedLines = logs.flatMap(({ lines }) => lines.filter((l) => l.msg === 'history database migrated'));
      expect(migratedLines.map((l) => l.applied)).toEqual([['001_history', '002_web']]);
      const user = person();
      const id = generationId();
      const events = lifeOf(id, conversationOf(user), optionFor('four at once'), 1_000);
      // Every process records the same events (a redelivered stream): one generation, five states.
      await Promise.all(stores.map(async (store) => Promise.all(events.map((e) => store.recordProgress(e)))));
      const entry = await stores[3]!.get(id);
      expect(entry?.state).toBe('done');
      expect(entry?.states).toHaveLength(5);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});

/**
 * The two databases every history spec runs against, each fresh: a new database on the real PostgreSQL at
 * 127.0.0.1:5432 (HISTORY_TEST_POSTGRES_URL names another server's admin database), created per spec file
 * and dropped at the end, and a new PGlite in a temp folder, removed at the end. `open()` returns a store
 * and a way to look at its tables with SQL, for what the HistoryStore contract does not read back
 * (conversation titles, turns). PostgreSQL goes through `openHistoryStore`; PGlite is opened directly over
 * the same folder (PGlite is one process and one handle), and its own open is specified in
 * history-outage.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Config } from '../../src/config.js';
import type { HistoryStore } from '../../src/core/history.js';
import type { PlatformLogger } from '../../src/core/platform.js';
import type { HistoryDatabase } from '../../src/history/history-database.js';
import { openHistoryStore } from '../../src/history/open-history-store.js';
import { PgHistoryStore } from '../../src/history/pg-history-store.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

export { ADMIN_URL, adminQuery } from '../support/postgres.js';

/** A logger keeping what it was told, for specs that check what an operator would read. */
export function recordingLogger(): { logger: PlatformLogger; lines: Array<Record<string, unknown>> } {
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

/** A fresh PostgreSQL database; returns its URL and how to drop it. */
export function createDatabase(label: string): Promise<TestDatabase> {
  return createTestDatabase(label);
}

export interface OpenedStore {
  store: HistoryStore;
  /** Rows of a query on the store's own database. */
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface Backend {
  name: 'PostgreSQL' | 'PGlite';
  /** A fresh, empty database for this spec file (cleaned by `cleanup`). */
  prepare(): Promise<void>;
  /** The history configuration naming it. */
  config(): Config['history'];
  open(logger?: PlatformLogger): Promise<OpenedStore>;
  cleanup(): Promise<void>;
}

function postgres(label: string): Backend {
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  const opened: OpenedStore[] = [];
  return {
    name: 'PostgreSQL',
    async prepare() {
      database = await createDatabase(label);
    },
    config: () => ({ databaseUrl: database!.url, dataDir: join(tmpdir(), 'unused-history'), retentionDays: 90 }),
    async open(logger = recordingLogger().logger) {
      const store = await openHistoryStore(this.config(), logger);
      const client = new pg.Client({ connectionString: database!.url });
      // Dropped WITH (FORCE) at the end: a "terminating connection" then is expected, never uncaught.
      client.on('error', () => undefined);
      await client.connect();
      const handle: OpenedStore = {
        store,
        query: async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows as T[],
        close: async () => {
          await store.close();
          await client.end();
        },
      };
      opened.push(handle);
      return handle;
    },
    async cleanup() {
      for (const handle of opened.splice(0)) await handle.close().catch(() => undefined);
      await database?.drop();
    },
  };
}

function pglite(): Backend {
  let dir: string | undefined;
  const opened: OpenedStore[] = [];
  return {
    name: 'PGlite',
    async prepare() {
      dir = await mkdtemp(join(tmpdir(), 'history-pglite-'));
    },
    config: () => ({ dataDir: dir!, retentionDays: 90 }),
    async open(logger = recordingLogger().logger) {
      const database = await PGlite.create(join(dir!, 'history'));
      const store = new PgHistoryStore({
        db: new Kysely<HistoryDatabase>({ dialect: new PGliteDialect(database) }),
        logger,
      });
      await store.migrate();
      const handle: OpenedStore = {
        store,
        query: async <T>(text: string, values: unknown[] = []) => (await database.query<T>(text, values)).rows,
        close: () => store.close(),
      };
      opened.push(handle);
      return handle;
    },
    async cleanup() {
      for (const handle of opened.splice(0)) await handle.close().catch(() => undefined);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Both backends, fresh for the spec file `label`: use with `describe.each(backends('…'))('on $name', …)`. */
export function backends(label: string): Backend[] {
  return [postgres(label), pglite()];
}

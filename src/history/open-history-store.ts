/**
 * Opens the history store the configuration names: PostgreSQL at `databaseUrl` (a small pg pool), else PGlite
 * embedded in `<dataDir>/history`, locked to this process (PGlite is one process only; a second process fails
 * at once saying to set DATABASE_URL). The schema is migrated on open.
 * Non-obvious decisions:
 * - a PostgreSQL server that is down when we open is not fatal: the open logs it and returns the store, whose
 *   operations answer ServiceUnavailableError and migrate as soon as the server answers — history is a
 *   record, and generations go on without it;
 * - each pooled connection has a statement timeout (server side) and a query timeout (client side, for a
 *   server that stopped answering), and an error listener, so a connection dropped by the server is
 *   discarded and replaced instead of crashing the process; deletes (`forget`, `purge`) use a second
 *   one-connection pool without the client-side timeout, as purging a backlog may take minutes;
 * - `role: 'shared'` (a process among several, e.g. `start --role bot`) refuses the embedded database.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Config } from '../config.js';
import type { HistoryStore } from '../core/history.js';
import type { PlatformLogger } from '../core/platform.js';
import { ConfigError, ServiceUnavailableError } from '../errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { toHistoryError } from './database-errors.js';
import type { HistoryDatabase } from './history-database.js';
import { PgHistoryStore } from './pg-history-store.js';

const POOL_SIZE = 4;
const CONNECT_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 10_000;
const QUERY_TIMEOUT_MS = 15_000;

export interface OpenHistoryOptions {
  /** 'shared': this process is one of several sharing the history, so it needs a server. Default 'single'. */
  role?: 'single' | 'shared';
}

export async function openHistoryStore(
  history: Config['history'],
  logger: PlatformLogger,
  options: OpenHistoryOptions = {},
): Promise<HistoryStore> {
  const log = logger.child({ component: 'history' });
  if (history.databaseUrl === undefined && options.role === 'shared') {
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        problem: 'is not set, and this process shares history with others (the embedded database serves one process)',
        expected: 'a postgres:// URL of a PostgreSQL server every Higgsbot process shares',
      },
    ]);
  }
  const store = history.databaseUrl
    ? serverStore(history.databaseUrl, log)
    : await embeddedStore(resolve(history.dataDir), log);
  try {
    await store.migrate();
  } catch (raw) {
    const error = toHistoryError(raw);
    if (error instanceof ServiceUnavailableError && history.databaseUrl) {
      log.warn({ err: error }, 'history database unreachable at start; history is unavailable until it answers');
      return store;
    }
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

function pool(url: string, logger: PlatformLogger, extra: pg.PoolConfig): pg.Pool {
  const created = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'higgsbot-history',
    ...extra,
  });
  // An idle connection the server dropped (restart, pg_terminate_backend): the pool discards it.
  created.on('error', (err) => logger.warn({ err }, 'history database connection lost; it will be replaced'));
  // A connection dropped while in use fails its query; this keeps the 'error' event from being unhandled.
  created.on('connect', (client) => client.on('error', () => undefined));
  return created;
}

function serverStore(url: string, logger: PlatformLogger): PgHistoryStore {
  const main = pool(url, logger, {
    max: POOL_SIZE,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  return new PgHistoryStore({
    db: new Kysely<HistoryDatabase>({ dialect: new PostgresDialect({ pool: main }) }),
    maintenance: () =>
      new Kysely<HistoryDatabase>({
        dialect: new PostgresDialect({ pool: pool(url, logger, { max: 1, statement_timeout: STATEMENT_TIMEOUT_MS }) }),
      }),
    logger,
  });
}

async function embeddedStore(dataDir: string, logger: PlatformLogger): Promise<PgHistoryStore> {
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(join(dataDir, 'history'));
    logger.info({ dir: join(dataDir, 'history') }, 'history kept in the embedded database (one process only)');
    return new PgHistoryStore({
      db: new Kysely<HistoryDatabase>({ dialect: new PGliteDialect(pglite) }),
      logger,
      onClose: () => lock.release(),
    });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

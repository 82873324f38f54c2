/**
 * A fresh PostgreSQL database per test file (or per end-to-end world) on the machine's server at
 * 127.0.0.1:5432 (`PG_TEST_URL` overrides the admin connection), dropped afterwards. Fails, never skips,
 * with what to do when no server answers.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL =
  process.env.PG_TEST_URL ?? process.env.HISTORY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** A postgres:// URL of the new, empty database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** One statement on the server's `postgres` database (create, drop, terminate backends). */
export function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return admin((client) => client.query(text, values));
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `These tests need PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) or PG_TEST_URL: ${String(error)}. ` +
        'CI starts one (.ci/run); Debian: apt-get install postgresql.',
    );
  }
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `label` becomes part of the name (letters, digits and _ only). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomUUID().slice(0, 8)}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

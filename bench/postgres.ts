/**
 * The benchmarks' PostgreSQL: the server on 127.0.0.1 (BENCH_POSTGRES_URL names its admin database, default
 * postgres://postgres@127.0.0.1:5432/postgres, as for bench/history.bench.ts), a fresh database per run
 * (`bench_<label>_<hex>`) and its removal. Loopback only: `assertLoopbackPostgres` says so before anything starts.
 * Non-obvious: benchmarks import nothing under test/ but the kit (test/doubles/index.ts), and the specs' database
 * helper (test/support/postgres.ts) is not in it, so this is the benchmarks' own.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function assertLoopbackPostgres(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost'].includes(host)) {
    throw new Error(`BENCH_POSTGRES_URL must point at 127.0.0.1 (got ${host}); the benchmarks talk to loopback only.`);
  }
}

/** A connected client of the admin database; the caller ends it. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `this benchmark needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) or BENCH_POSTGRES_URL: ${String(error)}`,
    );
  }
  return client;
}

async function admin(text: string): Promise<void> {
  const client = await adminClient();
  try {
    await client.query(text);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface BenchDatabase {
  name: string;
  /** A postgres:// URL of the new, empty database. */
  url: string;
  /** Drops it (forcing its connections closed). */
  drop(): Promise<void>;
}

/** `label`: letters, digits and _ (anything else becomes _). */
export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  assertLoopbackPostgres(POSTGRES_ADMIN_URL);
  const name = `bench_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

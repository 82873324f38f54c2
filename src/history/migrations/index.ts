/**
 * The history schema's migrations, in code (no folder to find at run time, so the built package and the
 * sources behave the same), applied by Kysely's Migrator in name order. Kysely holds a PostgreSQL advisory
 * lock while it migrates and re-checks its bookkeeping tables after a failed `create … if not exists`, so two
 * processes starting at once, or a second run, apply each migration exactly once.
 * A new migration is a new entry with a name sorting after the last one; an applied one is never edited.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';
import { history001 } from './001-history.js';
import { history002 } from './002-web.js';

const MIGRATIONS: Record<string, Migration> = {
  '001_history': history001,
  '002_web': history002,
};

/** Brings the schema up to date; resolves with the names applied by this call (none when it already was). */
export async function migrateHistory(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'history_migrations',
    migrationLockTableName: 'history_migrations_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

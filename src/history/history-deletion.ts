/**
 * Deleting history in one transaction (`/forget` and retention): the matched generations with their assets
 * and states, and the matched conversations with their turns, returning the media keys the caller removes
 * from the store. It runs with a long statement timeout of its own (a purge can cover many rows).
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql, type Transaction } from 'kysely';
import type { HistoryDeletion } from '../core/history.js';
import type { HistoryDatabase } from './history-database.js';

type Trx = Transaction<HistoryDatabase>;
export type Filter<T extends keyof HistoryDatabase> = (
  eb: ExpressionBuilder<HistoryDatabase, T>,
) => Expression<SqlBool>;

/** Deletes the generations (with their assets and states) and conversations (with their turns) matched. */
export async function deleteAll(
  trx: Trx,
  generations: Filter<'generations'>,
  conversations: Filter<'conversations'>,
): Promise<HistoryDeletion> {
  await sql`set local statement_timeout = '10min'`.execute(trx);
  const generationIds = trx.selectFrom('generations').select('generation_id').where(generations);
  const conversationIds = trx.selectFrom('conversations').select('conversation_id').where(conversations);
  const media = await trx
    .deleteFrom('assets')
    .where('generation_id', 'in', generationIds)
    .returning('storage_key')
    .execute();
  const gone = await trx
    .with('g', (db) => db.deleteFrom('generations').where(generations).returning('generation_id'))
    .with('t', (db) => db.deleteFrom('turns').where('conversation_id', 'in', conversationIds).returning('turn_id'))
    .selectNoFrom([
      sql<number>`(select cast(count(*) as integer) from g)`.as('generations'),
      sql<number>`(select cast(count(*) as integer) from t)`.as('turns'),
    ])
    .executeTakeFirstOrThrow();
  await trx.deleteFrom('conversations').where(conversations).execute();
  return { generations: gone.generations, turns: gone.turns, mediaKeys: media.map((m) => m.storage_key) };
}

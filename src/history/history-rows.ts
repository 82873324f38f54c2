/**
 * The read side of history: the one query shape every read uses (a generation with its conversation, its
 * states oldest first and its assets, gathered in the same round trip), and the row → HistoryEntry mapping.
 * Rows without a recipe yet (`kind` null, see history-database.ts) are never read.
 */
import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { HistoryAsset, HistoryEntry } from '../core/history.js';
import type { FailureReason, GenerationKind, GenerationOption, GenerationState } from '../core/types.js';
import type { HistoryDatabase } from './history-database.js';

/** The order of a generation's life; the three end states share the last place (none follows another). */
export const STATE_RANK: Record<GenerationState, number> = {
  queued: 0,
  submitted: 1,
  rendering: 2,
  delivering: 3,
  done: 4,
  failed: 4,
  canceled: 4,
};

/** STATE_RANK of a state column, in SQL. */
export function stateRank(column: string) {
  const ref = sql.ref(column);
  return sql<number>`case ${ref} when 'queued' then 0 when 'submitted' then 1 when 'rendering' then 2 when 'delivering' then 3 else 4 end`;
}

export function selectEntries(db: Kysely<HistoryDatabase>) {
  return db
    .selectFrom('generations as g')
    .innerJoin('conversations as c', 'c.conversation_id', 'g.conversation_id')
    .select((eb) => [
      'g.generation_id',
      'g.platform',
      'g.user_id',
      'c.workspace_id',
      'c.channel_id',
      'c.thread_id',
      'g.kind',
      'g.model_id',
      'g.prompt',
      'g.params',
      'g.style',
      'g.motions',
      'g.label',
      'g.reason',
      'g.estimate',
      'g.choice_key',
      'g.state',
      'g.failure_reason',
      'g.failure_message',
      'g.created_at',
      'g.updated_at',
      jsonArrayFrom(
        eb
          .selectFrom('generation_states as s')
          .select(['s.state', 's.at'])
          .whereRef('s.generation_id', '=', 'g.generation_id')
          .orderBy('s.at')
          .orderBy(stateRank('s.state')),
      ).as('states'),
      jsonArrayFrom(
        eb
          .selectFrom('assets as a')
          .select([
            'a.index',
            'a.storage_key',
            'a.content_type',
            'a.size_bytes',
            'a.provider_url',
            'a.width',
            'a.height',
            'a.duration_s',
          ])
          .whereRef('a.generation_id', '=', 'g.generation_id')
          .orderBy('a.index'),
      ).as('assets'),
    ])
    .where('g.kind', 'is not', null);
}

type EntryRow = Awaited<ReturnType<ReturnType<typeof selectEntries>['executeTakeFirstOrThrow']>>;

const ms = (value: Date | string): number => new Date(value).getTime();

function toAsset(row: EntryRow['assets'][number]): HistoryAsset {
  const asset: HistoryAsset = {
    index: row.index,
    key: row.storage_key,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    providerUrl: row.provider_url,
  };
  if (row.width !== null) asset.width = row.width;
  if (row.height !== null) asset.height = row.height;
  if (row.duration_s !== null) asset.durationS = row.duration_s;
  return asset;
}

export function toEntry(row: EntryRow): HistoryEntry {
  const option: GenerationOption = {
    kind: row.kind as GenerationKind,
    modelId: row.model_id,
    prompt: row.prompt,
    params: row.params,
    label: row.label,
    reason: row.reason,
  };
  if (row.style !== null) option.style = row.style;
  if (row.motions !== null) option.motions = row.motions;
  if (row.estimate !== null) option.estimate = row.estimate;
  const entry: HistoryEntry = {
    generationId: row.generation_id,
    conversation: {
      platform: row.platform,
      workspaceId: row.workspace_id,
      channelId: row.channel_id,
      threadId: row.thread_id,
      userId: row.user_id,
    },
    option,
    state: row.state as GenerationState,
    states: row.states.map((s) => ({ state: s.state as GenerationState, atMs: ms(s.at) })),
    createdAtMs: ms(row.created_at),
    updatedAtMs: ms(row.updated_at),
    assets: row.assets.map(toAsset),
  };
  if (row.choice_key !== null) entry.choiceKey = row.choice_key;
  if (row.failure_reason !== null) {
    entry.failure = { reason: row.failure_reason as FailureReason, message: row.failure_message ?? '' };
  }
  return entry;
}

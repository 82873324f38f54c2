/**
 * The HistoryStore on PostgreSQL (a server, or PGlite embedded: the same SQL runs on both). Every write is
 * idempotent, keyed by ids the events already carry, so a retried or redelivered step changes nothing:
 * - a generation's row is created by the first event that arrives (`insert … on conflict do nothing`): the
 *   'queued' event brings the whole recipe; any other event arriving first creates a minimal row (no
 *   recipe, hidden from reads) that the queued event fills in — so no state or asset waits on ordering;
 * - its `state` only moves forward (queued → submitted → rendering → delivering → an end state, and an end
 *   state is final), `updated_at` only later; each state change is one `(generation_id, state)` row;
 * - assets are keyed (generation_id, index), turns by turn_id, conversations by their five ids.
 * Every error meaning "the database is not there" becomes a ServiceUnavailableError (database-errors.ts).
 * The schema is brought up to date before the first operation that reaches the database (see `migrate`).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { ApiKeyStore } from '../core/api-keys.js';
import type { ChatStore } from '../core/chats.js';
import type {
  HistoryDeletion,
  HistoryEntry,
  HistoryPage,
  HistoryQuery,
  HistoryStore,
  HistoryTurn,
} from '../core/history.js';
import { shortId } from '../core/history.js';
import type { PlatformLogger } from '../core/platform.js';
import type { ConversationRef, ProgressEvent } from '../core/types.js';
import { BadInputError } from '../errors.js';
import { toHistoryError } from './database-errors.js';
import { dbText, jsonb, timestamp } from './database-text.js';
import { decodeCursor, encodeCursor } from './history-cursor.js';
import type { HistoryDatabase } from './history-database.js';
import { deleteAll } from './history-deletion.js';
import { parseHistoryId } from './history-ids.js';
import { STATE_RANK, selectEntries, stateRank, toEntry } from './history-rows.js';
import { conversationTitle } from './history-title.js';
import { migrateHistory } from './migrations/index.js';
import { PgApiKeyStore } from './pg-api-key-store.js';
import { PgChatStore } from './pg-chat-store.js';

/** Longest search text used (the rest is dropped): a search is a few words, not a document. */
const MAX_SEARCH_CHARS = 500;

const querySchema = z.object({
  platform: z.string().min(1),
  userId: z.string().min(1),
  search: z.string().optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100),
});

export interface PgHistoryStoreOptions {
  db: Kysely<HistoryDatabase>;
  /** Where long deletes run (no client-side query timeout); default `db`. Destroyed by `close`. */
  maintenance?: () => Kysely<HistoryDatabase>;
  logger: PlatformLogger;
  /** Runs after the database is closed (releasing the embedded database's folder lock). */
  onClose?: () => Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class PgHistoryStore implements HistoryStore {
  /** The web's chats and keys: on the same database, migrated and error-mapped as every operation here. */
  readonly chats: ChatStore;
  readonly apiKeys: ApiKeyStore;
  private readonly db: Kysely<HistoryDatabase>;
  private maintenanceDb: Kysely<HistoryDatabase> | undefined;
  private migrated = false;
  private migrating: Promise<void> | undefined;

  constructor(private readonly options: PgHistoryStoreOptions) {
    this.db = options.db;
    const run = <T>(work: () => Promise<T>) => this.run(work);
    this.chats = new PgChatStore(this.db, run);
    this.apiKeys = new PgApiKeyStore(this.db, run);
  }

  /**
   * Applies pending migrations (once per store; concurrent callers share the run). A run that failed is
   * tried again by the next operation, so a store opened while the server was down heals when it is back.
   */
  async migrate(): Promise<void> {
    if (this.migrated) return;
    this.migrating ??= migrateHistory(this.db as unknown as Kysely<unknown>)
      .then((applied) => {
        this.migrated = true;
        if (applied.length > 0) this.options.logger.info({ applied }, 'history database migrated');
      })
      .finally(() => {
        this.migrating = undefined;
      });
    await this.migrating;
  }

  async recordProgress(event: ProgressEvent): Promise<void> {
    if (!Object.hasOwn(STATE_RANK, event.state)) throw new BadInputError(`Unknown generation state "${event.state}"`);
    await this.run(() =>
      this.db.transaction().execute(async (trx) => {
        const conversationId = await touchConversation(trx, event.conversation, event.atMs, undefined);
        await insertGeneration(trx, event, conversationId);
        if (event.option) await fillRecipe(trx, event);
        await advanceState(trx, event);
        await trx
          .insertInto('generation_states')
          .values({ generation_id: event.generationId, state: event.state, at: iso(event.atMs) })
          .onConflict((oc) => oc.columns(['generation_id', 'state']).doNothing())
          .execute();
        if (event.state === 'done' && event.assets && event.assets.length > 0) {
          await trx
            .insertInto('assets')
            .values(
              event.assets.map((asset, index) => ({
                generation_id: event.generationId,
                index,
                storage_key: dbText(asset.key),
                content_type: dbText(asset.contentType),
                size_bytes: asset.sizeBytes,
                provider_url: dbText(asset.providerUrl),
                width: asset.width ?? null,
                height: asset.height ?? null,
                duration_s: asset.durationS ?? null,
              })),
            )
            .onConflict((oc) => oc.columns(['generation_id', 'index']).doNothing())
            .execute();
        }
      }),
    );
  }

  async recordTurn(turn: HistoryTurn): Promise<void> {
    await this.run(() =>
      this.db.transaction().execute(async (trx) => {
        const title = turn.kind === 'request' ? conversationTitle(turn.text) : '';
        const conversationId = await touchConversation(trx, turn.conversation, turn.atMs, title || undefined);
        const optionSet = turn.kind === 'reply' && turn.optionSet ? jsonb(turn.optionSet) : null;
        const attachments = turn.kind === 'request' && turn.attachments?.length ? jsonb(turn.attachments) : null;
        await trx
          .insertInto('turns')
          .values({
            turn_id: dbText(turn.turnId),
            conversation_id: conversationId,
            role: turn.kind,
            text: dbText(turn.text),
            option_set: optionSet,
            attachments,
            at: iso(turn.atMs),
          })
          .onConflict((oc) => oc.column('turn_id').doNothing())
          .execute();
      }),
    );
  }

  async list(query: HistoryQuery): Promise<HistoryPage> {
    const parsed = querySchema.safeParse(query);
    if (!parsed.success) throw new BadInputError('That history request could not be read. Please try again.');
    const { platform, userId, limit } = parsed.data;
    const after = parsed.data.cursor === undefined ? undefined : decodeCursor(parsed.data.cursor);
    const search = dbText(parsed.data.search ?? '')
      .slice(0, MAX_SEARCH_CHARS)
      .trim();
    const rows = await this.run(() => {
      let select = selectEntries(this.db).where('g.platform', '=', platform).where('g.user_id', '=', userId);
      if (search !== '') select = select.where(sql<boolean>`g.search @@ websearch_to_tsquery('simple', ${search})`);
      if (after) {
        select = select.where(
          sql<boolean>`(g.created_at, g.generation_id) < (${timestamp(after.createdAtMs)}, ${after.generationId})`,
        );
      }
      return select
        .orderBy('g.created_at', 'desc')
        .orderBy('g.generation_id', 'desc')
        .limit(limit + 1)
        .execute();
    });
    const items = rows.slice(0, limit).map(toEntry);
    const last = items.at(-1);
    const page: HistoryPage = { items };
    if (rows.length > limit && last) {
      page.nextCursor = encodeCursor({ createdAtMs: last.createdAtMs, generationId: last.generationId });
    }
    return page;
  }

  async get(id: string, prefer?: { platform: string; userId: string }): Promise<HistoryEntry | undefined> {
    const parsed = typeof id === 'string' ? parseHistoryId(id) : undefined;
    if (parsed === undefined) return undefined;
    const row = await this.run(() => {
      const select = selectEntries(this.db);
      return parsed.kind === 'full'
        ? select.where('g.generation_id', '=', parsed.id).executeTakeFirst()
        : // Short ids can collide (32 bits): the person's own first, then the newest, as the one most likely meant.
          (prefer
            ? select
                .where('g.short_id', '=', parsed.id)
                .orderBy(
                  (eb) => eb.and([eb('g.platform', '=', prefer.platform), eb('g.user_id', '=', prefer.userId)]),
                  'desc',
                )
            : select.where('g.short_id', '=', parsed.id)
          )
            .orderBy('g.created_at', 'desc')
            .limit(1)
            .executeTakeFirst();
    });
    return row === undefined ? undefined : toEntry(row);
  }

  async forget(platform: string, userId: string): Promise<HistoryDeletion> {
    return this.run(() =>
      this.maintenance()
        .transaction()
        .execute(async (trx) => {
          // Conversations first, as every write takes them first: a concurrent write waits, never deadlocks.
          await trx
            .selectFrom('conversations')
            .select('conversation_id')
            .where('platform', '=', platform)
            .where('user_id', '=', userId)
            .forUpdate()
            .execute();
          return deleteAll(
            trx,
            (eb) => eb.and([eb('platform', '=', platform), eb('user_id', '=', userId)]),
            (eb) => eb.and([eb('platform', '=', platform), eb('user_id', '=', userId)]),
          );
        }),
    );
  }

  async purge(beforeMs: number): Promise<HistoryDeletion> {
    return this.run(() =>
      this.maintenance()
        .transaction()
        .execute(async (trx) => {
          return deleteAll(
            trx,
            (eb) => eb('updated_at', '<', timestamp(beforeMs)),
            (eb) => eb('last_activity_at', '<', timestamp(beforeMs)),
          );
        }),
    );
  }

  async close(): Promise<void> {
    try {
      await this.maintenanceDb?.destroy();
      await this.db.destroy();
    } finally {
      await this.options.onClose?.();
    }
  }

  private maintenance(): Kysely<HistoryDatabase> {
    this.maintenanceDb ??= this.options.maintenance?.();
    return this.maintenanceDb ?? this.db;
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      await this.migrate();
      return await work();
    } catch (error) {
      throw toHistoryError(error);
    }
  }
}

type Trx = Transaction<HistoryDatabase>;

/** Creates or touches a person's conversation (its last activity only moves later); returns its key. */
async function touchConversation(
  trx: Trx,
  conversation: ConversationRef,
  atMs: number,
  title: string | undefined,
): Promise<string | number> {
  const row = await trx
    .insertInto('conversations')
    .values({
      platform: dbText(conversation.platform),
      workspace_id: dbText(conversation.workspaceId),
      channel_id: dbText(conversation.channelId),
      thread_id: dbText(conversation.threadId),
      user_id: dbText(conversation.userId),
      title: title ?? null,
      created_at: iso(atMs),
      last_activity_at: iso(atMs),
    })
    .onConflict((oc) =>
      oc.columns(['platform', 'workspace_id', 'channel_id', 'thread_id', 'user_id']).doUpdateSet({
        title: sql<string | null>`coalesce(conversations.title, excluded.title)`,
        created_at: sql<string>`least(conversations.created_at, excluded.created_at)`,
        last_activity_at: sql<string>`greatest(conversations.last_activity_at, excluded.last_activity_at)`,
      }),
    )
    .returning('conversation_id')
    .executeTakeFirstOrThrow();
  return row.conversation_id;
}

function recipe(event: ProgressEvent) {
  const option = event.option;
  if (option === undefined) return undefined;
  return {
    kind: option.kind,
    model_id: dbText(option.modelId),
    prompt: dbText(option.prompt),
    params: jsonb(option.params),
    style: option.style ? jsonb(option.style) : null,
    motions: option.motions ? jsonb(option.motions) : null,
    label: dbText(option.label),
    reason: dbText(option.reason),
    estimate: option.estimate ? jsonb(option.estimate) : null,
    choice_key: event.choiceKey ?? null,
  };
}

/** The generation's row as this event knows it: the whole recipe from 'queued', else a minimal row. */
async function insertGeneration(trx: Trx, event: ProgressEvent, conversationId: string | number): Promise<void> {
  await trx
    .insertInto('generations')
    .values({
      generation_id: event.generationId,
      short_id: shortId(event.generationId),
      platform: dbText(event.conversation.platform),
      user_id: dbText(event.conversation.userId),
      conversation_id: conversationId,
      kind: null,
      model_id: dbText(event.modelId),
      label: dbText(event.label ?? ''),
      ...recipe(event),
      state: event.state,
      created_at: iso(event.atMs),
      updated_at: iso(event.atMs),
    })
    .onConflict((oc) => oc.column('generation_id').doNothing())
    .execute();
}

/** The queued event arriving after a later one: the minimal row gets its recipe and its true creation time. */
async function fillRecipe(trx: Trx, event: ProgressEvent): Promise<void> {
  const values = recipe(event);
  if (values === undefined) return;
  await trx
    .updateTable('generations')
    .set({ ...values, created_at: sql<string>`least(created_at, ${timestamp(event.atMs)})` })
    .where('generation_id', '=', event.generationId)
    .where('kind', 'is', null)
    .execute();
}

/** Moves the state forward only (an end state is final) and the update time later only. */
async function advanceState(trx: Trx, event: ProgressEvent): Promise<void> {
  const moves = sql<boolean>`${stateRank('state')} < ${sql.lit(STATE_RANK[event.state])}`;
  const failed = event.state === 'failed' || event.state === 'canceled';
  await trx
    .updateTable('generations')
    .set({
      state: sql<string>`case when ${moves} then ${event.state} else state end`,
      updated_at: sql<string>`greatest(updated_at, ${timestamp(event.atMs)})`,
      ...(failed
        ? {
            failure_reason: sql`case when ${moves} then ${event.reason ?? event.state} else failure_reason end`,
            failure_message: sql`case when ${moves} then ${dbText(event.message ?? '')} else failure_message end`,
          }
        : {}),
    })
    .where('generation_id', '=', event.generationId)
    .execute();
}

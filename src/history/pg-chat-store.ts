/**
 * The ChatStore (src/core/chats.ts) on the history database: a chat is a conversation whose workspace is its
 * platform and whose channel and thread are the chat's id (`chatConversation`), so its turns and
 * generations are the ones the history feed writes, and `/forget` and retention reach it like any other.
 * Non-obvious decisions:
 * - every read and write is scoped to the owner by all five ids of the conversation: another person's chat,
 *   or an id that is no UUID, is simply absent (undefined), never an error that tells it exists;
 * - `list` is one query: a keyset scan of conversations_recent (platform, user_id, last_activity_at desc,
 *   conversation_id desc) with the turn count and newest turn of each row from a lateral aggregate over
 *   turns_conversation, evaluated only for the rows of the page;
 * - `messages` pages by keyset on (at, turn_id): PostgreSQL starts the scan of turns_conversation
 *   (conversation_id, at) at the cursor's time (the row comparison's leading column), not at the first turn;
 * - cursors are opaque base64url JSON, parsed with zod on the way back in (a malformed one is a
 *   BadInputError, never a query), as history-cursor.ts does for `/history`;
 * - a chat keeps the title given at creation: the conversation upsert of `recordTurn` only fills a title
 *   that is null, and `rename` sets it.
 */
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Chat, ChatMessage, ChatOwner, ChatPage, ChatStore } from '../core/chats.js';
import type { HistoryDeletion, HistoryEntry } from '../core/history.js';
import type { GenerationOption } from '../core/types.js';
import { BadInputError } from '../errors.js';
import { dbText, timestamp } from './database-text.js';
import type { HistoryDatabase, HistoryRunner } from './history-database.js';
import { deleteAll } from './history-deletion.js';
import { selectEntries, toEntry } from './history-rows.js';

/** Longest title kept; a chat's title is a name for the sidebar, not a message. */
const TITLE_MAX_CHARS = 200;
const CHAT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ownerSchema = z.object({ platform: z.string().min(1), userId: z.string().min(1) });
const titleSchema = z
  .string()
  .transform((title) => dbText(title).trim())
  .pipe(
    z
      .string()
      .min(1, 'A chat needs a title.')
      .max(TITLE_MAX_CHARS, `A chat's title is at most ${TITLE_MAX_CHARS} characters.`),
  );
const limitSchema = z.number().int().min(1).max(100);

const ms = (value: Date | string): number => new Date(value).getTime();
const iso = (atMs: number) => new Date(atMs).toISOString();

/** A chat id as stored (lowercase), or undefined when it is no chat id at all. */
function chatIdOf(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const id = text.trim().toLowerCase();
  return CHAT_ID.test(id) ? id : undefined;
}

/** `value` as `schema` reads it, or a BadInputError saying `message` (default: what the schema said). */
function parse<Out>(schema: z.ZodType<Out, unknown>, value: unknown, message?: string): Out {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new BadInputError(message ?? parsed.error.issues[0]?.message ?? 'That chat request could not be read.');
}

/** The owner's chat `id`: all five ids of its conversation (the table aliased `c`). */
function ownedBy(owner: ChatOwner, id: string) {
  return sql<boolean>`(c.platform = ${owner.platform} and c.workspace_id = ${owner.platform} and c.channel_id = ${id} and c.thread_id = ${id} and c.user_id = ${owner.userId})`;
}

function ownerOf(owner: ChatOwner): ChatOwner {
  return parse(ownerSchema, owner, 'That chat request names no person. Please try again.');
}

// --- cursors -----------------------------------------------------------------------------------------------

function encode(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode<T>(text: string, schema: z.ZodType<T>, message: string): T {
  const invalid = () => new BadInputError(message);
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{1,600}$/.test(text)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

const time = z.number().int().min(0).max(8.64e15);
/** After the chat last active at `t`, with conversation key `c` (a bigint, as text). */
const chatCursorSchema = z.strictObject({ t: time, c: z.string().regex(/^[1-9][0-9]{0,18}$/) });
/** After the turn at `t` with id `id`. */
const messageCursorSchema = z.strictObject({ t: time, id: z.string().min(1).max(300) });

// --- rows --------------------------------------------------------------------------------------------------

function selectChats(db: Kysely<HistoryDatabase>) {
  return db
    .selectFrom('conversations as c')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('turns as t')
          .select([
            sql<number>`cast(count(*) as integer)`.as('message_count'),
            sql<Date | string | null>`max(t.at)`.as('last_message_at'),
          ])
          .whereRef('t.conversation_id', '=', 'c.conversation_id')
          .as('m'),
      (join) => join.onTrue(),
    )
    .select([
      'c.conversation_id',
      'c.channel_id',
      'c.user_id',
      'c.title',
      'c.created_at',
      'c.last_activity_at',
      'm.message_count',
      'm.last_message_at',
    ]);
}

type ChatRow = Awaited<ReturnType<ReturnType<typeof selectChats>['executeTakeFirstOrThrow']>>;

function toChat(row: ChatRow): Chat {
  return {
    id: row.channel_id,
    userId: row.user_id,
    title: row.title ?? '',
    messageCount: Number(row.message_count),
    lastMessageAtMs: row.last_message_at === null ? null : ms(row.last_message_at),
    createdAtMs: ms(row.created_at),
  };
}

interface TurnRow {
  turn_id: string;
  role: 'request' | 'reply';
  text: string;
  option_set: unknown;
  attachments: unknown;
  at: Date;
}

function isOptionSet(value: unknown): value is { key: string; options: GenerationOption[] } {
  if (typeof value !== 'object' || value === null) return false;
  const set = value as { key?: unknown; options?: unknown };
  return typeof set.key === 'string' && Array.isArray(set.options);
}

function toMessage(chatId: string, row: TurnRow): ChatMessage {
  const message: ChatMessage = { id: row.turn_id, chatId, role: row.role, text: row.text, atMs: ms(row.at) };
  if (isOptionSet(row.option_set)) message.optionSet = { key: row.option_set.key, options: row.option_set.options };
  if (Array.isArray(row.attachments)) {
    message.attachments = row.attachments.filter((link): link is string => typeof link === 'string');
  }
  return message;
}

export class PgChatStore implements ChatStore {
  constructor(
    private readonly db: Kysely<HistoryDatabase>,
    private readonly run: HistoryRunner,
  ) {}

  async create(owner: ChatOwner, input: { id: string; title: string; atMs: number }): Promise<Chat> {
    const who = ownerOf(owner);
    const id = chatIdOf(input.id);
    if (id === undefined) throw new BadInputError('A new chat needs a UUID for its id.');
    const title = parse(titleSchema, input.title);
    const atMs = parse(time, input.atMs, 'A new chat needs the time it was made.');
    return this.run(async () => {
      const { conversation_id } = await this.db
        .insertInto('conversations')
        .values({
          platform: who.platform,
          workspace_id: who.platform,
          channel_id: id,
          thread_id: id,
          user_id: who.userId,
          title,
          created_at: iso(atMs),
          last_activity_at: iso(atMs),
        })
        // A retried create (same id) finds its chat; a title it already has is kept.
        .onConflict((oc) =>
          oc
            .columns(['platform', 'workspace_id', 'channel_id', 'thread_id', 'user_id'])
            .doUpdateSet({ title: sql<string>`coalesce(conversations.title, excluded.title)` }),
        )
        .returning('conversation_id')
        .executeTakeFirstOrThrow();
      const row = await selectChats(this.db).where('c.conversation_id', '=', conversation_id).executeTakeFirstOrThrow();
      return toChat(row);
    });
  }

  async list(owner: ChatOwner, page: { limit: number; cursor?: string }): Promise<ChatPage<Chat>> {
    const who = ownerOf(owner);
    const limit = parse(limitSchema, page.limit, 'A page of chats holds 1 to 100 chats.');
    const after =
      page.cursor === undefined
        ? undefined
        : decode(page.cursor, chatCursorSchema, 'That page of your chats is no longer valid. Please list them again.');
    const rows = await this.run(() => {
      let select = selectChats(this.db)
        .where('c.platform', '=', who.platform)
        .where('c.user_id', '=', who.userId)
        .where('c.workspace_id', '=', who.platform);
      if (after) {
        select = select.where(
          sql<boolean>`(c.last_activity_at, c.conversation_id) < (${timestamp(after.t)}, cast(${after.c} as bigint))`,
        );
      }
      return select
        .orderBy('c.last_activity_at', 'desc')
        .orderBy('c.conversation_id', 'desc')
        .limit(limit + 1)
        .execute();
    });
    const shown = rows.slice(0, limit);
    const result: ChatPage<Chat> = { items: shown.map(toChat) };
    const last = shown.at(-1);
    if (rows.length > limit && last) {
      result.nextCursor = encode({ t: ms(last.last_activity_at), c: String(last.conversation_id) });
    }
    return result;
  }

  async get(owner: ChatOwner, chatId: string): Promise<Chat | undefined> {
    const who = ownerOf(owner);
    const id = chatIdOf(chatId);
    if (id === undefined) return undefined;
    const row = await this.run(() => selectChats(this.db).where(ownedBy(who, id)).executeTakeFirst());
    return row === undefined ? undefined : toChat(row);
  }

  async rename(owner: ChatOwner, chatId: string, title: string): Promise<Chat | undefined> {
    const who = ownerOf(owner);
    const id = chatIdOf(chatId);
    const name = parse(titleSchema, title);
    if (id === undefined) return undefined;
    return this.run(async () => {
      const renamed = await this.db
        .updateTable('conversations as c')
        .set({ title: name })
        .where(ownedBy(who, id))
        .returning('c.conversation_id')
        .executeTakeFirst();
      if (renamed === undefined) return undefined;
      const row = await selectChats(this.db)
        .where('c.conversation_id', '=', renamed.conversation_id)
        .executeTakeFirstOrThrow();
      return toChat(row);
    });
  }

  async remove(owner: ChatOwner, chatId: string): Promise<HistoryDeletion | undefined> {
    const who = ownerOf(owner);
    const id = chatIdOf(chatId);
    if (id === undefined) return undefined;
    return this.run(() =>
      this.db.transaction().execute(async (trx) => {
        // The conversation first, as every write takes it first: a concurrent write waits, never deadlocks.
        const row = await trx
          .selectFrom('conversations as c')
          .select('c.conversation_id')
          .where(ownedBy(who, id))
          .forUpdate()
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const key = row.conversation_id;
        return deleteAll(
          trx,
          (eb) => eb('conversation_id', '=', key),
          (eb) => eb('conversation_id', '=', key),
        );
      }),
    );
  }

  async messages(
    owner: ChatOwner,
    chatId: string,
    page: { limit: number; after?: string },
  ): Promise<ChatPage<ChatMessage> | undefined> {
    const who = ownerOf(owner);
    const id = chatIdOf(chatId);
    const limit = parse(limitSchema, page.limit, 'A page of messages holds 1 to 100 messages.');
    const after =
      page.after === undefined
        ? undefined
        : decode(
            page.after,
            messageCursorSchema,
            'That page of this chat is no longer valid. Please open the chat again.',
          );
    if (id === undefined) return undefined;
    const found = await this.run(async () => {
      const chat = await this.conversationKey(who, id);
      if (chat === undefined) return undefined;
      let select = this.db
        .selectFrom('turns')
        .select(['turn_id', 'role', 'text', 'option_set', 'attachments', 'at'])
        .where('conversation_id', '=', chat);
      if (after) {
        select = select.where(sql<boolean>`(at, turn_id) > (${timestamp(after.t)}, ${after.id})`);
      }
      return select
        .orderBy('at')
        .orderBy('turn_id')
        .limit(limit + 1)
        .execute();
    });
    if (found === undefined) return undefined;
    const shown = found.slice(0, limit);
    const result: ChatPage<ChatMessage> = { items: shown.map((row) => toMessage(id, row)) };
    const last = result.items.at(-1);
    if (found.length > limit && last) result.nextCursor = encode({ t: last.atMs, id: last.id });
    return result;
  }

  async generations(owner: ChatOwner, chatId: string, limit: number): Promise<HistoryEntry[] | undefined> {
    const who = ownerOf(owner);
    const id = chatIdOf(chatId);
    const count = parse(limitSchema, limit, 'A chat lists 1 to 100 of its generations at a time.');
    if (id === undefined) return undefined;
    const rows = await this.run(async () => {
      const chat = await this.conversationKey(who, id);
      if (chat === undefined) return undefined;
      return selectEntries(this.db)
        .where('g.conversation_id', '=', chat)
        .orderBy('g.created_at', 'desc')
        .orderBy('g.generation_id', 'desc')
        .limit(count)
        .execute();
    });
    return rows?.map(toEntry);
  }

  /** The key of the owner's chat `id`, or undefined when they have none by that id. */
  private async conversationKey(owner: ChatOwner, id: string): Promise<string | number | undefined> {
    const row = await this.db
      .selectFrom('conversations as c')
      .select('c.conversation_id')
      .where(ownedBy(owner, id))
      .executeTakeFirst();
    return row?.conversation_id;
  }
}

/**
 * The history tables as Kysely sees them (the schema itself is in migrations/001-history.ts and
 * 002-web.ts). Non-obvious: `kind` is null on a generation whose 'queued' event (the one carrying the
 * recipe) has not been written yet — a later state event creates that minimal row so no state or asset is
 * lost, and the queued event fills the recipe in; reads skip such rows until then. `conversation_id` is a
 * bigint the drivers hand back as a string (pg) or a number (PGlite): it is only ever passed back into SQL.
 */
import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

type ConversationKey = string | number;
/** timestamptz: written as an ISO string, read back as a Date. */
type Timestamp = ColumnType<Date, string, string>;
/** jsonb: written as JSON text cast to jsonb (database-text.ts `jsonb()`) or null, read back parsed. */
type Jsonb<T> = ColumnType<T, unknown, unknown>;

export interface ConversationsTable {
  conversation_id: GeneratedAlways<ConversationKey>;
  platform: string;
  workspace_id: string;
  channel_id: string;
  thread_id: string;
  user_id: string;
  title: string | null;
  created_at: Timestamp;
  last_activity_at: Timestamp;
}

export interface TurnsTable {
  turn_id: string;
  conversation_id: ConversationKey;
  role: 'request' | 'reply';
  text: string;
  option_set: Jsonb<unknown>;
  /** A request's attachment links (a JSON array of strings), null when it had none. */
  attachments: ColumnType<unknown, unknown | undefined, unknown>;
  at: Timestamp;
}

export interface GenerationsTable {
  generation_id: string;
  short_id: string;
  platform: string;
  user_id: string;
  conversation_id: ConversationKey;
  kind: string | null;
  model_id: string;
  prompt: Generated<string>;
  params: ColumnType<Record<string, unknown>, unknown | undefined, unknown>;
  style: Jsonb<{ id: string; name: string } | null>;
  motions: Jsonb<Array<{ id: string; name: string; strength: number }> | null>;
  label: Generated<string>;
  reason: Generated<string>;
  estimate: Jsonb<{ waitSeconds: number; credits?: number } | null>;
  /** What was chosen (002-web.ts); null before it, and for rows whose queued event has not arrived. */
  choice_key: ColumnType<string | null, string | null | undefined, string | null>;
  state: string;
  failure_reason: string | null;
  failure_message: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  search: GeneratedAlways<string>;
}

export interface GenerationStatesTable {
  generation_id: string;
  state: string;
  at: Timestamp;
}

export interface AssetsTable {
  generation_id: string;
  index: number;
  storage_key: string;
  content_type: string;
  /** bigint: a string from pg, a number from PGlite. */
  size_bytes: ColumnType<string | number, number, number>;
  provider_url: string;
  width: number | null;
  height: number | null;
  duration_s: number | null;
}

/** The web platform's API keys: the secret itself is never stored, only its sha256 (hex). */
export interface ApiKeysTable {
  key_id: string;
  user_id: string;
  secret_hash: string;
  created_at: Timestamp;
  last_used_at: ColumnType<Date | null, string | null | undefined, string | null>;
  revoked_at: ColumnType<Date | null, string | null | undefined, string | null>;
}

export interface HistoryDatabase {
  conversations: ConversationsTable;
  turns: TurnsTable;
  generations: GenerationsTable;
  generation_states: GenerationStatesTable;
  assets: AssetsTable;
  api_keys: ApiKeysTable;
}

/**
 * How a store on these tables reaches them: the history store's own wrapper, which brings the schema up to
 * date first and turns "the database is not there" into a ServiceUnavailableError (database-errors.ts).
 */
export type HistoryRunner = <T>(work: () => Promise<T>) => Promise<T>;

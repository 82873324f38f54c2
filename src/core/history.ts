/**
 * History: the durable record of what people asked and made, so it stays findable (`/history`, `/show`)
 * after Redis has forgotten it. Redis stays the home of queues and hot state; the history store (PostgreSQL,
 * or PGlite embedded) holds conversations, turns, generations with every state change, and assets.
 *
 * Writes never sit on an acknowledgement path: what happens is appended to a Redis stream (the progress
 * events already are; turns go to the history log) and a feed writes it to the store, retrying while the
 * database is down. Every write is idempotent — keyed by ids the events already carry — so a retried step
 * or a redelivered entry changes nothing.
 */
import type { ApiKeyStore } from './api-keys.js';
import type { ChatStore } from './chats.js';
import type {
  ConversationRef,
  FailureReason,
  GenerationOption,
  GenerationState,
  MediaAsset,
  Platform,
  ProgressEvent,
} from './types.js';

/** One turn of a conversation, as the history log carries it. */
export type HistoryTurn =
  | {
      kind: 'request';
      /** Unique per turn (the same id on a retry): the write is idempotent on it. */
      turnId: string;
      conversation: ConversationRef;
      text: string;
      /** Links to what the person attached (the web's uploads), as they sent them. */
      attachments?: readonly string[];
      atMs: number;
    }
  | {
      kind: 'reply';
      turnId: string;
      conversation: ConversationRef;
      text: string;
      /** The option set shown (its key, and each option's recipe). */
      optionSet?: { key: string; options: readonly GenerationOption[] };
      atMs: number;
    };

/** A stored result's facts, beyond the storage key. */
export interface HistoryAsset {
  index: number;
  key: string;
  contentType: string;
  sizeBytes: number;
  providerUrl: string;
  width?: number;
  height?: number;
  durationS?: number;
}

/** A generation as history keeps it. */
export interface HistoryEntry {
  generationId: string;
  conversation: ConversationRef;
  /** The option's recipe: kind, model, params, prompt, style or motions, label, reason, estimate. */
  option: GenerationOption;
  /** What was chosen: `<option set key>:<index>` for an option, `reroll:<id>` for a re-roll (when recorded). */
  choiceKey?: string;
  state: GenerationState;
  /** Every state change, oldest first. */
  states: ReadonlyArray<{ state: GenerationState; atMs: number }>;
  createdAtMs: number;
  updatedAtMs: number;
  failure?: { reason: FailureReason; message: string };
  assets: HistoryAsset[];
}

export interface HistoryQuery {
  platform: Platform;
  userId: string;
  /** Words to look for in prompts (full-text; any punctuation is just text). Empty: everything. */
  search?: string;
  /** From `nextCursor` of the page before. */
  cursor?: string;
  limit: number;
}

export interface HistoryPage {
  /** Newest first. */
  items: HistoryEntry[];
  /** Present when there are older items. */
  nextCursor?: string;
}

/** What was deleted: counts, and the media keys to delete from the store. */
export interface HistoryDeletion {
  generations: number;
  turns: number;
  mediaKeys: string[];
}

/**
 * The durable record. Writes are idempotent; reads may fail with a `ServiceUnavailable` AppError when the
 * database is down (history commands then say so; generations go on).
 */
export interface HistoryStore {
  recordTurn(turn: HistoryTurn): Promise<void>;
  /**
   * A generation's state change, from the progress stream; the 'queued' event carries the recipe
   * (`event.option`). Assets arrive with 'done'.
   */
  recordProgress(event: ProgressEvent): Promise<void>;
  list(query: HistoryQuery): Promise<HistoryPage>;
  /**
   * One generation by its id, or by the short id people see (its first 8 characters after `gen-`). Short ids
   * can collide (32 bits: about a hundred pairs in a million); `prefer` picks that person's own first.
   */
  get(id: string, prefer?: { platform: Platform; userId: string }): Promise<HistoryEntry | undefined>;
  /** Everything of one person on one platform: conversations, turns, generations, assets. */
  forget(platform: Platform, userId: string): Promise<HistoryDeletion>;
  /** Everything last active before `beforeMs` (HISTORY_RETENTION_DAYS). */
  purge(beforeMs: number): Promise<HistoryDeletion>;
  /** Conversations as named, paged chats (the web platform); on the same database. */
  readonly chats?: ChatStore;
  /** The web platform's API keys; on the same database. */
  readonly apiKeys?: ApiKeyStore;
  close(): Promise<void>;
}

/** Where turns are appended on their way to the store (a Redis stream); fast, never the database. */
export interface HistoryLog {
  append(turn: HistoryTurn): Promise<void>;
}

/** The id people see and type: `gen-1a2b3c4d-…` → `1a2b3c4d`. */
export function shortId(generationId: string): string {
  return generationId.replace(/^gen-/, '').slice(0, 8);
}

/** A HistoryAsset as a MediaAsset to post again (with a fresh link). */
export function toMediaAsset(asset: HistoryAsset, url: string): MediaAsset {
  return {
    key: asset.key,
    contentType: asset.contentType,
    sizeBytes: asset.sizeBytes,
    url,
    providerUrl: asset.providerUrl,
    ...(asset.width !== undefined ? { width: asset.width } : {}),
    ...(asset.height !== undefined ? { height: asset.height } : {}),
    ...(asset.durationS !== undefined ? { durationS: asset.durationS } : {}),
  };
}

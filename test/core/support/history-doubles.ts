/**
 * What the history use case specs need beside the in-memory store (test/support/memory-history.ts): the
 * store with every list query it was asked kept (to see what the use case passed through), a HistoryLog
 * that feeds the store or fails (its Redis is down), and a logger that keeps its warnings.
 */
import type { HistoryLog, HistoryQuery, HistoryStore, HistoryTurn } from '../../../src/core/history.js';
import type { CoreLogger } from '../../../src/core/ports.js';
import { createMemoryHistoryStore, type MemoryHistoryStore } from '../../support/memory-history.js';

export type WatchedHistoryStore = MemoryHistoryStore & { readonly queries: HistoryQuery[] };

/** An in-memory store that also keeps the queries `list` was asked. */
export function watchedHistoryStore(): WatchedHistoryStore {
  const store = createMemoryHistoryStore();
  const queries: HistoryQuery[] = [];
  const list = store.list.bind(store);
  return Object.assign(store, {
    queries,
    list: (query: HistoryQuery) => {
      queries.push(query);
      return list(query);
    },
  });
}

/** A database that cannot be reached, as the pg driver says it. */
export function outage(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

/** The history log as the Assistant sees it: every turn appended is kept, and handed to `store` when given. */
export class RecordingHistoryLog implements HistoryLog {
  readonly appended: HistoryTurn[] = [];
  /** While true, every append fails (the log's Redis is down). */
  failing = false;

  constructor(private readonly store?: HistoryStore) {}

  async append(turn: HistoryTurn): Promise<void> {
    if (this.failing) throw new Error('Connection is closed.');
    this.appended.push(turn);
    await this.store?.recordTurn(turn);
  }
}

/** A CoreLogger that keeps what was said at warn. */
export function warningsLogger(): CoreLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (_details, message) => warnings.push(message), info: () => {} };
}

/**
 * The "next page" of `/history`: a button carries only a short key (like an option set's), and the query it
 * stands for — whose history, which search words, where the page before ended — is kept beside it for an hour.
 * A key names one person's page: the use case answers 'expired' to anyone else who presses it.
 */
import type { Platform } from './types.js';

export interface HistoryPageQuery {
  platform: Platform;
  userId: string;
  /** The search words ('' for everything). */
  search: string;
  /** The store's cursor: where the page before ended. */
  cursor: string;
  /** 1-based number of the page this key opens. */
  page: number;
}

export interface HistoryPageStore {
  /** Keeps the query and returns its key (10 characters, [0-9A-Za-z]). */
  save(query: HistoryPageQuery): Promise<string>;
  /** The query of a key, or undefined once it expired (or for anything that is not a key). */
  get(key: string): Promise<HistoryPageQuery | undefined>;
}

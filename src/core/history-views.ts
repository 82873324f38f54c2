/**
 * What the history use cases answer (`Assistant.history`, `.show`, `.forget`), for every platform to
 * render in its own markup: a page of a person's generations, a result to post again, the outcome of
 * forgetting. Plain data; the words people read come from src/adapters/shared/history-text.ts.
 */
import type { GenerationResult, GenerationState } from './types.js';

/** One line of `/history`. */
export interface HistoryLine {
  generationId: string;
  /** What people type after `/show` (history.ts `shortId`). */
  shortId: string;
  label: string;
  prompt: string;
  modelId: string;
  state: GenerationState;
  createdAtMs: number;
}

export type HistoryView =
  | {
      kind: 'page';
      /** The search words, as the person gave them ('' for everything). */
      search: string;
      /** Newest first. */
      lines: HistoryLine[];
      /** 1-based page number. */
      page: number;
      /** The next page's button id payload (a short key kept in Redis), when there are older ones. */
      nextPage?: string;
    }
  /** The history store cannot be reached (generations go on). */
  | { kind: 'unavailable'; message: string }
  /** A page button that expired (its key is gone). */
  | { kind: 'expired'; message: string };

export type ShowOutcome =
  /** Post this again in the current conversation, with Re-roll and Animate working (its id is the original's). */
  | { kind: 'result'; result: GenerationResult }
  | { kind: 'not-found'; message: string }
  | { kind: 'not-allowed'; message: string }
  /** Known but it has no media (failed, canceled, still running). */
  | { kind: 'no-media'; message: string }
  | { kind: 'unavailable'; message: string };

export type ForgetOutcome =
  /** Nothing deleted yet: show `message` with a confirmation button. */
  | { kind: 'confirm'; message: string }
  | { kind: 'forgotten'; message: string; generations: number; mediaFiles: number }
  | { kind: 'unavailable'; message: string };

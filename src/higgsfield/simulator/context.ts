/**
 * The shared state one simulator instance hands to its route handlers. `settings` is mutable (see
 * `configure()`); everything a request needs from it is copied into the request when it is created.
 */
import type { Logger } from '../../log.js';
import type { RequestStore } from './store.js';
import type { Timers } from './timers.js';
import type { ScriptedOutcome, SimStats } from './types.js';
import type { Uploads } from './uploads.js';
import type { WebhookSender } from './webhooks.js';

export interface Settings {
  queuedMs: number;
  inProgressMs: number;
  timings: Record<string, { queuedMs?: number; inProgressMs?: number }>;
  maxConcurrent: number;
  videoSizeBytes: number;
}

export interface SimContext {
  /** 'http://host:port', set once the server listens. */
  baseUrl: string;
  readonly authorization: string;
  readonly settings: Settings;
  readonly store: RequestStore;
  readonly uploads: Uploads;
  readonly webhooks: WebhookSender;
  readonly timers: Timers;
  /** FIFO of outcomes for the next accepted submits. */
  readonly scripts: ScriptedOutcome[];
  readonly stats: SimStats;
  readonly logger: Logger;
}

/**
 * Timings and limits of the generation pipeline, with production defaults. Tests and benchmarks pass
 * tens of milliseconds; BullMQ delays live in Redis, so fake timers could not drive them anyway.
 */
import type { BackoffPolicy } from '../retry.js';

export interface PipelineSettings {
  /** Key prefix of every queue and record (a `{hash-tag}` keeps a Redis Cluster happy). */
  prefix: string;
  /** Active generations one person may have at once. */
  maxActivePerUser: number;
  /** Polling when no webhook is configured: about 2 s growing ×1.5 to a 10 s cap, with jitter. */
  poll: BackoffPolicy;
  /** Safety-net polling when webhooks are configured: they normally advance the job first. */
  pollWithWebhook: BackoffPolicy;
  /** After the provider's concurrency limit, pause submissions this long (± jitter). */
  concurrencyBackoffMs: number;
  /** Longest a generation may wait in our queue before it is submitted. */
  maxQueueWaitMs: number;
  /** Generations (tracking and delivering) one worker process holds at once. */
  trackConcurrency: number;
  /** Submissions in flight per worker process. */
  submitConcurrency: number;
  /** Attempts of a retryable submit or delivery failure, with exponential backoff from `retryDelayMs`. */
  attempts: number;
  retryDelayMs: number;
  /** Largest result we store and post. */
  maxMediaBytes: number;
  /** Multiplies every model's deadline (tests shrink it). */
  deadlineScale: number;
  /** How long a chosen option stays collapsed onto its generation (double clicks). */
  choiceDedupeMs: number;
  /** A person is told "already queued" about one option at most this often (a storm of presses). */
  duplicateNoteEveryMs: number;
  /**
   * BullMQ job lock and stall checks. A worker renews its locks every `lockRenewMs`; when a worker dies, its
   * active jobs are taken over once the lock expires and two stall checks have passed (BullMQ marks, then
   * moves), so a new worker resumes them within `lockDurationMs + 2 × stalledIntervalMs` (10 s) instead of
   * BullMQ's default 60–90 s. A Redis outage shorter than `lockDurationMs − lockRenewMs` (6 s) keeps every
   * lock, so a step is never run twice at once; a job that stalls more than `maxStalledCount` times ends
   * with a message.
   */
  lockDurationMs: number;
  lockRenewMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  prefix: 'higgsbot',
  maxActivePerUser: 3,
  poll: { baseMs: 2_000, factor: 1.5, maxMs: 10_000, jitterRatio: 0.25 },
  pollWithWebhook: { baseMs: 15_000, factor: 2, maxMs: 60_000, jitterRatio: 0.25 },
  concurrencyBackoffMs: 5_000,
  maxQueueWaitMs: 2 * 3_600_000,
  trackConcurrency: 500,
  submitConcurrency: 4,
  attempts: 5,
  retryDelayMs: 2_000,
  maxMediaBytes: 512 * 1024 * 1024,
  deadlineScale: 1,
  choiceDedupeMs: 3_600_000,
  duplicateNoteEveryMs: 5_000,
  lockDurationMs: 8_000,
  lockRenewMs: 2_000,
  stalledIntervalMs: 1_000,
  maxStalledCount: 2,
};

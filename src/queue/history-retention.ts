/**
 * HISTORY_RETENTION_DAYS as a BullMQ repeatable job: one queue, `history-retention`, one job scheduler under
 * a fixed id, so every process may register it at start and there is still one schedule (BullMQ's upsert
 * keeps the next run where it was when the interval is unchanged). Whichever worker takes a run purges the
 * records last active before the cutoff and then their media files (core/history-retention.ts).
 *
 * A run that fails (the database is down) is logged and left: the next run, an interval later, does the same
 * work, so there is nothing to retry in between. Runs keep only a handful of the last ones, for inspection.
 * `stop()` lets a purge in progress finish for up to 5 s, then leaves it. The connections `connection()` returns are the caller's to close after `stop()`, as with the
 * generation workers.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HistoryStore } from '../core/history.js';
import { purgeHistory } from '../core/history-retention.js';
import type { PlatformLogger } from '../core/platform.js';
import type { MediaStore } from '../core/ports.js';
import { isConnectionError } from '../errors.js';

export const HISTORY_RETENTION_QUEUE = 'history-retention';
const SCHEDULER_ID = 'history-retention-purge';
const DAY_MS = 86_400_000;
/** How long stop() lets a purge in progress finish before leaving it (it is idempotent: the next run redoes it). */
const STOP_GRACE_MS = 5_000;

export interface HistoryRetentionOptions {
  /** Returns a patient connection (createRedis(url, 'worker')); called twice (the queue, the worker). */
  connection: () => Redis;
  prefix: string;
  history: HistoryStore;
  media: MediaStore;
  retentionDays: number;
  logger: PlatformLogger;
  /** Time between purges (default an hour). */
  everyMs?: number;
}

export interface HistoryRetention {
  stop(): Promise<void>;
}

export async function startHistoryRetention(options: HistoryRetentionOptions): Promise<HistoryRetention> {
  const logger = options.logger.child({ module: 'history-retention' });
  const deps = { history: options.history, media: options.media, logger };
  const queue = new Queue(HISTORY_RETENTION_QUEUE, { connection: options.connection(), prefix: options.prefix });
  const worker = new Worker(
    HISTORY_RETENTION_QUEUE,
    async () => purgeHistory(deps, Date.now() - options.retentionDays * DAY_MS),
    { connection: options.connection(), prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => {
    logger.warn({ err, job: job?.id }, 'a history retention run failed; the next run tries again');
  });
  // Connection trouble is logged once by the connection's watcher; BullMQ repeats it on every retry.
  const onError = (err: Error) => {
    if (!isConnectionError(err)) logger.error({ err }, 'history retention queue error');
  };
  queue.on('error', onError);
  worker.on('error', onError);
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: options.everyMs ?? 3_600_000 },
    { name: 'purge', data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 10 }, attempts: 1 } },
  );
  return {
    async stop() {
      const graceful = worker.close();
      const finished = await Promise.race([
        graceful.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_GRACE_MS).unref()),
      ]);
      if (!finished) await worker.close(true);
      await queue.close();
    },
  };
}

/**
 * Runs the two step processors on BullMQ Workers. A job that BullMQ itself gives up on (retries
 * exhausted, stalled too often) is ended here with a message, so no generation ever ends in silence.
 */
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isConnectionError, toUserMessage } from '../errors.js';
import { SUBMIT_QUEUE, type SubmitJobData, TRACK_QUEUE, type TrackJobData } from './jobs.js';
import { endWithFailure, type PipelineContext } from './pipeline-context.js';
import { createSubmitProcessor } from './submit-processor.js';
import { createTrackProcessor } from './track-processor.js';

export interface GenerationWorkers {
  close(): Promise<void>;
  /** Resolves when both workers are connected and taking jobs. */
  ready(): Promise<void>;
}

export function startGenerationWorkers(ctx: PipelineContext, connection: () => Redis): GenerationWorkers {
  const { settings } = ctx;
  let submitWorker: Worker<SubmitJobData> | undefined;
  const rateLimit = async (ms: number) => {
    await submitWorker?.rateLimit(ms);
  };
  const lockAndStalls = {
    lockDuration: settings.lockDurationMs,
    lockRenewTime: settings.lockRenewMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
  };
  submitWorker = new Worker<SubmitJobData>(SUBMIT_QUEUE, createSubmitProcessor(ctx, rateLimit), {
    connection: connection(),
    prefix: settings.prefix,
    concurrency: settings.submitConcurrency,
    ...lockAndStalls,
  });
  const trackWorker = new Worker<TrackJobData>(TRACK_QUEUE, createTrackProcessor(ctx), {
    connection: connection(),
    prefix: settings.prefix,
    concurrency: settings.trackConcurrency,
    ...lockAndStalls,
  });

  const onFailed = async (job: Job<SubmitJobData | TrackJobData> | undefined, error: Error) => {
    if (!job) return;
    const { generationId, spec } = job.data;
    const attempts = job.opts.attempts ?? 1;
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    ctx.logger.warn({ generationId, err: error, attemptsMade: job.attemptsMade, final }, 'generation step failed');
    if (!final) return;
    const record = await ctx.records.get(generationId).catch(() => undefined);
    if (record && ['done', 'failed', 'canceled'].includes(record.state)) return;
    await endWithFailure(ctx, generationId, spec, 'error', toUserMessage(error, generationId));
  };
  submitWorker.on('failed', (job, error) => void onFailed(job, error));
  trackWorker.on('failed', (job, error) => void onFailed(job, error));
  for (const worker of [submitWorker, trackWorker]) {
    // Connection trouble is logged once by the connection watcher; BullMQ repeats it on every retry.
    worker.on('error', (err) => {
      if (!isConnectionError(err)) ctx.logger.error({ err, queue: worker.name }, 'worker error');
    });
  }

  return {
    async ready() {
      await Promise.all([submitWorker?.waitUntilReady(), trackWorker.waitUntilReady()]);
    },
    async close() {
      await Promise.all([submitWorker?.close(), trackWorker.close()]);
    },
  };
}

/**
 * Runs the two step processors on BullMQ Workers. A job that BullMQ itself gives up on (retries
 * exhausted, stalled too often) is ended by the use case (endAfterGivingUp), so no generation ever ends in
 * silence.
 */
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { endAfterGivingUp } from '../core/generation/end-generation.js';
import { isConnectionError } from '../errors.js';
import { SUBMIT_QUEUE, type SubmitJobData, TRACK_QUEUE, type TrackJobData } from './jobs.js';
import type { PipelineContext } from './pipeline-context.js';
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
    await endAfterGivingUp(ctx.generation, generationId, spec, error);
  };
  const whenFailed = (job: Job<SubmitJobData | TrackJobData> | undefined, error: Error) =>
    void onFailed(job, error).catch((err: unknown) =>
      ctx.logger.error({ err, generationId: job?.data.generationId }, 'could not end a generation BullMQ gave up on'),
    );
  submitWorker.on('failed', whenFailed);
  trackWorker.on('failed', whenFailed);
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

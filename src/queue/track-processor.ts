/**
 * The `track` job: `wait` until Higgsfield reaches a terminal status, then `deliver`. Waiting never holds
 * a worker slot: between polls the job moves itself to delayed (a webhook promotes it at once). Status
 * errors while waiting are retried by polling again; only the model's deadline ends a wait. Delivery is a
 * retriable step of its own.
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { deliverGeneration } from '../core/deliver-generation.js';
import { failureMessage } from '../core/failure-messages.js';
import { AppError, toUserMessage } from '../errors.js';
import { getModel } from '../higgsfield/models/registry.js';
import type { HfRequest } from '../higgsfield/wire.js';
import { backoffDelayMs } from '../retry.js';
import type { TrackJobData } from './jobs.js';
import { endWithFailure, type PipelineContext, publisherFor, publishProgress } from './pipeline-context.js';

export function createTrackProcessor(ctx: PipelineContext) {
  return async function track(job: Job<TrackJobData>, token?: string): Promise<string> {
    if (job.data.step === 'wait') {
      const status = await waitStep(ctx, job);
      if (status === 'pending') {
        await job.moveToDelayed(Date.now() + pollDelay(ctx, job.data.polls), token);
        throw new DelayedError();
      }
      if (status !== 'completed') return status;
    }
    return deliverStep(ctx, job);
  };
}

function pollDelay(ctx: PipelineContext, polls: number): number {
  return backoffDelayMs(polls, ctx.webhookUrl ? ctx.settings.pollWithWebhook : ctx.settings.poll);
}

async function readStatus(ctx: PipelineContext, job: Job<TrackJobData>): Promise<HfRequest | undefined> {
  const fromWebhook = await ctx.records.deliveredStatus(job.data.generationId);
  if (fromWebhook) return fromWebhook;
  try {
    return await ctx.client.status(job.data.requestId);
  } catch (error) {
    if (error instanceof AppError && error.retryable) {
      ctx.logger.warn({ generationId: job.data.generationId, code: error.code }, 'status read failed; polling again');
      return undefined;
    }
    throw error;
  }
}

/** One look at the request: 'pending' to wait more, else how it ended ('completed' goes on to delivery). */
async function waitStep(ctx: PipelineContext, job: Job<TrackJobData>): Promise<'pending' | 'completed' | string> {
  const { generationId, spec } = job.data;
  const model = getModel(spec.option.modelId);
  let status: HfRequest | undefined;
  try {
    status = await readStatus(ctx, job);
  } catch (error) {
    await endWithFailure(ctx, generationId, spec, 'error', toUserMessage(error, generationId));
    throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
  }

  if (!status?.terminal) {
    if (Date.now() > job.data.deadlineAtMs) {
      await ctx.client.cancel(job.data.requestId).catch(() => undefined);
      const waitedMinutes = Math.max(1, Math.round((Date.now() - job.data.submittedAtMs) / 60_000));
      await endWithFailure(
        ctx,
        generationId,
        spec,
        'deadline',
        failureMessage('deadline', { modelTitle: model.title, waitedMinutes }),
      );
      return 'deadline';
    }
    const patch: Partial<TrackJobData> = { polls: job.data.polls + 1 };
    if (status && status.status !== job.data.lastStatus) {
      patch.lastStatus = status.status;
      if (status.status === 'in_progress') {
        await ctx.records.update(generationId, { state: 'rendering' });
        const renderMs = (await ctx.records.typicalDurationMs(model.id)) ?? model.typicalSeconds * 1_000;
        await publishProgress(ctx, generationId, spec, 'rendering', {
          estimatedWaitMs: Math.max(0, job.data.submittedAtMs + renderMs - Date.now()),
        });
      }
    }
    await job.updateData({ ...job.data, ...patch });
    // A webhook that arrived while this job was active could not promote it: look once more before sleeping.
    const late = await ctx.records.deliveredStatus(generationId);
    if (!late) return 'pending';
    status = late;
  }

  return endWait(ctx, job, status, model.id);
}

async function endWait(ctx: PipelineContext, job: Job<TrackJobData>, status: HfRequest, modelId: string) {
  const { generationId, spec } = job.data;
  await ctx.records.recordDuration(modelId, Date.now() - job.data.submittedAtMs);
  await ctx.submitQueue.removeRateLimitKey().catch(() => undefined);
  switch (status.status) {
    case 'completed':
      await job.updateData({ ...job.data, step: 'deliver', lastStatus: 'completed', outputs: status.outputs });
      return 'completed';
    case 'nsfw':
      await endWithFailure(ctx, generationId, spec, 'nsfw');
      return 'nsfw';
    case 'canceled':
      await endWithFailure(ctx, generationId, spec, 'canceled');
      return 'canceled';
    default:
      await endWithFailure(
        ctx,
        generationId,
        spec,
        'failed',
        failureMessage('failed', { providerReason: status.error ?? '' }),
      );
      return 'failed';
  }
}

async function deliverStep(ctx: PipelineContext, job: Job<TrackJobData>): Promise<string> {
  const { generationId, spec, outputs = [] } = job.data;
  await ctx.records.update(generationId, { state: 'delivering' });
  await publishProgress(ctx, generationId, spec, 'delivering');
  try {
    const result = await deliverGeneration(
      {
        store: ctx.store,
        download: ctx.download,
        publisher: publisherFor(ctx, spec),
        ledgerFor: (id) => ctx.records.ledger(id),
      },
      {
        generationId,
        option: spec.option,
        conversation: spec.conversation,
        outputs,
        submittedAtMs: job.data.submittedAtMs,
        nowMs: Date.now(),
      },
    );
    await ctx.records.finish(generationId, 'done', spec, result.assets);
    await publishProgress(ctx, generationId, spec, 'done', { assets: result.assets });
    return 'done';
  } catch (error) {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const retryable = !(error instanceof AppError) || error.retryable;
    if (retryable && !lastAttempt) throw error;
    const link = outputs[0]?.url;
    const why = toUserMessage(error, generationId);
    const message = link ? `${why} The result is ready at Higgsfield: ${link}` : why;
    await endWithFailure(ctx, generationId, spec, 'error', message);
    throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
  }
}

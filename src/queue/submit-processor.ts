/**
 * The `submit` step. Every submit carries Idempotency-Key = the generation id, so a crash or retry returns
 * the same Higgsfield request instead of paying twice; the request id is saved on the job before the
 * generation moves to the `track` queue. Higgsfield's concurrency limit pauses this queue, in fair order.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { AppError, ErrorCode, toUserMessage } from '../errors.js';
import { HiggsfieldError } from '../higgsfield/errors.js';
import { getModel } from '../higgsfield/models/registry.js';
import { backoffDelayMs } from '../retry.js';
import type { SubmitJobData, TrackJobData } from './jobs.js';
import { endWithFailure, type PipelineContext, publishProgress } from './pipeline-context.js';

export function createSubmitProcessor(ctx: PipelineContext, rateLimit: (ms: number) => Promise<void>) {
  return async function submit(job: Job<SubmitJobData>): Promise<string> {
    const { generationId, spec } = job.data;
    const log = ctx.logger.child({ generationId, step: 'submit' });
    const record = await ctx.records.get(generationId);
    if (record?.state === 'canceled') {
      await endWithFailure(ctx, generationId, spec, 'canceled');
      return 'canceled';
    }
    if (Date.now() - job.data.enqueuedAtMs > ctx.settings.maxQueueWaitMs) {
      const minutes = Math.round(ctx.settings.maxQueueWaitMs / 60_000);
      await endWithFailure(
        ctx,
        generationId,
        spec,
        'deadline',
        `This waited over ${minutes} minutes for a free slot at Higgsfield, so we gave up on it. Please try again later.`,
      );
      return 'deadline';
    }

    const model = getModel(spec.option.modelId);
    let requestId = job.data.requestId;
    if (!requestId) {
      try {
        const request = await ctx.client.submit(
          model.id,
          { ...spec.option.params, prompt: spec.option.prompt },
          { idempotencyKey: generationId, ...(ctx.webhookUrl ? { webhookUrl: ctx.webhookUrl } : {}) },
        );
        requestId = request.requestId;
      } catch (error) {
        if (error instanceof HiggsfieldError && error.code === ErrorCode.HfConcurrencyLimit) {
          const waitMs = Math.round(ctx.settings.concurrencyBackoffMs * (0.75 + Math.random() * 0.5));
          log.info({ waitMs }, 'Higgsfield concurrency limit reached: pausing submissions');
          await rateLimit(waitMs);
          throw Worker.RateLimitError();
        }
        if (error instanceof AppError && error.retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1))
          throw error;
        const reason = error instanceof AppError && error.kind === 'refused' ? 'refused' : 'error';
        await endWithFailure(ctx, generationId, spec, reason, toUserMessage(error, generationId));
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      await job.updateData({ ...job.data, requestId });
    }

    const now = Date.now();
    await ctx.records.markSubmitted(generationId, requestId, now);
    const deadlineMs = model.deadlineMs * ctx.settings.deadlineScale;
    const track: TrackJobData = {
      generationId,
      spec,
      requestId,
      submittedAtMs: now,
      deadlineAtMs: now + deadlineMs,
      step: 'wait',
      polls: 0,
    };
    await ctx.trackQueue.add('track', track, { jobId: generationId, delay: firstPollDelay(ctx, model.typicalSeconds) });
    log.info({ requestId, modelId: model.id }, 'submitted');
    await publishProgress(ctx, generationId, spec, 'submitted');
    if ((await ctx.records.get(generationId))?.state === 'canceled') {
      // Canceled while we were submitting: cancel at Higgsfield too (it is still queued there).
      await ctx.client.cancel(requestId).catch(() => undefined);
      await (await ctx.trackQueue.getJob(generationId))?.promote().catch(() => undefined);
    }
    return requestId;
  };
}

/**
 * Without webhooks, the first look comes after the polling base (about 2 s). With webhooks it is only a
 * safety net, so it waits until well past the model's typical render time: a webhook that works then costs
 * no status read at all. Jittered either way, so a burst of submits does not become a burst of reads.
 */
export function firstPollDelay(ctx: PipelineContext, typicalSeconds: number): number {
  if (!ctx.webhookUrl) return backoffDelayMs(0, ctx.settings.poll);
  const policy = ctx.settings.pollWithWebhook;
  return backoffDelayMs(0, { ...policy, baseMs: Math.max(policy.baseMs, typicalSeconds * 1_500) });
}

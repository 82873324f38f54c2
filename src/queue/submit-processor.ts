/**
 * Runs the `submit` step (src/core/generation/submit-step.ts) on a BullMQ job: the request id is kept on
 * the job's data, a pause for the provider's concurrency limit rate-limits this queue (the job goes back in
 * its fair place), a retry is a thrown error, and an accepted generation becomes its `track` job.
 */
import { type Job, Worker } from 'bullmq';
import { submitStep } from '../core/generation/submit-step.js';
import type { SubmitJobData, TrackJobData } from './jobs.js';
import { endJob, mayRetry, type PipelineContext } from './pipeline-context.js';

export function createSubmitProcessor(ctx: PipelineContext, rateLimit: (ms: number) => Promise<void>) {
  return async function submit(job: Job<SubmitJobData>): Promise<string> {
    const { generationId, spec } = job.data;
    const decision = await submitStep(ctx.generation, {
      ...job.data,
      mayRetry: mayRetry(job),
      keepRequestId: (requestId) => job.updateData({ ...job.data, requestId }),
    });
    switch (decision.kind) {
      case 'ended':
        return endJob(decision);
      case 'retry':
        throw decision.error;
      case 'pause-submissions':
        await rateLimit(decision.forMs);
        throw Worker.RateLimitError();
      case 'submitted': {
        const track: TrackJobData = {
          generationId,
          spec,
          requestId: decision.requestId,
          submittedAtMs: decision.submittedAtMs,
          deadlineAtMs: decision.deadlineAtMs,
          step: 'wait',
          polls: 0,
        };
        await ctx.trackQueue.add('track', track, { jobId: generationId, delay: decision.firstLookInMs });
        return decision.requestId;
      }
    }
  };
}

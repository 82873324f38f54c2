/**
 * Runs the `track` job: the `wait` step (src/core/generation/wait-step.ts) until the provider is done,
 * then the `deliver` step (deliver-step.ts). Waiting never holds a worker slot: between looks the job
 * moves itself to delayed (a webhook promotes it at once). Delivery is a retriable step of its own: the
 * job's data says it has begun, with the outputs, so a retry does not wait again.
 */
import { DelayedError, type Job } from 'bullmq';
import { deliverStep } from '../core/generation/deliver-step.js';
import { waitStep } from '../core/generation/wait-step.js';
import type { TrackJobData } from './jobs.js';
import { endJob, mayRetry, type PipelineContext } from './pipeline-context.js';

export function createTrackProcessor(ctx: PipelineContext) {
  return async function track(job: Job<TrackJobData>, token?: string): Promise<string> {
    if (job.data.step === 'wait') {
      const decision = await waitStep(ctx.generation, job.data);
      if (decision.kind === 'ended') return endJob(decision);
      if (decision.kind === 'wait') {
        await job.updateData({ ...job.data, ...decision.keep });
        await job.moveToDelayed(Date.now() + decision.lookAgainInMs, token);
        throw new DelayedError();
      }
      await job.updateData({ ...job.data, step: 'deliver', lastStatus: 'completed', outputs: decision.outputs });
    }
    const decision = await deliverStep(ctx.generation, {
      generationId: job.data.generationId,
      spec: job.data.spec,
      submittedAtMs: job.data.submittedAtMs,
      outputs: job.data.outputs ?? [],
      mayRetry: mayRetry(job),
    });
    if (decision.kind === 'retry') throw decision.error;
    return endJob(decision);
  };
}

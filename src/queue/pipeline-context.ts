/**
 * What the step runners share: the generation use case's ports as the workers implement them, the track
 * queue (an accepted generation becomes a track job), and the two translations every runner makes — how many attempts a job has left, and how an ended
 * generation finishes its job (completed, or failed for good without a retry).
 */
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { Ended, GenerationDeps } from '../core/generation/generation-ports.js';
import type { GenerationState } from '../core/types.js';
import type { Logger } from '../log.js';
import type { TrackJobData } from './jobs.js';
import type { PipelineSettings } from './pipeline-settings.js';

export interface PipelineContext {
  generation: GenerationDeps;
  trackQueue: Queue<TrackJobData>;
  settings: PipelineSettings;
  logger: Logger;
}

/** Attempts are left after this one. */
export function mayRetry(job: Job): boolean {
  return job.attemptsMade + 1 < (job.opts.attempts ?? 1);
}

/** The job's result for an ended generation; one that failed for good fails its job without a retry. */
export function endJob(decision: Ended): GenerationState {
  if (decision.error === undefined) return decision.state;
  throw new UnrecoverableError(decision.error instanceof Error ? decision.error.message : String(decision.error));
}

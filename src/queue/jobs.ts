/**
 * The two queues and their job data. `submit` holds generations not yet accepted by the provider, in fair
 * order (priority = the person's number of waiting generations); it alone is paused when the provider's
 * account concurrency limit answers. `track` holds submitted generations through `wait` and `deliver`.
 */
import type { TrackedGeneration } from '../core/generation/generation-ports.js';
import type { ProviderOutput } from '../core/provider.js';
import type { GenerationSpec, MediaAsset } from '../core/types.js';

export const SUBMIT_QUEUE = 'submit';
export const TRACK_QUEUE = 'track';

export interface SubmitJobData {
  generationId: string;
  spec: GenerationSpec;
  enqueuedAtMs: number;
  /** Set as soon as the provider accepts the request, before anything else happens. */
  requestId?: string;
}

export interface TrackJobData extends TrackedGeneration {
  step: 'wait' | 'deliver';
  /** The completed request's outputs, once the wait is over. */
  outputs?: ProviderOutput[];
  assets?: MediaAsset[];
}

export const newGenerationId = (uuid: string): string => `gen-${uuid}`;

/**
 * The two queues and their job data. `submit` holds generations not yet accepted by Higgsfield, in fair
 * order (priority = the person's number of waiting generations); it alone is paused when Higgsfield's
 * account concurrency limit answers. `track` holds submitted generations through `wait` and `deliver`.
 */
import type { GenerationSpec, MediaAsset } from '../core/types.js';
import type { MediaOutput, RequestStatus } from '../higgsfield/wire.js';

export const SUBMIT_QUEUE = 'submit';
export const TRACK_QUEUE = 'track';

export interface SubmitJobData {
  generationId: string;
  spec: GenerationSpec;
  enqueuedAtMs: number;
  /** Set as soon as Higgsfield accepts the request, before anything else happens. */
  requestId?: string;
}

export interface TrackJobData {
  generationId: string;
  spec: GenerationSpec;
  requestId: string;
  submittedAtMs: number;
  deadlineAtMs: number;
  step: 'wait' | 'deliver';
  polls: number;
  lastStatus?: RequestStatus;
  outputs?: MediaOutput[];
  assets?: MediaAsset[];
}

export const newGenerationId = (uuid: string): string => `gen-${uuid}`;

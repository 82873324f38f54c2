/** The naive comparison worker's queue and job (bench/pipeline/naive-worker.ts), shared with the producer. */
import type { GenerationSpec } from '../../src/core/types.js';

export const NAIVE_QUEUE = 'naive';

export interface NaiveJobData {
  generationId: string;
  spec: GenerationSpec;
}

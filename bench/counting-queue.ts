/**
 * The agent benchmark's generation queue: it counts what it is given and remembers nothing else. The agent
 * benchmark measures proposing options, never a generation, so nothing here reaches Redis or BullMQ (the
 * specs have their own recording fixture; a benchmark does not borrow spec fixtures).
 */
import type { CancelOutcome, EnqueueResult, GenerationLookup, GenerationQueue } from '../src/core/ports.js';
import type { GenerationSpec } from '../src/core/types.js';

export class CountingQueue implements GenerationQueue {
  enqueued = 0;

  async enqueue(_spec: GenerationSpec): Promise<EnqueueResult> {
    this.enqueued++;
    return { generationId: `bench-gen-${this.enqueued}`, duplicate: false, position: 1, estimatedWaitMs: 0 };
  }

  async cancel(): Promise<CancelOutcome> {
    return { outcome: 'not-found' };
  }

  async listActive(): Promise<[]> {
    return [];
  }

  async lookup(): Promise<GenerationLookup | undefined> {
    return undefined;
  }
}

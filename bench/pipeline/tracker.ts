/**
 * What the producer hears on the progress bus during a run: per generation, the first time it was seen in
 * each state that matters (submitted, rendering, delivering, done) and why it failed, if it did.
 */
import type { ProgressEvent } from '../../src/core/types.js';

export class Tracker {
  readonly submittedAt = new Map<string, number>();
  readonly doneAt = new Map<string, number>();
  readonly deliveringAt = new Map<string, number>();
  readonly renderingAt = new Map<string, number>();
  readonly failed = new Map<string, string>();
  events = 0;

  on(event: ProgressEvent): void {
    this.events++;
    const id = event.generationId;
    if (event.state === 'submitted' && !this.submittedAt.has(id)) this.submittedAt.set(id, event.atMs);
    if (event.state === 'done' && !this.doneAt.has(id)) this.doneAt.set(id, event.atMs);
    if (event.state === 'delivering' && !this.deliveringAt.has(id)) this.deliveringAt.set(id, event.atMs);
    if (event.state === 'rendering' && !this.renderingAt.has(id)) this.renderingAt.set(id, event.atMs);
    if ((event.state === 'failed' || event.state === 'canceled') && !this.failed.has(id)) {
      this.failed.set(id, event.message ?? event.state);
    }
  }

  get finished(): number {
    return this.doneAt.size + this.failed.size;
  }

  firstSubmit(): number | undefined {
    let first: number | undefined;
    for (const at of this.submittedAt.values()) first = first === undefined ? at : Math.min(first, at);
    return first;
  }
}

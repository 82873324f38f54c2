/**
 * What a benchmark run has started, to be stopped again: clean-ups run last-in first-out, each once, each
 * within 20 s, and their errors are collected rather than thrown, so one failing step never skips the rest.
 */
import { withTimeout } from './waits.js';

export class Scope {
  private readonly steps: Array<{ name: string; run: () => Promise<void> | void }> = [];
  private closing: Promise<string[]> | undefined;

  defer(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /** Runs every clean-up (once, however often it is called); resolves with the problems met. */
  close(): Promise<string[]> {
    this.closing ??= (async () => {
      const problems: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await withTimeout(Promise.resolve(step.run()), 20_000, `clean-up ${step.name}`);
        } catch (err) {
          problems.push(`${step.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return problems;
    })();
    return this.closing;
  }
}

/**
 * Keeps a pipeline benchmark run bounded and clean: every scenario opens a Scope for what it starts; Ctrl-C,
 * SIGTERM and the hard timeout close them all, delete whatever keys are left under the run id, and exit.
 * Nothing is installed until `start()` (called by main), so importing this module does nothing.
 *
 * Non-obvious: under `npx tsx` one Ctrl-C arrives twice (the terminal signals the whole process group and tsx
 * relays it), so a repeat within 3 s is ignored; a later one exits without finishing the clean-up.
 */
import { deleteBenchKeys } from '../bench-keys.js';
import { Scope } from '../scope.js';

class Aborted extends Error {}

export class RunControl {
  private readonly scopes: Scope[] = [];
  private aborting: Promise<void> | undefined;
  private abortStartedAt = 0;
  private hardTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly options: {
      redisUrl: string;
      /** Every key of the run starts with it (`bench-<hex>`). */
      runId: string;
      hardTimeoutMs: number;
    },
  ) {}

  /** Installs the signal handlers and the hard timeout. */
  start(): void {
    process.on('SIGINT', () => void this.abort('interrupted', 130));
    process.on('SIGTERM', () => void this.abort('terminated', 143));
    this.hardTimer = setTimeout(
      () => void this.abort(`hard timeout of ${this.options.hardTimeoutMs / 1000} s reached`, 1),
      this.options.hardTimeoutMs,
    );
    this.hardTimer.unref();
  }

  /** One line of progress, stamped with the seconds since the run started. */
  log(message: string): void {
    const t = ((Date.now() - this.startedAt) / 1000).toFixed(1).padStart(6);
    console.log(`[${t} s] ${message}`);
  }

  /** Throws once an abort has begun, so no new scenario starts (or spawns) while clean-up runs. */
  checkRunning(): void {
    if (this.aborting) throw new Aborted('aborted');
  }

  /**
   * Runs `work` with a Scope of its own, closed when it ends whatever happens (and by an abort meanwhile);
   * clean-up problems are printed under `label`.
   */
  async withScope<T>(label: string, work: (scope: Scope) => Promise<T>): Promise<T> {
    this.checkRunning();
    const scope = new Scope();
    this.scopes.push(scope);
    try {
      return await work(scope);
    } finally {
      for (const problem of await scope.close()) console.error(`  clean-up (${label}): ${problem}`);
      const index = this.scopes.indexOf(scope);
      if (index >= 0) this.scopes.splice(index, 1);
    }
  }

  /** Closes every open scope, then deletes any key left under the run id; returns the problems met. */
  async closeEverything(): Promise<string[]> {
    const problems: string[] = [];
    for (let round = 0; round < 100 && this.scopes.length > 0; round++) {
      const scope = this.scopes.pop()!;
      problems.push(...(await scope.close()));
    }
    try {
      const leftover = await deleteBenchKeys(this.options.redisUrl, this.options.runId);
      if (leftover > 0) problems.push(`deleted ${leftover} leftover keys under ${this.options.runId}`);
    } catch (err) {
      problems.push(`final key clean-up: ${err instanceof Error ? err.message : String(err)}`);
    }
    return problems;
  }

  /** Cleans up once and exits with `code`. */
  abort(reason: string, code: number): Promise<void> {
    if (this.aborting) {
      if (Date.now() - this.abortStartedAt > 3_000) {
        console.error('second interrupt: exiting without finishing the clean-up');
        process.exit(code);
      }
      return this.aborting;
    }
    this.abortStartedAt = Date.now();
    this.aborting = (async () => {
      console.error(`\n${reason}: stopping child processes and cleaning up…`);
      for (const problem of await this.closeEverything()) console.error(`  clean-up: ${problem}`);
      process.exit(code);
    })();
    return this.aborting;
  }

  /** The run ended: clean up and exit 0, or, after an error, the abort's clean-up and exit 1. */
  async finish(error?: unknown): Promise<void> {
    if (error === undefined && !this.aborting) {
      for (const problem of await this.closeEverything()) console.error(`clean-up: ${problem}`);
      clearTimeout(this.hardTimer);
      process.exit(0);
    }
    if (this.aborting) return this.aborting;
    console.error(error);
    return this.abort('benchmark failed', 1);
  }
}

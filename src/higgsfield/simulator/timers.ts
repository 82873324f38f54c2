/**
 * One registry for every timer the simulator starts (webhook schedules, retries, fault delays), so
 * `close()` can clear them all. Timers are unref'd: a forgotten simulator never keeps a process alive.
 */

export class Timers {
  private readonly live = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs `fn` after `ms`; returns a cancel function. Does nothing once closed. */
  set(fn: () => void, ms: number): () => void {
    if (this.closed) return () => {};
    const handle = setTimeout(
      () => {
        this.live.delete(handle);
        fn();
      },
      Math.max(0, ms),
    );
    handle.unref();
    this.live.add(handle);
    return () => {
      clearTimeout(handle);
      this.live.delete(handle);
    };
  }

  /** Resolves after `ms`; never resolves if the registry is closed first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.set(resolve, ms);
    });
  }

  clearAll(): void {
    this.closed = true;
    for (const handle of this.live) clearTimeout(handle);
    this.live.clear();
  }
}

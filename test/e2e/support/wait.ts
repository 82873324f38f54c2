/** Waiting on conditions with a deadline, never on a fixed sleep for correctness. */

export interface WaitOptions {
  timeoutMs: number;
  /** What is being waited for, for the error. */
  what: string;
  intervalMs?: number;
  /** Extra detail for the error (current counts, say), read when the deadline passes. */
  detail?: () => string;
}

/** Polls `condition` (sync or async) until it is true; rejects with `what` (and `detail`) at the deadline. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      const detail = options.detail ? ` (${options.detail()})` : '';
      throw new Error(`waited ${options.timeoutMs} ms for: ${options.what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}

/**
 * After the work is done, a short quiet spell in which nothing more may happen (a second post, say).
 * The only plain wait the specs use: "exactly once" needs a moment in which a duplicate could have appeared.
 */
export function settle(ms = 1_500): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The promise's value, or `fallback` once `ms` passed (the timer is cleared either way). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((r) => (timer = setTimeout(() => r(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

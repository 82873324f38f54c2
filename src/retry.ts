/**
 * Exponential backoff with jitter, and a retry loop that honours an AbortSignal. Shared by the
 * Higgsfield client (transport retries) and by polling (growing intervals), so the curve lives once.
 */
import { AbortedError } from './errors.js';

export interface BackoffPolicy {
  /** First delay. */
  baseMs: number;
  /** Growth per attempt (2 doubles, 1.5 as Higgsfield's polling advice). */
  factor: number;
  /** Cap before jitter. */
  maxMs: number;
  /** Random extra of up to this fraction of the delay (0.25 = up to +25 %). */
  jitterRatio: number;
}

/** The delay before retry number `attempt` (0-based). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, attempt));
  return Math.round(raw * (1 + policy.jitterRatio * random()));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError(undefined, signal.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(undefined, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions extends BackoffPolicy {
  /** Total tries, the first included. */
  attempts: number;
  signal?: AbortSignal;
  shouldRetry: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt + 1 >= options.attempts || !options.shouldRetry(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelayMs(attempt, options);
      options.onRetry?.(error, attempt + 1, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

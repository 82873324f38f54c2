/**
 * Throttles edits of one status message: the first change shows at once, later ones within the interval
 * collapse into the newest, and a final state (done, failed, canceled) is never held back. Platforms rate-
 * limit edits (Discord caps edits to old messages), and people only need the latest state anyway.
 */
import type { ProgressEvent } from './types.js';

const FINAL = new Set(['done', 'failed', 'canceled']);

export interface StatusThrottle {
  push(event: ProgressEvent): void;
  /** Send what is pending now and stop the timers. */
  flush(): Promise<void>;
}

export function createStatusThrottle(options: {
  intervalMs: number;
  apply: (event: ProgressEvent) => Promise<void>;
  onError?: (error: unknown, event: ProgressEvent) => void;
  now?: () => number;
}): StatusThrottle {
  const now = options.now ?? Date.now;
  const slots = new Map<
    string,
    { lastAtMs: number; pending?: ProgressEvent; timer?: NodeJS.Timeout; closed: boolean }
  >();

  const send = (key: string, event: ProgressEvent) => {
    const slot = slots.get(key);
    if (!slot) return;
    slot.lastAtMs = now();
    if (FINAL.has(event.state)) slot.closed = true;
    void options.apply(event).catch((error) => options.onError?.(error, event));
  };

  return {
    push(event) {
      const key = event.generationId;
      let slot = slots.get(key);
      if (!slot) {
        slot = { lastAtMs: 0, closed: false };
        slots.set(key, slot);
      }
      if (slot.closed) return;
      const current = slot;
      const wait = current.lastAtMs + options.intervalMs - now();
      if (FINAL.has(event.state) || wait <= 0) {
        clearTimeout(current.timer);
        delete current.pending;
        delete current.timer;
        send(key, event);
        // Remember a finished message a while, so a late, out-of-order event cannot reopen it.
        if (current.closed) setTimeout(() => slots.delete(key), 60_000).unref();
        return;
      }
      current.pending = event;
      current.timer ??= setTimeout(() => {
        delete current.timer;
        const pending = current.pending;
        delete current.pending;
        if (pending) send(key, pending);
      }, wait);
    },
    async flush() {
      for (const [key, slot] of slots) {
        clearTimeout(slot.timer);
        if (slot.pending) send(key, slot.pending);
      }
      slots.clear();
    },
  };
}

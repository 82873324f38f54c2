/**
 * Throttles the status updates of one generation: the first change shows at once, later ones within the
 * interval collapse into the newest, and an end state (done, failed, canceled) is never held back. Updates
 * of one generation run one after another, never side by side, so they land in the order they were sent.
 * Platforms rate-limit edits (Discord caps edits to old messages), and people only need the latest state.
 */
import { isEnded, type ProgressEvent } from './types.js';

export interface StatusThrottle {
  push(event: ProgressEvent): void;
  /** Send what is pending now, stop the timers, and wait for the updates under way. */
  flush(): Promise<void>;
}

interface Slot {
  lastAtMs: number;
  pending?: ProgressEvent;
  timer?: NodeJS.Timeout;
  closed: boolean;
  /** The updates sent so far, chained, and how many of them have not finished. */
  running: Promise<void>;
  inFlight: number;
}

export function createStatusThrottle(options: {
  intervalMs: number;
  apply: (event: ProgressEvent) => Promise<void>;
  onError?: (error: unknown, event: ProgressEvent) => void;
  now?: () => number;
}): StatusThrottle {
  const now = options.now ?? Date.now;
  const slots = new Map<string, Slot>();

  const send = (slot: Slot, event: ProgressEvent) => {
    slot.lastAtMs = now();
    if (isEnded(event.state)) slot.closed = true;
    const run = () =>
      options
        .apply(event)
        .catch((error) => options.onError?.(error, event))
        .finally(() => {
          slot.inFlight -= 1;
        });
    // Nothing under way: start now (in this tick); else after the updates before it.
    slot.running = slot.inFlight === 0 ? run() : slot.running.then(run);
    slot.inFlight += 1;
  };

  return {
    push(event) {
      const key = event.generationId;
      let slot = slots.get(key);
      if (!slot) {
        slot = { lastAtMs: 0, closed: false, running: Promise.resolve(), inFlight: 0 };
        slots.set(key, slot);
      }
      if (slot.closed) return;
      const current = slot;
      const wait = current.lastAtMs + options.intervalMs - now();
      if (isEnded(event.state) || wait <= 0) {
        clearTimeout(current.timer);
        delete current.pending;
        delete current.timer;
        send(current, event);
        // Remember a finished generation a while, so a late, out-of-order event cannot reopen it.
        if (current.closed) setTimeout(() => slots.delete(key), 60_000).unref();
        return;
      }
      current.pending = event;
      current.timer ??= setTimeout(() => {
        delete current.timer;
        const pending = current.pending;
        delete current.pending;
        if (pending) send(current, pending);
      }, wait);
    },
    async flush() {
      const running: Promise<void>[] = [];
      for (const slot of slots.values()) {
        clearTimeout(slot.timer);
        if (slot.pending) send(slot, slot.pending);
        running.push(slot.running);
      }
      slots.clear();
      await Promise.all(running);
    },
  };
}

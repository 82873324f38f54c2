/**
 * Waiting for one generation's end (done, failed or canceled) on the progress bus, for a route that answers
 * with the result (seed B's `POST /higgsfield/generate`), bounded by a timeout.
 *
 * Decisions:
 * - One subscription per process, not one per request: a bus subscription is a Redis connection of its own.
 *   It starts on the first wait (`listen`), and a route awaits `listen()` before it enqueues, so an event
 *   published before `generate()` returns is not missed: the web's events are kept for a minute (latest per
 *   generation), and a wait begun after its end finds it there.
 * - Only web generations are kept; a process serving Discord does not buffer their events for nobody.
 */
import type { ProgressBus } from '../../core/ports.js';
import { isEnded, type ProgressEvent } from '../../core/types.js';
import { WEB_PLATFORM } from './web-context.js';

/** How long an event stays findable by a wait that starts after it. */
const KEEP_MS = 60_000;

export interface GenerationWaiter {
  /** Listen from now on; resolves once listening (await it before enqueuing). */
  listen(): Promise<void>;
  /** The generation's end event, if heard within `timeoutMs` (or before, since `listen`); else undefined. */
  wait(generationId: string, timeoutMs: number, signal?: AbortSignal): Promise<ProgressEvent | undefined>;
  /** The newest event heard for the generation (within the last minute). */
  latest(generationId: string): ProgressEvent | undefined;
  close(): Promise<void>;
}

export function createGenerationWaiter(progress: ProgressBus, options: { keepMs?: number } = {}): GenerationWaiter {
  const keepMs = options.keepMs ?? KEEP_MS;
  /** Newest event per generation, oldest heard first (re-inserted on each event). */
  const heard = new Map<string, { event: ProgressEvent; atMs: number }>();
  const waiting = new Map<string, Set<(event: ProgressEvent | undefined) => void>>();
  let subscription: Promise<() => Promise<void>> | undefined;
  let closed = false;

  const prune = (now: number) => {
    for (const [id, entry] of heard) {
      if (now - entry.atMs < keepMs) break;
      heard.delete(id);
    }
  };

  const onEvent = (event: ProgressEvent) => {
    if (event.conversation?.platform !== WEB_PLATFORM) return;
    const now = Date.now();
    heard.delete(event.generationId);
    heard.set(event.generationId, { event, atMs: now });
    prune(now);
    if (!isEnded(event.state)) return;
    const resolvers = waiting.get(event.generationId);
    if (!resolvers) return;
    waiting.delete(event.generationId);
    for (const resolve of resolvers) resolve(event);
  };

  return {
    listen() {
      if (closed) return Promise.reject(new Error('the generation waiter is closed'));
      subscription ??= progress.subscribe(onEvent).catch((error: unknown) => {
        subscription = undefined;
        throw error;
      });
      return subscription.then(() => undefined);
    },

    wait(generationId, timeoutMs, signal) {
      const known = heard.get(generationId)?.event;
      if (known && isEnded(known.state)) return Promise.resolve(known);
      if (closed || signal?.aborted) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const done = (event: ProgressEvent | undefined) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          const set = waiting.get(generationId);
          set?.delete(done);
          if (set?.size === 0) waiting.delete(generationId);
          resolve(event);
        };
        const abort = () => done(undefined);
        const timer = setTimeout(abort, Math.max(0, timeoutMs));
        signal?.addEventListener('abort', abort, { once: true });
        const set = waiting.get(generationId) ?? new Set();
        set.add(done);
        waiting.set(generationId, set);
      });
    },

    latest(generationId) {
      return heard.get(generationId)?.event;
    },

    async close() {
      closed = true;
      for (const resolvers of waiting.values()) for (const resolve of resolvers) resolve(undefined);
      waiting.clear();
      heard.clear();
      const unsubscribe = await subscription?.catch(() => undefined);
      await unsubscribe?.();
    },
  };
}

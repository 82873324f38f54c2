/**
 * Server-sent events over fetch: EventSource cannot send `Authorization`, so the page reads the stream body
 * itself. `readSse` hands the text to eventsource-parser (the HTML standard's parsing: `event:`, `id:`,
 * several `data:` lines joined by a line break, comments, CR/LF/CRLF) and gives each event with the stream's
 * last id so far. `followSse` keeps a stream open: it reconnects with the last id
 * (`Last-Event-ID`), waiting 1 s, 2 s, 4 s, 8 s, then 10 s between attempts, at once when the browser comes
 * back online; a refusal that retrying cannot fix (401, 404…) stops it.
 */
import { createParser } from 'eventsource-parser';
import { ApiError } from './errors';

export interface SseFrame {
  event: string;
  data: string;
  /** The stream's last event id when the frame was dispatched. */
  id: string | undefined;
}

/** Reads an event-stream body to its end (an unfinished last frame is dropped, as the standard says). */
export async function readSse(body: ReadableStream<Uint8Array> | null, onFrame: (frame: SseFrame) => void) {
  if (!body) return;
  let lastId: string | undefined;
  const parser = createParser({
    onEvent(message) {
      lastId = message.id ?? lastId;
      onFrame({ event: message.event ?? 'message', data: message.data, id: lastId });
    },
  });
  const feed = (text: string) => parser.feed(text);
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      feed(decoder.decode(value, { stream: true }));
    }
    feed(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}

export interface FollowHandlers {
  frame(frame: SseFrame): void;
  /** The stream is open (again). */
  up(): void;
  /** It broke and will be retried. */
  down(error: unknown): void;
  /** It was refused for good (not retried). */
  stop(error: ApiError): void;
}

const DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 10_000];
/** A connection that lasted this long starts the backoff over. */
const STABLE_MS = 10_000;
const FATAL = new Set([400, 401, 403, 404, 410, 422]);

/** Keeps a stream open until the returned function is called. `open` makes the request (with the last id). */
export function followSse(
  open: (lastId: string | undefined, signal: AbortSignal) => Promise<Response>,
  on: FollowHandlers,
): () => void {
  let lastId: string | undefined;
  let attempt = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;

  const retry = (minimumMs = 0) => {
    const delay = Math.max(DELAYS_MS[Math.min(attempt, DELAYS_MS.length - 1)] ?? 10_000, minimumMs);
    attempt++;
    timer = setTimeout(run, delay);
  };

  async function run() {
    timer = undefined;
    controller = new AbortController();
    let openedAt = 0;
    try {
      const response = await open(lastId, controller.signal);
      openedAt = Date.now();
      on.up();
      await readSse(response.body, (frame) => {
        lastId = frame.id ?? lastId;
        on.frame(frame);
      });
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && FATAL.has(error.status)) {
        stopped = true;
        on.stop(error);
        return;
      }
      on.down(error);
      if (openedAt && Date.now() - openedAt > STABLE_MS) attempt = 0;
      retry(error instanceof ApiError ? (error.retryAfterS ?? 0) * 1_000 : 0);
      return;
    }
    if (stopped) return;
    // The server ended the stream: open it again (soon, unless it keeps ending at once).
    if (Date.now() - openedAt > STABLE_MS) attempt = 0;
    retry();
  }

  const online = () => {
    if (stopped || timer === undefined) return;
    clearTimeout(timer);
    attempt = 0;
    void run();
  };
  window.addEventListener('online', online);
  void run();

  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    controller?.abort();
    window.removeEventListener('online', online);
  };
}

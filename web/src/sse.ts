/**
 * Server-sent events over fetch: EventSource cannot send `Authorization`, so the page reads the stream body
 * itself. `readSse` parses frames as the HTML standard says (`event:`, `id:`, `data:` lines, several `data:`
 * lines joined by a line break, `:` comments, CR, LF or CRLF line ends, a frame without data is not
 * dispatched, the last `id:` carries over). `followSse` keeps a stream open: it reconnects with the last id
 * (`Last-Event-ID`), waiting 1 s, 2 s, 4 s, 8 s, then 10 s between attempts, at once when the browser comes
 * back online; a refusal that retrying cannot fix (401, 404…) stops it.
 */
import { ApiError } from './errors';

export interface SseFrame {
  event: string;
  data: string;
  /** The stream's last event id when the frame was dispatched. */
  id: string | undefined;
}

/** A line parser: feed it text as it arrives; complete frames go to `onFrame`. */
function sseParser(onFrame: (frame: SseFrame) => void) {
  let pending = '';
  let skipLf = false;
  let event = '';
  let data: string[] = [];
  let lastId: string | undefined;

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onFrame({ event: event || 'message', data: data.join('\n'), id: lastId });
      data = [];
      event = '';
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) lastId = value;
  };

  return (chunk: string) => {
    let text = chunk;
    if (skipLf && text.startsWith('\n')) text = text.slice(1);
    skipLf = false;
    const all = pending + text;
    let start = 0;
    for (let i = 0; i < all.length; i++) {
      const code = all.charCodeAt(i);
      if (code !== 10 && code !== 13) continue;
      line(all.slice(start, i));
      if (code === 13) {
        if (i + 1 === all.length) skipLf = true;
        else if (all.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    pending = all.slice(start);
  };
}

/** Reads an event-stream body to its end (an unfinished last frame is dropped, as the standard says). */
export async function readSse(body: ReadableStream<Uint8Array> | null, onFrame: (frame: SseFrame) => void) {
  if (!body) return;
  const feed = sseParser(onFrame);
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

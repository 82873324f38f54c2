/**
 * Server-sent events on a Fastify reply: `openSse` takes the reply over (hijack), writes the stream's head
 * with the headers hooks already set (CORS, rate limit) and gives a small writer of `event:` / `id:` /
 * `data:` frames. Generic: the `/v1/chat/stream` route and a chat's event stream both write through it.
 *
 * Decisions:
 * - `data` is JSON unless it is a string; a string with line breaks becomes one `data:` line per line, as the
 *   SSE format wants, so a frame can never be split or forged by what a person typed.
 * - `send` answers false when the socket's buffer is full; a writer that cares awaits `drained()` (one
 *   promise per stall, resolved on 'drain' or close), so a slow client costs its buffer, not our memory.
 * - An optional heartbeat writes a comment line every `heartbeatMs` (unref'd), so proxies keep an idle stream
 *   open; it stops when the stream closes.
 * - After the hijack Fastify no longer answers for this request: errors must be settled before `openSse`
 *   (answer them as JSON first), and whatever goes wrong later is the writer's to end with `close()`.
 */
import type { FastifyReply } from 'fastify';

export interface SseStream {
  /** One frame; false when the client's buffer is full (await `drained()` before the next, if it matters). */
  send(event: string, data: unknown, id?: string): boolean;
  /** A comment line (`: text`), ignored by clients. */
  comment(text: string): boolean;
  /** Resolves once the buffer has room again, or the stream closed. */
  drained(): Promise<void>;
  /** Ends the stream (idempotent). */
  close(): void;
  /** The stream ended: closed by us or by the client. */
  readonly closed: boolean;
  /** Called once when the stream ends, whoever ended it. */
  onClose(listener: () => void): void;
}

export interface SseOptions {
  /** Write `: ping` this often while the stream is open; 0 or absent: no heartbeat. */
  heartbeatMs?: number;
  /** The `retry:` (milliseconds) the client should wait before reconnecting, sent once at the start. */
  retryMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx and similar proxies must not buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/** One SSE frame as text. `event` and `id` are single-line by construction (line breaks are removed). */
export function sseFrame(event: string, data: unknown, id?: string): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data ?? null);
  const lines = text.split(/\r\n|\r|\n/);
  let frame = '';
  if (id !== undefined) frame += `id: ${oneLine(id)}\n`;
  frame += `event: ${oneLine(event)}\n`;
  for (const line of lines) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

export function openSse(reply: FastifyReply, options: SseOptions = {}): SseStream {
  reply.hijack();
  const res = reply.raw;
  const headers: Record<string, string | number | readonly string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value;
  }
  res.writeHead(200, { ...headers, ...STREAM_HEADERS, ...options.headers });
  res.flushHeaders();

  let closed = false;
  const listeners: Array<() => void> = [];
  let waiting: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const finish = () => {
    if (closed) return;
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
    for (const listener of listeners.splice(0)) listener();
  };
  res.on('close', finish);
  res.on('error', finish);

  const write = (text: string): boolean => {
    if (closed || res.destroyed) return false;
    return res.write(text);
  };

  if (options.retryMs !== undefined) write(`retry: ${Math.max(0, Math.floor(options.retryMs))}\n\n`);
  if (options.heartbeatMs && options.heartbeatMs > 0) {
    heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
    heartbeat.unref();
  }

  return {
    send: (event, data, id) => write(sseFrame(event, data, id)),
    comment: (text) => write(`: ${oneLine(text)}\n\n`),
    drained() {
      if (closed || !res.writableNeedDrain) return Promise.resolve();
      waiting ??= new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          waiting = undefined;
          resolve();
        };
        res.once('drain', done);
        listeners.push(done);
      });
      return waiting;
    },
    close() {
      if (closed) return;
      res.end();
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

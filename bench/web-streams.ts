/**
 * The event-stream side of the web benchmark: many `GET /chats/{id}/events` streams held open at once over
 * one undici Pool (a connection each), their server-sent-event frames parsed as they arrive, and for each
 * stream which events it got and when. Non-obvious decisions:
 * - the arrival time is taken once per network chunk, before parsing, so the figure is when the bytes
 *   reached this process, not when this process got round to them;
 * - an event is known by its `generation_id` (the benchmark gives each appended event its own), so a
 *   duplicate, a missing event and an event of another chat can all be told apart per stream.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** Incremental text/event-stream parser (WHATWG rules: fields until a blank line; comments ignored). */
export class SseParser {
  private buffer = '';
  private frame: { id?: string; event?: string; data: string[] } = { data: [] };

  push(chunk: string, onFrame: (frame: SseFrame) => void): void {
    this.buffer += chunk;
    for (;;) {
      const newline = this.buffer.search(/\r\n|\r|\n/);
      if (newline < 0) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.frame.data.length > 0) {
          const { id, event } = this.frame;
          onFrame({
            ...(id !== undefined ? { id } : {}),
            ...(event !== undefined ? { event } : {}),
            data: this.frame.data.join('\n'),
          });
        }
        this.frame = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.frame.data.push(value);
      else if (field === 'id') this.frame.id = value;
      else if (field === 'event') this.frame.event = value;
    }
  }
}

export interface OpenStream {
  chatId: string;
  /** generation_id → arrival times (performance.now()) of each frame carrying it. */
  received: Map<string, number[]>;
  /** Frames whose data was not a JSON event with a generation_id. */
  otherFrames: number;
  /** Set when the stream ended or failed before the benchmark closed it. */
  ended?: string;
  close(): void;
}

/** Opens one event stream; resolves once the response headers (200, text/event-stream) are in. */
export async function openEventStream(pool: Pool, origin: string, key: string, chatId: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await pool.request({
    origin,
    path: `/chats/${chatId}/events`,
    method: 'GET',
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const type = String(res.headers['content-type'] ?? '');
  if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
    const text = await res.body.text().catch(() => '');
    throw new Error(`GET /chats/${chatId}/events answered ${res.statusCode} ${type}: ${text.slice(0, 200)}`);
  }
  const stream: OpenStream = {
    chatId,
    received: new Map(),
    otherFrames: 0,
    close: () => controller.abort(),
  };
  const parser = new SseParser();
  res.body.setEncoding('utf8');
  res.body.on('data', (chunk: string) => {
    const at = performance.now();
    parser.push(chunk, (frame) => {
      let generationId: unknown;
      try {
        generationId = (JSON.parse(frame.data) as { generation_id?: unknown }).generation_id;
      } catch {
        generationId = undefined;
      }
      if (typeof generationId !== 'string') {
        stream.otherFrames++;
        return;
      }
      const times = stream.received.get(generationId) ?? [];
      times.push(at);
      stream.received.set(generationId, times);
    });
  });
  res.body.on('error', (error: Error) => {
    if (!controller.signal.aborted) stream.ended ??= error.message;
  });
  res.body.on('end', () => {
    stream.ended ??= 'ended by the server';
  });
  return stream;
}

/** A pool for `count` streams held open at once: one connection each, no body timeout. */
export function streamPool(origin: string, count: number): Pool {
  return new Pool(origin, { connections: count + 8, pipelining: 1, bodyTimeout: 0, headersTimeout: 30_000 });
}

/**
 * One chat's event stream to one client: what it missed (after its `Last-Event-ID`), then what happens
 * live, each event once and in order, as SSE frames `id: <id>` / `event: <type>` / `data: <json>`.
 *
 * Decisions:
 * - Subscribe first, then read what was missed: an event appended in between comes both ways and is sent
 *   once, since an event goes out only when its id is after the last one sent (ids are increasing per chat).
 *   Live events that arrive while the backlog is read wait in a small queue.
 * - A client that does not read (its socket buffer over `maxBufferedBytes`) is ended rather than buffered
 *   for: it reconnects with its `Last-Event-ID` and gets what it missed from the log.
 * - A comment line every `keepAliveMs` keeps proxies from closing an idle stream; `retry: 3000` tells the
 *   browser how soon to come back.
 * - Redis failing while the backlog is read ends the stream: the client comes back, and resumes.
 * - A HEAD request gets the stream's head and its end: nothing is subscribed for it.
 */
import type { FastifyReply } from 'fastify';
import type { PlatformLogger } from '../../core/platform.js';
import { openSse } from './sse.js';
import { isAfter } from './web-event-ids.js';
import type { StoredWebEvent, WebEventLog } from './web-events.js';

const PAGE = 1_000;
/** A chat's stream keeps about 1,000 events: a backlog is a few pages at most. */
const MAX_PAGES = 10;

export interface ChatEventStreamOptions {
  events: WebEventLog;
  chatId: string;
  /** The last event the client has (well formed, or undefined for none). */
  lastId: string | undefined;
  logger: PlatformLogger;
  keepAliveMs?: number;
  retryMs?: number;
  maxBufferedBytes?: number;
}

/** Takes the reply over and streams the chat's events until the client goes away. */
export async function streamChatEvents(reply: FastifyReply, options: ChatEventStreamOptions): Promise<void> {
  const { events, chatId, logger } = options;
  if (reply.request.method === 'HEAD') {
    // The head only: nothing to stream, nothing to hold open.
    openSse(reply).close();
    return;
  }
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  let lastSent = options.lastId;
  /** Live events heard before the backlog was sent; undefined once it was. */
  let early: StoredWebEvent[] | undefined = [];

  const send = (stored: StoredWebEvent) => {
    if (stream.closed || (lastSent !== undefined && !isAfter(stored.id, lastSent))) return;
    lastSent = stored.id;
    stream.send(stored.event.type, stored.event, stored.id);
    if (reply.raw.writableLength > maxBuffered) {
      logger.info({ chatId, buffered: reply.raw.writableLength }, 'event stream ended: the client is not reading');
      stream.close();
    }
  };

  const unsubscribe = events.subscribe(chatId, (stored) => {
    if (early) early.push(stored);
    else send(stored);
  });
  const stream = openSse(reply, { retryMs: options.retryMs ?? 3_000 });
  const keepAlive = setInterval(() => stream.comment('keep-alive'), options.keepAliveMs ?? 15_000);
  keepAlive.unref();
  stream.onClose(() => {
    clearInterval(keepAlive);
    unsubscribe();
  });

  try {
    for (let page = 0; page < MAX_PAGES && !stream.closed; page++) {
      const missed = await events.since(chatId, lastSent, PAGE);
      for (const stored of missed) send(stored);
      if (missed.length < PAGE) break;
    }
  } catch (err) {
    logger.warn({ err, chatId }, 'event stream ended: its backlog could not be read');
    stream.close();
    return;
  }
  const queued = early;
  early = undefined;
  for (const stored of queued) send(stored);
}

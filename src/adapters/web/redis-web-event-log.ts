/**
 * The web's event log on Redis: one global stream (`<prefix>:web:events`, the last 100,000 events of every
 * chat) and one stream per chat (`<prefix>:web:chat:<chatId>`, its last 1,000, kept 7 days after its newest).
 *
 * Decisions:
 * - `append` is one Lua script: the generation's end marker (nothing is appended for a generation that has
 *   ended; its first end event sets it), the once-marker (a delivery already appended appends nothing), the
 *   global XADD, then the chat's XADD with the same explicit id. Ids are therefore equal in both streams and
 *   increasing per chat, so the live feed (read from the global stream) and a resume (read from the chat's)
 *   name every event alike and a client dedupes by comparing ids. Should the global stream be lost while a
 *   chat's is kept, the script continues after the chat's newest id instead of failing half-way.
 * - Live events: one reader connection per process, one `XREAD BLOCK` loop on the global stream, fanned out
 *   in process to the subscribers of each chat (a Set entry each), so a thousand open streams cost a
 *   thousand Set entries, not a thousand connections. The loop's starting point is asked on the command
 *   connection, in order before any `since` a subscriber sends after subscribing: nothing appended between
 *   a subscriber's `since` and the loop's first read is missed. After an error it resumes from the last id
 *   it saw (a connection that has ended is replaced); it stops a while after its last subscriber left.
 */
import type { Redis } from 'ioredis';
import type { PlatformLogger } from '../../core/platform.js';
import { isEnded } from '../../core/types.js';
import { eventIdOrUndefined } from './web-event-ids.js';
import { type StoredWebEvent, type WebEvent, type WebEventLog, WebEventSchema } from './web-events.js';

const GLOBAL_MAXLEN = 100_000;
const CHAT_MAXLEN = 1_000;
const KEEP_S = 7 * 24 * 3600;
/** Events taken per read; the loop reads again at once when there were more. */
const READ_COUNT = 500;
const MAX_SINCE = 10_000;

// KEYS[1] global stream, KEYS[2] chat stream, KEYS[3] the generation's end marker, KEYS[4] once marker (optional)
// ARGV[1] event JSON, ARGV[2] chat id, ARGV[3] global maxlen, ARGV[4] chat maxlen, ARGV[5] keep seconds,
// ARGV[6] '1' for an end event → the event's id, or nil when nothing was appended
const APPEND = `
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
if KEYS[4] and not redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[5]) then return false end
if ARGV[6] == '1' then redis.call('SET', KEYS[3], '1', 'EX', ARGV[5]) end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'chat', ARGV[2], 'event', ARGV[1])
local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
if newest then
  local nm, ns = string.match(newest[1], '^(%d+)-(%d+)$')
  local im, is = string.match(id, '^(%d+)-(%d+)$')
  if tonumber(im) < tonumber(nm) or (im == nm and tonumber(is) <= tonumber(ns)) then
    redis.call('XDEL', KEYS[1], id)
    id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], nm .. '-' .. string.format('%d', tonumber(ns) + 1),
      'chat', ARGV[2], 'event', ARGV[1])
  end
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], id, 'event', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return id
`;

export interface RedisWebEventLogOptions {
  /** Commands (append, since): never blocked. */
  redis: Redis;
  /** Makes the connection the live loop blocks on (called on the first subscribe, and to replace one that ended). */
  reader: () => Redis;
  prefix: string;
  logger: PlatformLogger;
  /** How long one read waits for events (default 5 s). */
  blockMs?: number;
  /** How long the loop runs on with nobody subscribed (default 30 s). */
  idleMs?: number;
  /** Wait after a Redis error before reading again (default 1 s). */
  retryMs?: number;
}

type Listener = (stored: StoredWebEvent) => void;
type StreamEntry = [id: string, fields: string[]];

export function createRedisWebEventLog(options: RedisWebEventLogOptions): WebEventLog {
  const { redis, prefix } = options;
  const log = options.logger.child({ module: 'web-events' });
  const blockMs = options.blockMs ?? 5_000;
  const idleMs = options.idleMs ?? 30_000;
  const retryMs = options.retryMs ?? 1_000;
  const globalKey = `${prefix}:web:events`;
  const chatKey = (chatId: string) => `${prefix}:web:chat:${chatId}`;
  const onceKeyOf = (key: string) => `${prefix}:web:once:${key}`;
  const endedKey = (generationId: string) => `${prefix}:web:ended:${generationId}`;

  const subscribers = new Map<string, Set<Listener>>();
  let reader: Redis | undefined;
  let running: Promise<void> | undefined;
  let idleSince = 0;
  let closed = false;
  /** Ends the loop's current wait (a read, or the pause after an error) at once: `close` calls it. */
  let interrupt: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (interrupt === done) interrupt = undefined;
        resolve();
      }
      interrupt = done;
    });

  /**
   * `work`, or undefined once interrupted: a read on a connection that is reconnecting is neither answered
   * nor refused when it is disconnected, and must not hold `close` up.
   */
  const untilClosed = <T>(work: Promise<T>): Promise<T | undefined> =>
    new Promise<T | undefined>((resolve, reject) => {
      const stop = () => resolve(undefined);
      interrupt = stop;
      work.then(resolve, reject).finally(() => {
        if (interrupt === stop) interrupt = undefined;
      });
    });

  const dispatch = ([id, fields]: StreamEntry) => {
    const listeners = subscribers.get(fieldValue(fields, 'chat') ?? '');
    if (!listeners) return;
    const event = parseEvent(fieldValue(fields, 'event'));
    if (!event) {
      log.warn({ id }, 'an unreadable web event was skipped');
      return;
    }
    const stored = { id, event };
    for (const listener of listeners) {
      try {
        listener(stored);
      } catch (err) {
        log.warn({ err, id }, 'a web event listener failed');
      }
    }
  };

  /** Reads the global stream from the newest event at start until idle or closed. */
  const loop = async () => {
    let lastSeen: string | undefined;
    let start: Promise<string> | undefined = newestId();
    while (!closed) {
      if (subscribers.size === 0 && Date.now() - idleSince >= idleMs) break;
      try {
        lastSeen ??= await untilClosed(start ?? newestId());
        if (closed || lastSeen === undefined) break;
        reader ??= options.reader();
        const reply = (await untilClosed(
          reader.xread('COUNT', READ_COUNT, 'BLOCK', blockMs, 'STREAMS', globalKey, lastSeen),
        )) as Array<[string, StreamEntry[]]> | null | undefined;
        for (const entry of reply?.[0]?.[1] ?? []) {
          lastSeen = entry[0];
          dispatch(entry);
        }
      } catch (err) {
        start = undefined;
        if (closed) break;
        log.warn({ err: errorText(err), status: reader?.status }, 'reading web events failed; trying again');
        // A connection that has ended does not come back: the next read gets a new one.
        if (reader?.status === 'end') reader = undefined;
        await pause(retryMs);
      }
    }
    // Decided in the same step as the exit: a subscribe from now on starts a loop of its own.
    running = undefined;
  };

  /** The global stream's newest id ('0-0' when empty), asked on the command connection (see the header). */
  function newestId(): Promise<string> {
    return redis.xrevrange(globalKey, '+', '-', 'COUNT', 1).then((entries) => entries[0]?.[0] ?? '0-0');
  }

  return {
    async append(event: WebEvent, onceKey?: string) {
      const checked = WebEventSchema.parse(event);
      const keys = [
        globalKey,
        chatKey(checked.chat_id),
        endedKey(checked.generation_id),
        ...(onceKey ? [onceKeyOf(onceKey)] : []),
      ];
      const id = (await redis.eval(
        APPEND,
        keys.length,
        ...keys,
        JSON.stringify(checked),
        checked.chat_id,
        String(GLOBAL_MAXLEN),
        String(CHAT_MAXLEN),
        String(KEEP_S),
        isEnded(checked.type) ? '1' : '0',
      )) as string | null;
      return id ?? undefined;
    },

    async since(chatId, lastId, limit) {
      const after = eventIdOrUndefined(lastId);
      const count = Math.max(1, Math.min(MAX_SINCE, Math.floor(limit)));
      const entries = await redis.xrange(chatKey(chatId), after ? `(${after}` : '-', '+', 'COUNT', count);
      const out: StoredWebEvent[] = [];
      for (const [id, fields] of entries) {
        const event = parseEvent(fieldValue(fields, 'event'));
        if (event) out.push({ id, event });
        else log.warn({ id, chatId }, 'an unreadable web event was skipped');
      }
      return out;
    },

    subscribe(chatId, listener) {
      if (closed) return () => {};
      let listeners = subscribers.get(chatId);
      if (!listeners) {
        listeners = new Set();
        subscribers.set(chatId, listeners);
      }
      listeners.add(listener);
      if (!running) running = loop();
      const own = listeners;
      return () => {
        own.delete(listener);
        if (own.size === 0 && subscribers.get(chatId) === own) subscribers.delete(chatId);
        if (subscribers.size === 0) idleSince = Date.now();
      };
    },

    async close() {
      closed = true;
      subscribers.clear();
      interrupt?.();
      await running;
      if (reader) await disconnected(reader);
      reader = undefined;
    },
  };
}

/** Disconnects and waits (a moment at most) for the socket to close. */
async function disconnected(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  const ended = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    connection.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  connection.disconnect();
  await ended;
}

function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function parseEvent(json: string | undefined): WebEvent | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed = WebEventSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

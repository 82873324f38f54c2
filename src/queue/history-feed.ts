/**
 * The history feed: writes what happened to the history store, off every acknowledgement path. It reads two
 * Redis streams in one consumer group, `history` — the history log (turns, history-log.ts) and the progress
 * stream (every state change of every generation, progress-bus.ts) — writes each entry to the store in
 * stream order and acknowledges it only after the store answered. Several processes run a feed each; the
 * group hands every entry to one of them, and the store's idempotent writes absorb redeliveries.
 *
 * Non-obvious decisions:
 * - The groups start at `0`, not `$`: events written before the first feed ever ran (or while none ran) are
 *   still written. On a fresh deployment over an existing stream that means a one-time backfill of whatever
 *   the stream still holds (at most its cap), including generations whose 'queued' event was trimmed already.
 * - The store down (an outage error: ServiceUnavailable, a connection error, a PostgreSQL connection/resource
 *   class code): the entries stay pending in Redis, the feed backs off (1 s doubling to 30 s), logs once when
 *   it starts failing and once when it recovers, and on each retry reads its own pending entries (`0`)
 *   before new ones (`>`), so order is kept and nothing is skipped. The streams' caps bound how long an
 *   outage can be before the oldest unread entries are trimmed (progress-bus.ts says how long).
 * - Any other store error is retried the same way, but an entry refused `maxAttempts` times is logged in full
 *   (error level) and acknowledged: one poisoned entry must not stop history for everyone.
 * - A malformed entry (not JSON, wrong shape) or one trimmed before it was read is logged and acknowledged.
 * - Entries pending on a consumer that went away (a process killed mid-batch) are claimed with XAUTOCLAIM
 *   once idle for `claimIdleMs`; consumers left with nothing pending are removed from the group after an hour.
 * - Turns written are trimmed from the history log (MINID: the oldest still pending, else the last delivered),
 *   so in steady state the log is nearly empty and its 200,000-entry cap is room for an outage. The progress
 *   stream is left to its own cap: its XREAD subscribers need what they have not read yet.
 * - Turns are written before the progress events of the same read, so a conversation's first request
 *   usually lands before its generations. Across feeds (and after a claim) events of one generation may
 *   reach the store out of order: the store keeps the furthest state, not the last to arrive.
 * - `stop()` disconnects `redis` (it is the feed's own connection: a blocking read can only be cut short
 *   that way), after letting the entry being written finish for up to 2 s; what it did not acknowledge is
 *   claimed later by another feed or the next start.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { HistoryStore, HistoryTurn } from '../core/history.js';
import type { PlatformLogger } from '../core/platform.js';
import type { ProgressEvent } from '../core/types.js';
import { isAppError, isConnectionError } from '../errors.js';
import { type Parsed, parseProgressEntry, parseTurnEntry } from './history-entries.js';
import { historyLogKey, TURN_FIELD } from './history-log.js';

export const HISTORY_GROUP = 'history';
/** The progress bus's stream (create-pipeline.ts names it so) and its entries' field (progress-bus.ts). */
const progressKey = (prefix: string) => `${prefix}:progress`;
const EVENT_FIELD = 'event';

const BLOCK_MS = 2_000;
const STOP_GRACE_MS = 2_000;
const REDIS_RETRY_MS = 1_000;
const FORGET_CONSUMER_IDLE_MS = 3_600_000;
const CLAIM_ROUNDS = 10;
/** Raw entry text kept in the log line of an entry the store refused for good. */
const LOGGED_ENTRY_CHARS = 4_000;

export interface HistoryFeedOptions {
  /** A patient connection (createRedis(url, 'worker')) for the feed alone: it blocks, and stop() closes it. */
  redis: Redis;
  prefix: string;
  store: HistoryStore;
  logger: PlatformLogger;
  /** Entries per read (default 100). */
  batch?: number;
  /** Back-off while the store fails: first wait, doubling up to max (default 1 s to 30 s). */
  retryMs?: { first: number; max: number };
  /** How long an entry sits unacknowledged on another consumer before this one takes it (default 30 s). */
  claimIdleMs?: number;
  /** Tries of an entry the store refuses with an error that is not an outage (default 8). */
  maxAttempts?: number;
}

export interface HistoryFeed {
  stop(): Promise<void>;
}

interface Entry {
  stream: string;
  id: string;
  fields: string[] | null;
}

type StreamReply = Array<[string, Array<[string, string[] | null]>]> | null;

export async function startHistoryFeed(options: HistoryFeedOptions): Promise<HistoryFeed> {
  const { redis, store } = options;
  const logger = options.logger.child({ module: 'history-feed' });
  const batch = options.batch ?? 100;
  const retry = options.retryMs ?? { first: 1_000, max: 30_000 };
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const claimEveryMs = Math.min(Math.max(claimIdleMs / 2, 100), 15_000);
  const maxAttempts = options.maxAttempts ?? 8;
  const logKey = historyLogKey(options.prefix);
  // Turns first: see the header.
  const streams = [logKey, progressKey(options.prefix)];
  const me = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  let stopped = false;
  let blocking = false;
  let wake: (() => void) | undefined;
  let failing: { sinceMs: number } | undefined;
  /** The level the current Redis trouble was logged at (its end is logged at the same). */
  let redisTrouble: 'debug' | 'warn' | undefined;
  const attempts = new Map<string, number>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const ensureGroups = async () => {
    for (const stream of streams) {
      try {
        await redis.xgroup('CREATE', stream, HISTORY_GROUP, '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
      }
    }
  };

  // The typed method, not `call`: it gives RESP2's [[stream, entries], …] on a RESP3 connection too.
  const xreadgroup = redis.xreadgroup.bind(redis) as unknown as (...args: Array<string | number>) => Promise<unknown>;
  const read = async (from: '0' | '>'): Promise<Entry[]> => {
    const args: Array<string | number> = ['GROUP', HISTORY_GROUP, me, 'COUNT', batch];
    if (from === '>') args.push('BLOCK', BLOCK_MS);
    args.push('STREAMS', ...streams, ...streams.map(() => from));
    blocking = from === '>';
    let reply: StreamReply;
    try {
      reply = (await xreadgroup(...args)) as StreamReply;
    } finally {
      blocking = false;
    }
    const entries: Entry[] = [];
    // In the order of `streams`, whatever order Redis answered in.
    for (const stream of streams) {
      const items = reply?.find(([key]) => key === stream)?.[1] ?? [];
      for (const [id, fields] of items) entries.push({ stream, id, fields });
    }
    return entries;
  };

  /** Takes over entries idle on other consumers; true when some were claimed (they are now pending here). */
  const claimIdle = async (): Promise<boolean> => {
    let claimed = false;
    for (const stream of streams) {
      let cursor = '0-0';
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        const [next, ids] = (await redis.xautoclaim(
          stream,
          HISTORY_GROUP,
          me,
          claimIdleMs,
          cursor,
          'COUNT',
          batch,
          'JUSTID',
        )) as [string, string[]];
        if (ids.length > 0) claimed = true;
        cursor = next;
        if (cursor === '0-0') break;
      }
      await forgetIdleConsumers(stream);
    }
    if (claimed) logger.info({}, 'took over history entries left by a feed that stopped');
    await trimWrittenTurns();
    return claimed;
  };

  /**
   * Drops the turns every feed has written from the history log (only this group reads it), so the log holds
   * what still waits for the store and its cap bounds an outage, not the steady state. Not for the progress
   * stream: its subscribers read it too, and one reconnecting must still find the events it missed.
   */
  const trimWrittenTurns = async () => {
    const [pendingCount, oldestPending] = (await redis.xpending(logKey, HISTORY_GROUP)) as [number, string | null];
    const group = ((await redis.xinfo('GROUPS', logKey)) as unknown[][])
      .map(pairs)
      .find((g) => g.name === HISTORY_GROUP);
    const keepFrom = Number(pendingCount) > 0 ? oldestPending : group?.['last-delivered-id'];
    if (typeof keepFrom === 'string' && keepFrom !== '0-0') await redis.xtrim(logKey, 'MINID', keepFrom);
  };

  const forgetIdleConsumers = async (stream: string) => {
    const consumers = (await redis.xinfo('CONSUMERS', stream, HISTORY_GROUP)) as unknown[][];
    for (const consumer of consumers) {
      const info = pairs(consumer);
      if (info.name !== me && Number(info.pending) === 0 && Number(info.idle) > FORGET_CONSUMER_IDLE_MS) {
        await redis.xgroup('DELCONSUMER', stream, HISTORY_GROUP, String(info.name));
      }
    }
  };

  /** Writes one entry; 'done' when it may be acknowledged (written, or skipped for good). */
  const write = async (entry: Entry): Promise<'done' | 'failed'> => {
    const isTurn = entry.stream === logKey;
    const field = isTurn ? TURN_FIELD : EVENT_FIELD;
    const raw = entry.fields ? fieldValue(entry.fields, field) : undefined;
    if (raw === undefined) {
      logger.warn({ stream: entry.stream, id: entry.id }, 'a history entry was gone or empty; skipped');
      return 'done';
    }
    const parsed: Parsed<HistoryTurn | ProgressEvent> = isTurn ? parseTurnEntry(raw) : parseProgressEntry(raw);
    if (!parsed.ok) {
      logger.warn({ stream: entry.stream, id: entry.id, problem: parsed.problem }, 'a malformed history entry skipped');
      return 'done';
    }
    const tried = `${entry.stream} ${entry.id}`;
    try {
      if (isTurn) await store.recordTurn(parsed.value as HistoryTurn);
      else await store.recordProgress(parsed.value as ProgressEvent);
    } catch (err) {
      const tries = (attempts.get(tried) ?? 0) + 1;
      if (!isOutage(err) && tries >= maxAttempts) {
        attempts.delete(tried);
        logger.error(
          { err, stream: entry.stream, id: entry.id, tries, entry: raw.slice(0, LOGGED_ENTRY_CHARS) },
          'the history store refused an entry again and again; skipped (it is in this line)',
        );
        return 'done';
      }
      if (attempts.size > 10_000) attempts.clear();
      attempts.set(tried, tries);
      if (!failing) {
        failing = { sinceMs: Date.now() };
        logger.warn(
          {
            code: codeOf(err),
            cause: codeOf((err as { cause?: unknown } | null)?.cause),
            error: err instanceof Error ? err.message : String(err),
            outage: isOutage(err),
          },
          'the history store is failing; history waits in Redis and is written when it answers',
        );
      }
      return 'failed';
    }
    attempts.delete(tried);
    if (failing) {
      logger.info({ downForMs: Date.now() - failing.sinceMs }, 'the history store answers again; writing what waited');
      failing = undefined;
    }
    return 'done';
  };

  /** Writes entries in order up to the first failure; acknowledges what was done. True when all were. */
  const writeAll = async (entries: Entry[]): Promise<boolean> => {
    const done = new Map<string, string[]>();
    let complete = true;
    for (const entry of entries) {
      if (stopped) {
        complete = false;
        break;
      }
      if ((await write(entry)) === 'failed') {
        complete = false;
        break;
      }
      const ids = done.get(entry.stream) ?? [];
      ids.push(entry.id);
      done.set(entry.stream, ids);
    }
    for (const [stream, ids] of done) await redis.xack(stream, HISTORY_GROUP, ...ids);
    return complete;
  };

  await ensureGroups();

  const loop = async () => {
    let ownPendingFirst = true;
    let failures = 0;
    let lastClaimMs = 0;
    while (!stopped) {
      try {
        if (Date.now() - lastClaimMs >= claimEveryMs) {
          lastClaimMs = Date.now();
          if (await claimIdle()) ownPendingFirst = true;
        }
        const entries = await read(ownPendingFirst ? '0' : '>');
        if (redisTrouble) {
          logger[redisTrouble === 'warn' ? 'info' : 'debug']({}, 'the history feed reads Redis again');
          redisTrouble = undefined;
        }
        if (ownPendingFirst && entries.length === 0) {
          ownPendingFirst = false;
          continue;
        }
        if (await writeAll(entries)) {
          failures = 0;
          continue;
        }
        if (stopped) break;
        ownPendingFirst = true;
        failures++;
        await sleep(Math.min(retry.max, retry.first * 2 ** (failures - 1)));
      } catch (err) {
        if (stopped) break;
        ownPendingFirst = true;
        if (err instanceof Error && err.message.startsWith('NOGROUP')) {
          // The stream was deleted (Redis lost its data, or someone removed the key): start the group over.
          logger.warn({ error: err.message }, 'the history group was gone; creating it again');
          const created = await ensureGroups().then(
            () => true,
            () => false,
          );
          if (!created) await sleep(REDIS_RETRY_MS);
          continue;
        }
        if (!redisTrouble) {
          // A connection outage is logged by the connection's watcher; anything else is worth a warning.
          redisTrouble = isConnectionError(err) ? 'debug' : 'warn';
          logger[redisTrouble]({ err }, 'the history feed cannot read Redis; retrying');
        }
        await sleep(REDIS_RETRY_MS);
      }
    }
  };
  const running = loop().catch((err: unknown) => logger.error({ err }, 'the history feed stopped on a bug'));

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      wake?.();
      if (blocking) redis.disconnect();
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
      redis.disconnect();
    },
  };
}

/** An outage of the store (worth waiting for), as opposed to a refusal of one entry. */
function isOutage(err: unknown): boolean {
  if (isAppError(err)) return err.retryable || err.kind === 'unavailable';
  if (isConnectionError(err)) return true;
  // PostgreSQL: connection exceptions (08), insufficient resources (53), operator intervention (57P),
  // serialization failure and deadlock (40001, 40P01).
  const code = codeOf(err);
  return code !== undefined && /^(08|53|57P|40001$|40P01$)/.test(code);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function fieldValue(fields: string[], name: string): string | undefined {
  const at = fields.indexOf(name);
  return at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
}

/** XINFO's flat [name, value, name, value, …] reply as an object. */
function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

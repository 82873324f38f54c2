/**
 * The history log: turns (requests and replies) appended to a Redis stream on their way to the history store,
 * so answering a person costs one XADD and never waits on the database. The history feed
 * (history-feed.ts) reads the stream in a consumer group and writes each turn to the store.
 *
 * The feed trims the turns it has written (MINID), so in steady state the log holds only what waits for the
 * store; the cap of about 200,000 entries (two per request) is room for a database outage before the oldest
 * unwritten turns are lost — ~100,000 requests, days at most deployments' pace. `append` rejects when
 * Redis refuses the write (a fail-fast producer connection while Redis is down): the caller decides, and a
 * turn missing from history is not worth failing a reply for.
 */
import type { Redis } from 'ioredis';
import type { HistoryLog, HistoryTurn } from '../core/history.js';

const MAX_LENGTH = '200000';
/** The entry's one field: the turn as JSON. */
export const TURN_FIELD = 'turn';

/** The stream's key under a deployment's prefix. */
export function historyLogKey(prefix: string): string {
  return `${prefix}:history-log`;
}

export function createRedisHistoryLog(redis: Redis, prefix: string): HistoryLog {
  const key = historyLogKey(prefix);
  return {
    async append(turn: HistoryTurn) {
      await redis.xadd(key, 'MAXLEN', '~', MAX_LENGTH, '*', TURN_FIELD, JSON.stringify(turn));
    },
  };
}

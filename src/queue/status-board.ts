/**
 * The StatusBoard on Redis: one hash per generation (`<prefix>:status:<generationId>`) holding the rank of
 * the newest event shown, the status message once posted, and the current turn with its lease. `claim` is
 * one Lua script, so two processes hearing the same events never both post the message, never show the
 * same event twice, and never let an older event overwrite a newer one.
 *
 * An event's rank is its state's place in a generation's life, then its time: a 'done' that arrives before
 * a late 'rendering' keeps the message on done.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StatusBoard, StatusClaim } from '../core/ports.js';
import type { GenerationState, MessageRef, ProgressEvent } from '../core/types.js';

const ORDER: Record<GenerationState, number> = {
  queued: 0,
  submitted: 1,
  rendering: 2,
  delivering: 3,
  done: 4,
  failed: 4,
  canceled: 4,
};

/** A turn not released by then (its process died) lapses. */
const LEASE_MS = 15_000;
/** The board outlives any generation by far. */
const KEEP_MS = 7 * 24 * 3600_000;

// KEYS[1] hash; ARGV rank, turn, now, lease, keep → {'stale'} | {'busy'} | {'show', message or ''}
const CLAIM = `
local h = redis.call('HMGET', KEYS[1], 'rank', 'message', 'turn', 'leaseUntil')
local rank = tonumber(ARGV[1])
if h[1] and tonumber(h[1]) >= rank then return {'stale'} end
local now = tonumber(ARGV[3])
if h[3] and tonumber(h[4] or '0') > now then return {'busy'} end
redis.call('HSET', KEYS[1], 'rank', ARGV[1], 'turn', ARGV[2], 'leaseUntil', tostring(now + tonumber(ARGV[4])))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {'show', h[2] or ''}
`;

// KEYS[1] hash; ARGV turn, message (or '') → 1 when the turn was still ours
const RELEASE = `
if redis.call('HGET', KEYS[1], 'turn') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'turn', 'leaseUntil')
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'message', ARGV[2]) end
return 1
`;

export function statusRank(event: Pick<ProgressEvent, 'state' | 'atMs'>): number {
  return ORDER[event.state] * 1e13 + event.atMs;
}

export function createRedisStatusBoard(redis: Redis, keyPrefix: string, leaseMs = LEASE_MS): StatusBoard {
  const key = (generationId: string) => `${keyPrefix}:status:${generationId}`;
  return {
    async claim(generationId, event): Promise<StatusClaim> {
      const turn = randomUUID();
      const answer = (await redis.eval(
        CLAIM,
        1,
        key(generationId),
        String(statusRank(event)),
        turn,
        String(Date.now()),
        String(leaseMs),
        String(KEEP_MS),
      )) as string[];
      if (answer[0] === 'stale') return { kind: 'stale' };
      if (answer[0] === 'busy') return { kind: 'busy' };
      const stored = answer[1];
      return stored ? { kind: 'show', turn, message: JSON.parse(stored) as MessageRef } : { kind: 'show', turn };
    },
    async release(generationId, turn, posted) {
      await redis.eval(RELEASE, 1, key(generationId), turn, posted ? JSON.stringify(posted) : '');
    },
  };
}

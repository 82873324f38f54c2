/**
 * Small Redis records that sit beside the BullMQ jobs: each generation's summary (which queue step it is
 * in, its provider request id), the per-person set of active generations (scored by expiry, so a lost
 * clean-up heals itself), the request-id → generation map that webhooks use, the last status a verified
 * webhook delivered, the fair-order ledger of generations not yet submitted, and recent render durations.
 * It is the records port of the generation use case (src/core/generation/generation-ports.ts).
 */
import type { Redis } from 'ioredis';
import type { GenerationRecord, GenerationRecordsPort } from '../core/generation/generation-ports.js';
import type { DeliveryLedger } from '../core/ports.js';
import type { ProviderRequest } from '../core/provider.js';
import type { GenerationSpec, GenerationState, MediaAsset } from '../core/types.js';

export type { GenerationRecord } from '../core/generation/generation-ports.js';

const DAY_S = 86_400;
const RECORD_TTL_S = 7 * DAY_S;
/** A generation still counted as active after this long is assumed lost and stops counting. */
const ACTIVE_MAX_MS = 6 * 3_600_000;

export interface ClaimInput {
  generationId: string;
  spec: GenerationSpec;
  maxActive: number;
  nowMs: number;
  /** How long the same choice collapses onto this generation. */
  choiceTtlMs: number;
  /** A person hears "already queued" about one choice at most this often. */
  noteEveryMs: number;
}

export type ClaimOutcome =
  | { kind: 'claimed'; activeBefore: number }
  | { kind: 'duplicate'; generationId: string; noteDue: boolean }
  | { kind: 'full' };

export class GenerationRecords implements GenerationRecordsPort {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  private userKey(spec: GenerationSpec): string {
    return this.key('user-active', spec.conversation.platform, spec.conversation.userId);
  }

  /**
   * The one decision a press makes, atomically (one Lua script), so a storm of presses cannot race: the same
   * choice already claimed → the existing generation (and whether this person is due a note about it: once
   * per `noteEveryMs`); the person already at `maxActive` → full; else the choice is claimed for `choiceTtlMs`,
   * the place reserved, and how many of the person's generations were already active is returned (for
   * fair priority). A press without a choice key (none today) only reserves.
   */
  async claim(input: ClaimInput): Promise<ClaimOutcome> {
    const { generationId, spec, maxActive, nowMs } = input;
    const choice = spec.choiceKey ?? '';
    const reply = (await this.redis.eval(
      `local existing = false
       if ARGV[6] ~= '' then existing = redis.call('GET', KEYS[2]) end
       if existing then
         local told = redis.call('SET', KEYS[3], '1', 'PX', ARGV[8], 'NX')
         if told then return {'duplicate', existing, 1} end
         return {'duplicate', existing, 0}
       end
       redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
       if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {'full'} end
       local before = redis.call('ZCARD', KEYS[1])
       redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
       redis.call('PEXPIRE', KEYS[1], ARGV[5])
       if ARGV[6] ~= '' then redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[7]) end
       return {'claimed', before}`,
      3,
      this.userKey(spec),
      this.key('choice', choice),
      this.key('choice-note', spec.conversation.platform, spec.conversation.userId, choice),
      String(nowMs),
      String(maxActive),
      String(nowMs + ACTIVE_MAX_MS),
      generationId,
      String(ACTIVE_MAX_MS),
      choice,
      String(input.choiceTtlMs),
      String(input.noteEveryMs),
    )) as [string, string | number, number?];
    if (reply[0] === 'duplicate') return { kind: 'duplicate', generationId: String(reply[1]), noteDue: reply[2] === 1 };
    if (reply[0] === 'full') return { kind: 'full' };
    return { kind: 'claimed', activeBefore: Number(reply[1]) };
  }

  async create(record: GenerationRecord, fairScore: number): Promise<void> {
    const key = this.key('gen', record.generationId);
    await this.redis
      .multi()
      .hset(key, toHash(record))
      .expire(key, RECORD_TTL_S)
      .zadd(this.key('pending'), String(fairScore), record.generationId)
      .exec();
  }

  /** Undo a claim whose job could not be added: the place, the record, and the choice if it is still ours. */
  async release(generationId: string, spec: GenerationSpec): Promise<void> {
    await this.redis.eval(
      `redis.call('ZREM', KEYS[1], ARGV[1])
       redis.call('ZREM', KEYS[2], ARGV[1])
       redis.call('DEL', KEYS[3])
       if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
       return 1`,
      4,
      this.userKey(spec),
      this.key('pending'),
      this.key('gen', generationId),
      this.key('choice', spec.choiceKey ?? ''),
      generationId,
    );
  }

  async get(generationId: string): Promise<GenerationRecord | undefined> {
    return fromHash(await this.redis.hgetall(this.key('gen', generationId)));
  }

  /** One write, no read: the record is a hash, so a state change touches only its fields. */
  async update(generationId: string, patch: Partial<GenerationRecord>): Promise<void> {
    const fields = Object.entries(toHash(patch)).flat();
    if (fields.length === 0) return;
    // Only a live record is updated: an expired one is never resurrected as a fragment.
    await this.redis.eval(
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], unpack(ARGV)) end return 1",
      1,
      this.key('gen', generationId),
      ...fields,
    );
  }

  /** Submitted: leaves the fair-order ledger; the request id now leads webhooks to this generation. */
  async markSubmitted(generationId: string, requestId: string, nowMs: number): Promise<void> {
    // A cancel that arrived while the submit was in flight stays visible to the submit step.
    await this.redis.eval(
      `if redis.call('EXISTS', KEYS[1]) == 1 then
         if redis.call('HGET', KEYS[1], 'state') ~= 'canceled' then redis.call('HSET', KEYS[1], 'state', 'submitted') end
         redis.call('HSET', KEYS[1], 'requestId', ARGV[2], 'submittedAtMs', ARGV[3])
       end
       redis.call('ZREM', KEYS[2], ARGV[1])
       redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[4])
       return 1`,
      3,
      this.key('gen', generationId),
      this.key('pending'),
      this.key('request', requestId),
      generationId,
      requestId,
      String(nowMs),
      String(RECORD_TTL_S),
    );
  }

  /** Finished one way or another: no longer active for its person, nor pending. */
  async finish(
    generationId: string,
    state: GenerationState,
    spec: GenerationSpec,
    assets?: MediaAsset[],
  ): Promise<void> {
    const key = this.key('gen', generationId);
    await this.redis
      .multi()
      .hset(key, 'state', state, ...(assets ? ['assets', JSON.stringify(assets)] : []))
      .expire(key, RECORD_TTL_S)
      .zrem(this.key('pending'), generationId)
      .zrem(this.userKey(spec), generationId)
      .exec();
  }

  /** 1-based place among generations not yet submitted, or undefined once submitted. */
  async position(generationId: string): Promise<number | undefined> {
    const rank = await this.redis.zrank(this.key('pending'), generationId);
    return rank === null ? undefined : rank + 1;
  }

  async generationForRequest(requestId: string): Promise<string | undefined> {
    return (await this.redis.get(this.key('request', requestId))) ?? undefined;
  }

  /** Keep the terminal status a verified webhook brought, for the job to pick up without a status read. */
  async saveDeliveredStatus(generationId: string, status: ProviderRequest): Promise<void> {
    await this.redis.set(this.key('hook', generationId), JSON.stringify(status), 'EX', DAY_S);
  }

  async deliveredStatus(generationId: string): Promise<ProviderRequest | undefined> {
    const raw = await this.redis.get(this.key('hook', generationId));
    return raw ? (JSON.parse(raw) as ProviderRequest) : undefined;
  }

  async activeOf(platform: string, userId: string, nowMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key('user-active', platform, userId), String(nowMs), '+inf');
  }

  /** The ledger of one delivery: each part's mark is written before it is sent ('begun') and after ('done'). */
  ledger(deliveryId: string): DeliveryLedger {
    const key = (step: string) => this.key('delivery', deliveryId, step);
    return {
      state: async (step) => {
        const value = await this.redis.get(key(step));
        return value === 'begun' || value === 'done' ? value : undefined;
      },
      // Never downgrades a part already done (a slow earlier attempt may finish after a retry began).
      begin: async (step) => {
        await this.redis.set(key(step), 'begun', 'EX', RECORD_TTL_S, 'NX');
      },
      done: async (step) => {
        await this.redis.set(key(step), 'done', 'EX', RECORD_TTL_S);
      },
    };
  }

  async recordDuration(modelId: string, ms: number): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.key('durations', modelId), String(ms))
      .ltrim(this.key('durations', modelId), 0, 19)
      .exec();
  }

  /** Median of the last 20 render durations of a model, or undefined before the first one. */
  async typicalDurationMs(modelId: string): Promise<number | undefined> {
    const values = (await this.redis.lrange(this.key('durations', modelId), 0, -1)).map(Number).sort((a, b) => a - b);
    return values.length === 0 ? undefined : values[Math.floor(values.length / 2)];
  }
}

function toHash(record: Partial<GenerationRecord>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(record)) {
    if (value === undefined) continue;
    out[field] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

function fromHash(hash: Record<string, string>): GenerationRecord | undefined {
  if (!hash.generationId || !hash.spec || !hash.state) return undefined;
  const record: GenerationRecord = {
    generationId: hash.generationId,
    spec: JSON.parse(hash.spec) as GenerationSpec,
    state: hash.state as GenerationState,
    enqueuedAtMs: Number(hash.enqueuedAtMs),
  };
  if (hash.requestId) record.requestId = hash.requestId;
  if (hash.submittedAtMs) record.submittedAtMs = Number(hash.submittedAtMs);
  if (hash.assets) record.assets = JSON.parse(hash.assets) as MediaAsset[];
  return record;
}

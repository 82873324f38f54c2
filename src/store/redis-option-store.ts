/**
 * Option sets in Redis under short random keys with a time to live. A button carries only `key:index`, so it
 * fits every platform's id limit and keeps working across restarts for as long as the set lives.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { OptionSet } from '../core/assistant-types.js';
import type { OptionStore } from '../core/ports.js';

/** How long buttons on an option set keep working. */
export const OPTION_SET_TTL_S = 7 * 86_400;
const KEY_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const OPTION_KEY_PATTERN = /^[0-9A-Za-z]{10}$/;

/** Only the fields we rely on are checked; what we wrote ourselves is trusted beyond that. */
const storedSet = z.looseObject({
  key: z.string(),
  conversation: z.looseObject({ platform: z.string(), userId: z.string() }),
  options: z.array(z.looseObject({ modelId: z.string(), prompt: z.string() })),
});

export function newOptionKey(): string {
  const bytes = randomBytes(10);
  return Array.from(bytes, (b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('');
}

export class RedisOptionStore implements OptionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlS = OPTION_SET_TTL_S,
  ) {}

  async save(set: Omit<OptionSet, 'key'>): Promise<OptionSet> {
    for (;;) {
      const saved: OptionSet = { key: newOptionKey(), ...set };
      const ok = await this.redis.set(this.redisKey(saved.key), JSON.stringify(saved), 'EX', this.ttlS, 'NX');
      if (ok === 'OK') return saved;
    }
  }

  async get(key: string): Promise<OptionSet | undefined> {
    if (!OPTION_KEY_PATTERN.test(key)) return undefined;
    const raw = await this.redis.get(this.redisKey(key));
    if (!raw) return undefined;
    const parsed = storedSet.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as unknown as OptionSet) : undefined;
  }

  private redisKey(key: string): string {
    return `${this.prefix}:options:${key}`;
  }
}

/**
 * History page keys in Redis, one hour each (src/core/history-pages.ts): a "next page" button carries only
 * the key, made like an option set's, so it fits every platform's button id. What is read back is checked
 * with zod; a key that is not ours or has expired reads as undefined.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { HistoryPageQuery, HistoryPageStore } from '../core/history-pages.js';
import { newOptionKey, OPTION_KEY_PATTERN } from './redis-option-store.js';

/** How long a "next page" button keeps working. */
const HISTORY_PAGE_TTL_S = 3_600;

const storedQuery = z.object({
  platform: z.string(),
  userId: z.string(),
  search: z.string(),
  cursor: z.string(),
  page: z.number().int().positive(),
});

export class RedisHistoryPages implements HistoryPageStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlS = HISTORY_PAGE_TTL_S,
  ) {}

  async save(query: HistoryPageQuery): Promise<string> {
    for (;;) {
      const key = newOptionKey();
      const ok = await this.redis.set(this.redisKey(key), JSON.stringify(query), 'EX', this.ttlS, 'NX');
      if (ok === 'OK') return key;
    }
  }

  async get(key: string): Promise<HistoryPageQuery | undefined> {
    if (!OPTION_KEY_PATTERN.test(key)) return undefined;
    const raw = await this.redis.get(this.redisKey(key));
    if (!raw) return undefined;
    const parsed = storedQuery.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  private redisKey(key: string): string {
    return `${this.prefix}:history-page:${key}`;
  }
}

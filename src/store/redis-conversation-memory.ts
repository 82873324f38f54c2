/**
 * Conversation memory per thread: a capped Redis list of recent turns with a time to live, refreshed on
 * every turn. Any process (the bot, a worker, another replica) sees the same thread.
 */
import type { Redis } from 'ioredis';
import type { MemoryTurn } from '../core/assistant-types.js';
import type { ConversationMemory } from '../core/ports.js';
import type { ConversationRef } from '../core/types.js';

export const MEMORY_MAX_TURNS = 20;
export const MEMORY_TTL_S = 7 * 86_400;

export class RedisConversationMemory implements ConversationMemory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxTurns = MEMORY_MAX_TURNS,
    private readonly ttlS = MEMORY_TTL_S,
  ) {}

  async recent(conversation: ConversationRef): Promise<MemoryTurn[]> {
    const raw = await this.redis.lrange(this.key(conversation), 0, -1);
    const turns: MemoryTurn[] = [];
    for (const item of raw) {
      try {
        turns.push(JSON.parse(item) as MemoryTurn);
      } catch {
        // A damaged entry is skipped, not fatal: memory is a convenience.
      }
    }
    return turns;
  }

  async append(conversation: ConversationRef, ...turns: MemoryTurn[]): Promise<void> {
    if (turns.length === 0) return;
    const key = this.key(conversation);
    await this.redis
      .multi()
      .rpush(key, ...turns.map((t) => JSON.stringify(t)))
      .ltrim(key, -this.maxTurns, -1)
      .expire(key, this.ttlS)
      .exec();
  }

  private key(c: ConversationRef): string {
    return `${this.prefix}:memory:${c.platform}:${c.workspaceId}:${c.channelId}:${c.threadId}`;
  }
}

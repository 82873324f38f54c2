/**
 * Shared set-up for the agent and assistant specs: the simulator's catalogs as a CatalogCache, the real
 * Anthropic SDK pointed at the loopback fake, and an Assistant on real Redis stores with a queue that
 * records what it was asked to start.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { Redis } from 'ioredis';
import { CatalogCache } from '../../src/agent/catalog.js';
import { ClaudeAgent, createAnthropicClient } from '../../src/agent/claude-agent.js';
import { OfflineRecommender } from '../../src/agent/offline-recommender.js';
import { reseed } from '../../src/agent/reseed.js';
import { Assistant, type AssistantDeps } from '../../src/core/assistant.js';
import type { EnqueueResult, GenerationLookup, GenerationQueue } from '../../src/core/ports.js';
import type { ConversationRef, GenerationSpec } from '../../src/core/types.js';
import { MOTION_ENTRIES, SOUL_STYLE_ENTRIES } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { RedisConversationMemory } from '../../src/store/redis-conversation-memory.js';
import { RedisOptionStore } from '../../src/store/redis-option-store.js';

export function simulatorCatalogs(): CatalogCache {
  return new CatalogCache({
    styles: async () => SOUL_STYLE_ENTRIES.map(([id, name, description]) => ({ id, name, description })),
    motions: async () =>
      MOTION_ENTRIES.map(([id, name, description, startEndFrame]) => ({ id, name, description, startEndFrame })),
  });
}

export function sdkClient(baseUrl: string, maxRetries = 0, timeoutMs = 5_000): Anthropic {
  return createAnthropicClient({ apiKey: 'test-key', baseUrl, timeoutMs, maxRetries });
}

export function claudeAgent(client: Anthropic, catalogs = simulatorCatalogs()): ClaudeAgent {
  return new ClaudeAgent({ client, model: 'claude-haiku-4-5', catalogs });
}

/** A GenerationQueue that starts nothing: it records specs and answers lookups from a map. */
export class RecordingQueue implements GenerationQueue {
  readonly enqueued: GenerationSpec[] = [];
  readonly generations = new Map<string, GenerationLookup>();
  async enqueue(spec: GenerationSpec): Promise<EnqueueResult> {
    this.enqueued.push(spec);
    const generationId = `gen-${this.enqueued.length}`;
    this.generations.set(generationId, { generationId, spec, state: 'queued' });
    return { generationId, duplicate: false, position: 1, estimatedWaitMs: 1_000 };
  }
  async cancel() {
    return { outcome: 'canceled' as const };
  }
  async listActive() {
    return [];
  }
  async lookup(generationId: string) {
    return this.generations.get(generationId);
  }
}

export function conversation(thread: string, userId = 'u-alice'): ConversationRef {
  return { platform: 'terminal', workspaceId: 'local', channelId: 'c1', threadId: thread, userId };
}

export interface AssistantFixture {
  assistant: Assistant;
  queue: RecordingQueue;
  redis: Redis;
  close(): void;
}

export function assistantOn(
  url: string,
  prefix: string,
  overrides: Partial<AssistantDeps> & { queue?: GenerationQueue } = {},
): AssistantFixture {
  const redis = new Redis(url);
  const queue = new RecordingQueue();
  const catalogs = simulatorCatalogs();
  const assistant = new Assistant({
    offline: new OfflineRecommender(catalogs),
    optionStore: new RedisOptionStore(redis, prefix),
    memory: new RedisConversationMemory(redis, prefix),
    queue,
    agentTimeoutMs: 5_000,
    logger: silentLogger(),
    reseed: (option) => reseed(option),
    ...overrides,
  });
  return { assistant, queue, redis, close: () => redis.disconnect() };
}

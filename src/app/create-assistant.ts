/**
 * Wires the assistant for a process that talks to people: catalogs from the generation provider, Claude
 * when a key is set (and not in offline mode), the offline recommender always, option sets and memory in
 * Redis, and estimates from recent render times and the provider's price estimate.
 */
import { CatalogCache } from '../agent/catalog.js';
import { ClaudeAgent, createAnthropicClient } from '../agent/claude-agent.js';
import { OfflineRecommender } from '../agent/offline-recommender.js';
import { createOptionEstimator } from '../agent/option-estimator.js';
import { reseed } from '../agent/reseed.js';
import type { Config } from '../config.js';
import { Assistant } from '../core/assistant.js';
import type { HistoryStore } from '../core/history.js';
import type { MediaStore } from '../core/ports.js';
import type { GenerationProvider } from '../core/provider.js';
import type { Logger } from '../log.js';
import type { Pipeline } from '../queue/create-pipeline.js';
import { createRedisHistoryLog } from '../queue/history-log.js';
import { createRedis, watchRedis } from '../queue/redis.js';
import type { Closer } from '../shutdown.js';
import { RedisConversationMemory } from '../store/redis-conversation-memory.js';
import { RedisHistoryPages } from '../store/redis-history-pages.js';
import { RedisOptionStore } from '../store/redis-option-store.js';

export interface AssistantWiring {
  config: Config;
  provider: GenerationProvider;
  pipeline: Pipeline;
  logger: Logger;
  /** Use the offline recommender even when a Claude key is configured (the terminal demo). */
  offlineOnly?: boolean;
  /** The history store (reads: /history, /show, /forget) and the media store (links, deletions). */
  history?: HistoryStore;
  media: MediaStore;
}

export function createAssistant(wiring: AssistantWiring): {
  assistant: Assistant;
  catalogs: CatalogCache;
  closers: Closer[];
} {
  const { config, provider, pipeline, logger } = wiring;
  // Fails fast when Redis is down (a person is waiting), but queues commands while first connecting.
  const redis = watchRedis(createRedis(config.redisUrl, 'producer', { enableOfflineQueue: true }), logger, 'assistant');
  const catalogs = new CatalogCache(provider);
  const apiKey = wiring.offlineOnly ? undefined : config.anthropic.apiKey;
  const agent = apiKey
    ? new ClaudeAgent({
        client: createAnthropicClient({
          apiKey,
          timeoutMs: config.anthropic.timeoutMs,
          ...(config.anthropic.baseUrl ? { baseUrl: config.anthropic.baseUrl } : {}),
        }),
        model: config.anthropic.model,
        catalogs,
        onUsage: (usage) => logger.debug({ usage }, 'agent usage'),
      })
    : undefined;
  const assistant = new Assistant({
    ...(agent ? { agent } : {}),
    offline: new OfflineRecommender(catalogs),
    optionStore: new RedisOptionStore(redis, pipeline.settings.prefix),
    memory: new RedisConversationMemory(redis, pipeline.settings.prefix),
    queue: pipeline.service,
    estimator: createOptionEstimator({
      typicalDurationMs: (modelId) => pipeline.records.typicalDurationMs(modelId),
      provider,
    }),
    agentTimeoutMs: config.anthropic.timeoutMs,
    logger: logger.child({ module: 'assistant' }),
    reseed: (option) => reseed(option),
    // Turns go to a Redis stream on their way to the database (history-feed.ts), never to the database itself.
    historyLog: createRedisHistoryLog(redis, pipeline.settings.prefix),
    pages: new RedisHistoryPages(redis, pipeline.settings.prefix),
    media: wiring.media,
    ...(wiring.history ? { history: wiring.history } : {}),
  });
  return { assistant, catalogs, closers: [{ name: 'assistant-redis', close: () => void redis.disconnect() }] };
}

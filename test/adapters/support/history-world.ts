/**
 * The history side of the platform specs (discord-history, slack-history): the real Assistant with its history
 * use cases over an in-memory history store (test/support/memory-history.ts, which can play a database
 * outage), "next page" keys in real Redis, results stored in a local media folder, and `finished`, which
 * records a generation as the history feed would (queued with its recipe, then done with its stored file).
 * Everything else the Assistant could reach (recommending, queueing) refuses loudly: these specs never need it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Assistant, type AssistantDeps } from '../../../src/core/assistant.js';
import { shortId } from '../../../src/core/history.js';
import type { ConversationRef } from '../../../src/core/types.js';
import { silentLogger } from '../../../src/log.js';
import { createLocalMediaStore, type LocalMediaStore } from '../../../src/media/local-media-store.js';
import { createRedis } from '../../../src/queue/redis.js';
import { RedisHistoryPages } from '../../../src/store/redis-history-pages.js';
import { createMemoryHistoryStore, type MemoryHistoryStore } from '../../support/memory-history.js';
import { deleteKeys, redisUrl, testPrefix } from '../../support/redis.js';

/** A few bytes standing for a result image: the doubles store what they are sent, they do not decode it. */
const IMAGE_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

export interface FinishedGeneration {
  generationId: string;
  shortId: string;
  /** The stored file's key. */
  key: string;
}

export interface HistoryWorld {
  assistant: Assistant;
  history: MemoryHistoryStore;
  media: LocalMediaStore;
  /** A generation that finished `minutesAgo` ago in `conversation`, with one stored image. */
  finished(
    conversation: ConversationRef,
    recipe: { prompt: string; label?: string; minutesAgo: number },
  ): Promise<FinishedGeneration>;
  close(): Promise<void>;
}

/** A port the history specs must not reach: every call fails, naming it. */
function refused<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_target, name) =>
      typeof name === 'string' && name !== 'then'
        ? () => Promise.reject(new Error(`a history spec reached ${what}.${name}`))
        : undefined,
  });
}

export async function startHistoryWorld(name: string): Promise<HistoryWorld> {
  const redis = createRedis(redisUrl(), 'worker');
  const prefix = testPrefix(name);
  const dir = await mkdtemp(join(tmpdir(), `higgsbot-${name}-`));
  const media = createLocalMediaStore({ dir });
  const history = createMemoryHistoryStore();
  const deps: AssistantDeps = {
    offline: refused('offline'),
    optionStore: refused('optionStore'),
    memory: refused('memory'),
    queue: refused('queue'),
    agentTimeoutMs: 1_000,
    logger: silentLogger(),
    reseed: () => ({}),
    history,
    media,
    pages: new RedisHistoryPages(redis, prefix),
  };
  return {
    assistant: new Assistant(deps),
    history,
    media,
    async finished(conversation, { prompt, label = 'Nano Banana', minutesAgo }) {
      const generationId = `gen-${randomUUID()}`;
      const atMs = Date.now() - minutesAgo * 60_000;
      const key = `history/${generationId}-0.png`;
      const asset = await media.put(key, Readable.from([IMAGE_BYTES]), {
        contentType: 'image/png',
        maxBytes: 1_000_000,
        providerUrl: `https://cdn.example/${generationId}.png`,
      });
      const option = { kind: 'text-to-image' as const, modelId: 'nano-banana', prompt, params: {}, label, reason: 'r' };
      const base = { generationId, conversation, modelId: option.modelId, label };
      await history.recordProgress({ ...base, state: 'queued', option, atMs });
      await history.recordProgress({ ...base, state: 'done', assets: [asset], atMs: atMs + 20_000 });
      return { generationId, shortId: shortId(generationId), key };
    },
    async close() {
      await deleteKeys(redisUrl(), prefix);
      redis.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A dependency the history specs must never call (a press of these buttons touches no queue or provider). */
export const unused = (what: string) => () => Promise.reject(new Error(`the history specs used ${what}`));

/**
 * The assistant use cases on the real pipeline (BullMQ on Redis, the simulator over HTTP) with the offline
 * recommender: a message becomes saved options with estimates, a click becomes one generation, and results
 * can be re-rolled, animated and canceled, by the requester or an admin only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/agent/catalog.js';
import { OfflineRecommender } from '../../src/agent/offline-recommender.js';
import { createOptionEstimator } from '../../src/agent/option-estimator.js';
import { reseed } from '../../src/agent/reseed.js';
import { Assistant } from '../../src/core/assistant.js';
import type { OptionSet } from '../../src/core/assistant-types.js';
import { EMPTY_MESSAGE_HINT } from '../../src/core/request-text.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import { SIMULATOR_CREDENTIALS } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { createRedis } from '../../src/queue/redis.js';
import { RedisConversationMemory } from '../../src/store/redis-conversation-memory.js';
import { RedisOptionStore } from '../../src/store/redis-option-store.js';
import { conversation } from '../agent/agent-fixtures.js';
import { type Harness, startHarness } from '../support/pipeline-harness.js';
import { deleteKeys, redisUrl } from '../support/redis.js';

let h: Harness;
let assistant: Assistant;
let shortLived: RedisOptionStore;
const redis = createRedis(redisUrl(), 'worker');
const owner = { userId: 'u-alice', isAdmin: false };

beforeAll(async () => {
  h = await startHarness({ name: 'assistant', sim: { inProgressMs: 150 } });
  const prefix = h.pipeline.settings.prefix;
  const client = new HiggsfieldClient({
    baseUrl: h.sim.url,
    credentials: SIMULATOR_CREDENTIALS,
    logger: silentLogger(),
  });
  const provider = createHiggsfieldProvider(client);
  const catalogs = new CatalogCache(provider);
  shortLived = new RedisOptionStore(redis, `${prefix}-short`, 1);
  assistant = new Assistant({
    offline: new OfflineRecommender(catalogs),
    optionStore: new RedisOptionStore(redis, prefix),
    memory: new RedisConversationMemory(redis, prefix),
    queue: h.pipeline.service,
    estimator: createOptionEstimator({
      typicalDurationMs: (id) => h.pipeline.records.typicalDurationMs(id),
      provider,
    }),
    agentTimeoutMs: 5_000,
    logger: silentLogger(),
    reseed: (option) => reseed(option),
  });
});

afterAll(async () => {
  const prefix = h.pipeline.settings.prefix;
  await h.close();
  await deleteKeys(redisUrl(), prefix);
  redis.disconnect();
});

async function optionsFor(thread: string, text: string, userId = 'u-alice'): Promise<OptionSet> {
  const reply = await assistant.handleMessage({ conversation: conversation(thread, userId), text });
  if (reply.kind !== 'options') throw new Error(`expected options, got: ${reply.text}`);
  return reply.set;
}

describe('a message', () => {
  it('gets saved options with the expected wait and credits, in offline mode when Claude is not configured', async () => {
    const reply = await assistant.handleMessage({
      conversation: conversation('t-msg'),
      text: 'cinematic sunset over mountains',
    });
    expect(reply.kind).toBe('options');
    const { set, notes } = reply as { set: OptionSet; notes: string[] };
    expect(set.key).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(set.options.length).toBeGreaterThanOrEqual(2);
    expect(notes.join(' ')).toMatch(/Offline mode: Claude is not configured/);
    for (const option of set.options) {
      expect(option.estimate?.waitSeconds).toBeGreaterThan(0);
      expect(option.estimate?.credits).toBeGreaterThan(0);
    }
  });

  it('that is empty gets a hint of what to ask, and nothing is saved', async () => {
    const reply = await assistant.handleMessage({ conversation: conversation('t-empty'), text: '   \n ' });
    expect(reply).toEqual({ kind: 'hint', text: EMPTY_MESSAGE_HINT, turns: [] });
  });

  it('that is very long is trimmed, and the reply says so', async () => {
    const long = `a lighthouse on a cliff in a storm ${'with crashing waves and seabirds '.repeat(80)}`;
    const reply = await assistant.handleMessage({ conversation: conversation('t-long'), text: long });
    expect(reply.kind).toBe('options');
    expect((reply as { notes: string[] }).notes.join(' ')).toMatch(
      /Your message was long, so I used its first 1,\d{3} characters/,
    );
  });
});

describe('a click', () => {
  it('starts one generation that completes, and a double click collapses onto it', async () => {
    const set = await optionsFor('t-click', 'a red fox in the snow');
    const first = await assistant.choose(set.key, 0, owner);
    const second = await assistant.choose(set.key, 0, owner);
    expect(first.kind).toBe('queued');
    expect(second).toMatchObject({ kind: 'queued', duplicate: true });
    if (first.kind !== 'queued' || second.kind !== 'queued') return;
    expect(second.generationId).toBe(first.generationId);
    const submitsBefore = h.sim.requests().length;
    expect((await h.finished(first.generationId)).state).toBe('done');
    expect(h.sim.requests().length).toBeLessThanOrEqual(submitsBefore);
  });

  it('by someone else is refused with a private note; an admin may press it', async () => {
    const set = await optionsFor('t-others', 'a paper boat on a puddle');
    const stranger = await assistant.choose(set.key, 1, { userId: 'u-bob', isAdmin: false });
    expect(stranger).toEqual({ kind: 'not-allowed', message: expect.stringMatching(/Only the person who asked/) });
    const admin = await assistant.choose(set.key, 1, { userId: 'u-admin', isAdmin: true });
    expect(admin.kind).toBe('queued');
  });

  it('on an option that expired answers "ask again" instead of failing', async () => {
    const set = await shortLived.save({
      conversation: conversation('t-expired'),
      text: 'x',
      options: (await optionsFor('t-expired-src', 'a blue whale')).options,
      mode: 'offline',
      createdAtMs: Date.now(),
    });
    const expiring = new Assistant({
      offline: new OfflineRecommender(new CatalogCache({ styles: async () => [], motions: async () => [] })),
      optionStore: shortLived,
      memory: new RedisConversationMemory(redis, 'unused'),
      queue: h.pipeline.service,
      agentTimeoutMs: 1_000,
      logger: silentLogger(),
      reseed: (o) => o.params,
    });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await expiring.choose(set.key, 0, owner)).toEqual({
      kind: 'expired',
      message: expect.stringMatching(/expired.*ask again/i),
    });
    expect(await assistant.choose('notAKey', 0, owner)).toMatchObject({ kind: 'expired' });
    expect(await assistant.choose(set.key, 9, owner)).toMatchObject({ kind: 'expired' });
  });
});

describe('follow-up actions', () => {
  it('re-roll runs the same recipe with a new seed', async () => {
    const set = await optionsFor('t-reroll', 'a koi pond in autumn', 'u-alice');
    const soulIndex = set.options.findIndex((o) => o.modelId.includes('soul'));
    const chosen = await assistant.choose(set.key, soulIndex, owner);
    if (chosen.kind !== 'queued') throw new Error(chosen.kind);
    await h.finished(chosen.generationId);
    const again = await assistant.reroll(chosen.generationId, owner);
    if (again.kind !== 'queued') throw new Error(again.kind);
    expect(again.generationId).not.toBe(chosen.generationId);
    expect(again.option.prompt).toBe(chosen.option.prompt);
    expect(again.option.modelId).toBe(chosen.option.modelId);
    expect(again.option.params.seed).toEqual(expect.any(Number));
    expect(again.option.params.seed).not.toBe(chosen.option.params.seed);
    expect((await h.finished(again.generationId)).state).toBe('done');
    expect(await assistant.reroll(chosen.generationId, { userId: 'u-bob', isAdmin: false })).toMatchObject({
      kind: 'not-allowed',
    });
  });

  it('animate proposes image-to-video options that use the finished image', async () => {
    const set = await optionsFor('t-animate', 'a lighthouse at dusk');
    const imageIndex = set.options.findIndex((o) => o.kind === 'text-to-image');
    const chosen = await assistant.choose(set.key, imageIndex, owner);
    if (chosen.kind !== 'queued') throw new Error(chosen.kind);
    const done = await h.finished(chosen.generationId);
    const imageUrl = done.assets?.[0]?.providerUrl;
    const reply = await assistant.animate(chosen.generationId, owner);
    if (reply.kind !== 'options') throw new Error(reply.kind);
    expect(reply.set.options.length).toBeGreaterThanOrEqual(2);
    for (const option of reply.set.options) {
      expect(option.kind).toBe('image-to-video');
      expect(option.params.image_url).toBe(imageUrl);
    }
  });

  it('"now animate it" in the thread animates the last image', async () => {
    const set = await optionsFor('t-animate-text', 'a castle on a hill');
    const chosen = await assistant.choose(
      set.key,
      set.options.findIndex((o) => o.kind === 'text-to-image'),
      owner,
    );
    if (chosen.kind !== 'queued') throw new Error(chosen.kind);
    const done = await h.finished(chosen.generationId);
    const next = await optionsFor('t-animate-text', 'now animate it');
    expect(next.options.every((o) => o.kind === 'image-to-video')).toBe(true);
    expect(next.options[0]?.params.image_url).toBe(done.assets?.[0]?.providerUrl);
  });

  it('cancel stops a queued generation', async () => {
    const set = await optionsFor('t-cancel', 'a hot air balloon over fields');
    const videoIndex = set.options.findIndex((o) => o.kind === 'text-to-video');
    const chosen = await assistant.choose(set.key, videoIndex, owner);
    if (chosen.kind !== 'queued') throw new Error(chosen.kind);
    const outcome = await assistant.cancel(chosen.generationId, owner);
    expect(['canceled', 'too-late']).toContain(outcome.outcome);
    const end = await h.finished(chosen.generationId);
    expect(`${outcome.outcome}->${end.state}`).toBe(
      outcome.outcome === 'canceled' ? 'canceled->canceled' : 'too-late->done',
    );
  });
});

/**
 * The history use cases of the Assistant (`/history`, `/show`, `/forget`, and Re-roll and Animate of a result
 * Redis has forgotten), on the real pipeline (BullMQ on Redis, the simulator over HTTP, files on disk), real
 * Redis for the page keys, and an in-memory history store fed by the progress bus and the history log.
 * What is asserted is what a person would be told or shown.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/agent/catalog.js';
import { OfflineRecommender } from '../../src/agent/offline-recommender.js';
import { reseed } from '../../src/agent/reseed.js';
import { type Actor, Assistant, type AssistantDeps } from '../../src/core/assistant.js';
import type { OptionSet } from '../../src/core/assistant-types.js';
import { type HistoryEntry, shortId } from '../../src/core/history.js';
import type { HistoryView } from '../../src/core/history-views.js';
import type { ConversationRef, GenerationOption, GenerationState } from '../../src/core/types.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import { SIMULATOR_CREDENTIALS } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore, type LocalMediaStore } from '../../src/media/local-media-store.js';
import { newGenerationId } from '../../src/queue/jobs.js';
import { createRedis } from '../../src/queue/redis.js';
import { RedisConversationMemory } from '../../src/store/redis-conversation-memory.js';
import { RedisHistoryPages } from '../../src/store/redis-history-pages.js';
import { RedisOptionStore } from '../../src/store/redis-option-store.js';
import { conversation } from '../agent/agent-fixtures.js';
import { type Harness, startHarness } from '../support/pipeline-harness.js';
import { deleteKeys, redisUrl } from '../support/redis.js';
import {
  outage,
  RecordingHistoryLog,
  type WatchedHistoryStore,
  warningsLogger,
  watchedHistoryStore,
} from './support/history-doubles.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MEDIA_BASE = 'https://media.higgsbot.test';
const UNAVAILABLE = /^History is unavailable right now; your generations are not affected\. Try again in a moment\.$/;

let h: Harness;
let prefix: string;
let catalogs: CatalogCache;
let media: LocalMediaStore;
let history: WatchedHistoryStore;
let log: RecordingHistoryLog;
let assistant: Assistant;
let stopFeed: () => Promise<void>;
const redis = createRedis(redisUrl(), 'worker');
const logger = warningsLogger();

const alice: Actor = { userId: 'u-alice', isAdmin: false };
const bob: Actor = { userId: 'u-bob', isAdmin: false };
const admin: Actor = { userId: 'u-admin', isAdmin: true };

/** An Assistant on the shared pipeline and stores, with some deps replaced and some left out. */
function assistantWith(
  overrides: Partial<AssistantDeps> = {},
  without: ReadonlyArray<keyof AssistantDeps> = [],
): Assistant {
  const deps: AssistantDeps = {
    offline: new OfflineRecommender(catalogs),
    optionStore: new RedisOptionStore(redis, prefix),
    memory: new RedisConversationMemory(redis, prefix),
    queue: h.pipeline.service,
    agentTimeoutMs: 5_000,
    logger,
    reseed: (option) => reseed(option),
    history,
    historyLog: log,
    media,
    pages: new RedisHistoryPages(redis, prefix),
    ...overrides,
  };
  for (const name of without) delete deps[name];
  return new Assistant(deps);
}

beforeAll(async () => {
  h = await startHarness({ name: 'history-uc' });
  prefix = h.pipeline.settings.prefix;
  const client = new HiggsfieldClient({
    baseUrl: h.sim.url,
    credentials: SIMULATOR_CREDENTIALS,
    logger: silentLogger(),
  });
  catalogs = new CatalogCache(createHiggsfieldProvider(client));
  // The worker's store and this one share the folder; this one links through the bot's media route.
  media = createLocalMediaStore({ dir: h.mediaDir, linkFor: (key) => `${MEDIA_BASE}/media/${key}` });
  history = watchedHistoryStore();
  log = new RecordingHistoryLog(history);
  stopFeed = await h.pipeline.bus.subscribe((event) => void history.recordProgress(event).catch(() => undefined));
  assistant = assistantWith();
});

afterAll(async () => {
  await stopFeed();
  await h.close();
  await deleteKeys(redisUrl(), prefix);
  redis.disconnect();
});

function here(userId = 'u-alice', thread = 't-here', workspaceId = 'local'): ConversationRef {
  return { ...conversation(thread, userId), workspaceId };
}

interface SeedOptions {
  userId: string;
  prompt: string;
  atMs: number;
  state?: GenerationState;
  where?: Partial<ConversationRef>;
  /** Store a file for it (default true for 'done'). */
  file?: boolean;
  failure?: string;
}

/** A generation recorded in history the way the progress events record it, with its file on disk. */
async function seed(options: SeedOptions): Promise<HistoryEntry> {
  const generationId = newGenerationId(randomUUID());
  const state = options.state ?? 'done';
  const option: GenerationOption = {
    kind: 'text-to-image',
    modelId: 'higgsfield-ai/soul/v2/standard',
    prompt: options.prompt,
    params: { seed: 7 },
    label: options.prompt.slice(0, 40),
    reason: 'seeded',
  };
  const where = { ...conversation('t-old', options.userId), ...options.where };
  const event = { generationId, conversation: where, modelId: option.modelId };
  await history.recordProgress({ ...event, state: 'queued', option, atMs: options.atMs });
  if (state !== 'queued') await history.recordProgress({ ...event, state: 'rendering', atMs: options.atMs + 1_000 });
  if (state === 'done') {
    const key = `2025/01/01/${generationId}-0.png`;
    const providerUrl = `https://cdn.higgsfield.test/${generationId}.png`;
    const asset =
      options.file === false
        ? { key, contentType: 'image/png', sizeBytes: PNG.length, url: providerUrl, providerUrl }
        : await media.put(key, Readable.from([PNG]), { contentType: 'image/png', maxBytes: 1_000, providerUrl });
    await history.recordProgress({ ...event, state: 'done', assets: [asset], atMs: options.atMs + 4_000 });
  }
  if (state === 'failed' || state === 'canceled') {
    await history.recordProgress({
      ...event,
      state,
      reason: state === 'failed' ? 'failed' : 'canceled',
      message: options.failure ?? 'Canceled.',
      atMs: options.atMs + 2_000,
    });
  }
  const entry = await history.get(generationId);
  if (!entry) throw new Error('seeding failed');
  return entry;
}

function page(view: HistoryView) {
  if (view.kind !== 'page') throw new Error(`expected a page, got ${view.kind}: ${view.message}`);
  return view;
}

async function until<T>(read: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('/history', () => {
  it('lists the person’s own generations on this platform newest first, ten a page, with a button key for the next', async () => {
    const start = Date.now() - 30 * 60_000;
    const made: HistoryEntry[] = [];
    for (let i = 0; i < 23; i++)
      made.push(await seed({ userId: 'u-pages', prompt: `castle number ${i}`, atMs: start + i * 1_000 }));
    await seed({ userId: 'u-someone', prompt: 'castle of someone else', atMs: start + 50_000 });
    await seed({
      userId: 'u-pages',
      prompt: 'castle on discord',
      atMs: start + 60_000,
      where: { platform: 'discord' },
    });
    const me: Actor = { userId: 'u-pages', isAdmin: true };

    const first = page(await assistant.history(me, here('u-pages'), ''));
    expect(first).toMatchObject({ page: 1, search: '' });
    expect(first.lines).toHaveLength(10);
    expect(first.lines[0]).toEqual({
      generationId: made[22]!.generationId,
      shortId: shortId(made[22]!.generationId),
      label: 'castle number 22',
      prompt: 'castle number 22',
      modelId: 'higgsfield-ai/soul/v2/standard',
      state: 'done',
      createdAtMs: made[22]!.createdAtMs,
    });
    expect(first.nextPage).toMatch(/^[0-9A-Za-z]{10}$/);

    const second = page(await assistant.historyPage(me, first.nextPage!));
    expect(second.page).toBe(2);
    expect(second.lines).toHaveLength(10);
    const third = page(await assistant.historyPage(me, second.nextPage!));
    expect(third).toMatchObject({ page: 3 });
    expect(third.nextPage).toBeUndefined();
    const shown = [...first.lines, ...second.lines, ...third.lines];
    expect(shown.map((l) => l.generationId)).toEqual(made.map((e) => e.generationId).reverse());
    expect(shown.map((l) => l.prompt)).not.toContain('castle of someone else');
    expect(shown.map((l) => l.prompt)).not.toContain('castle on discord');
  });

  it('answers "expired" for a page key of someone else, one that is not a key, and one past its hour', async () => {
    const start = Date.now() - 60_000;
    for (let i = 0; i < 11; i++) await seed({ userId: 'u-keys', prompt: `lantern ${i}`, atMs: start + i });
    const owner: Actor = { userId: 'u-keys', isAdmin: false };
    const key = page(await assistant.history(owner, here('u-keys'), '')).nextPage!;
    expect(await assistant.historyPage(bob, key)).toEqual({
      kind: 'expired',
      message: expect.stringMatching(/expired\. Ask for your history again/),
    });
    expect(await assistant.historyPage(admin, key)).toMatchObject({ kind: 'expired' });
    expect(await assistant.historyPage(owner, 'notAKey!')).toMatchObject({ kind: 'expired' });
    expect(await assistant.historyPage(owner, 'AAAAAAAAAA')).toMatchObject({ kind: 'expired' });

    const briefly = assistantWith({ pages: new RedisHistoryPages(redis, `${prefix}-brief`, 1) });
    const brief = page(await briefly.history(owner, here('u-keys'), '')).nextPage!;
    expect(page(await briefly.historyPage(owner, brief)).lines).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await briefly.historyPage(owner, brief)).toMatchObject({ kind: 'expired' });
  });

  it('passes search text through as words: trimmed, spaces collapsed, capped at 200 characters, symbols as text', async () => {
    const atMs = Date.now() - 5_000;
    await seed({ userId: 'u-search', prompt: 'a red fox in the snow', atMs });
    await seed({ userId: 'u-search', prompt: 'a grey wolf in the snow', atMs: atMs + 1 });
    await seed({ userId: 'u-search', prompt: "100% cotton_shirt, it's 'fine'; --", atMs: atMs + 2 });
    const me: Actor = { userId: 'u-search', isAdmin: false };
    const asked = () => history.queries.at(-1);

    const fox = page(await assistant.history(me, here('u-search'), '   red \t  fox  '));
    expect(asked()).toMatchObject({ platform: 'terminal', userId: 'u-search', search: 'red fox', limit: 10 });
    expect(fox.search).toBe('red fox');
    expect(fox.lines.map((l) => l.prompt)).toEqual(['a red fox in the snow']);

    const everything = page(await assistant.history(me, here('u-search'), '   '));
    expect(asked()).not.toHaveProperty('search');
    expect(everything.lines).toHaveLength(3);

    const symbols = page(await assistant.history(me, here('u-search'), "100% cotton_shirt 'fine'; --"));
    expect(asked()?.search).toBe("100% cotton_shirt 'fine'; --");
    expect(symbols.lines.map((l) => l.prompt)).toEqual(["100% cotton_shirt, it's 'fine'; --"]);

    await assistant.history(me, here('u-search'), `snow ${'x'.repeat(500)}`);
    expect(asked()?.search).toHaveLength(200);

    expect(page(await assistant.history(me, here('u-search'), 'zebra')).lines).toEqual([]);
  });

  it('says history is unavailable while its database is down, and works again once it is back', async () => {
    history.fail(outage());
    try {
      expect(await assistant.history(alice, here(), '')).toEqual({
        kind: 'unavailable',
        message: expect.stringMatching(UNAVAILABLE),
      });
      expect(logger.warnings).toContain('history could not be read; told the person it is unavailable');
    } finally {
      history.recover();
    }
    expect((await assistant.history(alice, here(), '')).kind).toBe('page');
  });
});

describe('/show', () => {
  it('posts the person’s own result again here, with its original id, recipe and fresh links, by short or full id', async () => {
    const atMs = Date.now() - 3 * 86_400_000;
    const made = await seed({
      userId: 'u-alice',
      prompt: 'a koi pond in autumn',
      atMs,
      where: { threadId: 't-long-ago' },
    });
    for (const id of [
      shortId(made.generationId),
      made.generationId,
      shortId(made.generationId).toUpperCase(),
      ` #${shortId(made.generationId)} `,
    ]) {
      const outcome = await assistant.show(id, alice, here());
      expect(outcome).toEqual({
        kind: 'result',
        result: {
          generationId: made.generationId,
          option: made.option,
          conversation: here(),
          assets: [
            {
              key: made.assets[0]!.key,
              contentType: 'image/png',
              sizeBytes: PNG.length,
              url: `${MEDIA_BASE}/media/${made.assets[0]!.key}`,
              providerUrl: made.assets[0]!.providerUrl,
            },
          ],
          durationMs: 4_000,
        },
      });
    }
  });

  it('refuses someone else’s result; an admin may show one of their own workspace, not of another', async () => {
    const made = await seed({ userId: 'u-alice', prompt: 'a paper boat', atMs: Date.now() - 1_000 });
    expect(await assistant.show(shortId(made.generationId), bob, here('u-bob'))).toEqual({
      kind: 'not-allowed',
      message: expect.stringMatching(/not yours to show/),
    });
    expect(await assistant.show(shortId(made.generationId), admin, here('u-admin'))).toMatchObject({
      kind: 'result',
      result: { generationId: made.generationId, conversation: here('u-admin') },
    });
    expect(
      await assistant.show(shortId(made.generationId), admin, here('u-admin', 't-x', 'T-other-team')),
    ).toMatchObject({
      kind: 'not-allowed',
    });
  });

  it('does not find a generation of another platform, an unknown id, or something that is not an id', async () => {
    const discord = await seed({
      userId: 'u-alice',
      prompt: 'on discord',
      atMs: Date.now(),
      where: { platform: 'discord' },
    });
    expect(await assistant.show(shortId(discord.generationId), alice, here())).toEqual({
      kind: 'not-found',
      message: `I found no generation ${shortId(discord.generationId)}. Your history lists the ids.`,
    });
    expect(await assistant.show('0badf00d', alice, here())).toMatchObject({
      kind: 'not-found',
      message: expect.stringMatching(/found no generation 0badf00d/),
    });
    for (const id of [
      '',
      'abc',
      '1a2b3c4g',
      "1a2b3c4d'; DROP TABLE generations; --",
      '%',
      'gen-1234',
      'x'.repeat(300),
    ]) {
      const outcome = await assistant.show(id, alice, here());
      expect(outcome).toEqual({
        kind: 'not-found',
        message: expect.stringMatching(
          /is not a generation id\. An id is the 8 characters shown in your history, e\.g\. 1a2b3c4d\.$/,
        ),
      });
      expect(outcome.kind === 'not-found' && outcome.message.length).toBeLessThan(160);
    }
  });

  it('says why there is nothing to show: failed, canceled, still rendering, or its file is gone', async () => {
    const atMs = Date.now();
    const failed = await seed({
      userId: 'u-alice',
      prompt: 'f',
      atMs,
      state: 'failed',
      failure: 'Higgsfield could not render it.',
    });
    const canceled = await seed({ userId: 'u-alice', prompt: 'c', atMs, state: 'canceled' });
    const rendering = await seed({ userId: 'u-alice', prompt: 'r', atMs, state: 'rendering' });
    const gone = await seed({ userId: 'u-alice', prompt: 'g', atMs, file: false });
    const show = (e: HistoryEntry) => assistant.show(shortId(e.generationId), alice, here());
    expect(await show(failed)).toEqual({
      kind: 'no-media',
      message: `${shortId(failed.generationId)} failed, so there is nothing to show. Higgsfield could not render it.`,
    });
    expect(await show(canceled)).toEqual({
      kind: 'no-media',
      message: expect.stringMatching(/was canceled, so there is nothing to show/),
    });
    expect(await show(rendering)).toEqual({
      kind: 'no-media',
      message: expect.stringMatching(/is still rendering; its result is posted/),
    });
    expect(await show(gone)).toEqual({
      kind: 'no-media',
      message: expect.stringMatching(/has no stored images or videos any more/),
    });
  });

  it('says history is unavailable while its database is down', async () => {
    history.fail(outage());
    try {
      expect(await assistant.show('1a2b3c4d', alice, here())).toEqual({
        kind: 'unavailable',
        message: expect.stringMatching(UNAVAILABLE),
      });
    } finally {
      history.recover();
    }
  });
});

describe('a /show-n result after Redis forgot its option set and its generation', () => {
  let set: OptionSet;
  let original: string;

  beforeAll(async () => {
    const reply = await assistant.handleMessage({
      conversation: conversation('t-first', 'u-alice'),
      text: 'a lighthouse at dusk',
    });
    if (reply.kind !== 'options') throw new Error(reply.text);
    set = reply.set;
    const chosen = await assistant.choose(
      set.key,
      set.options.findIndex((o) => o.kind === 'text-to-image'),
      alice,
    );
    if (chosen.kind !== 'queued') throw new Error(chosen.kind);
    original = chosen.generationId;
    expect((await h.finished(original)).state).toBe('done');
    await until(
      async () => ((await history.get(original))?.state === 'done' ? true : undefined),
      'history to record done',
    );
    // Every key Redis holds about it (its record, its BullMQ jobs, the choice) and its option set: gone.
    const keys = [`${prefix}:options:${set.key}`];
    for await (const found of redis.scanStream({ match: `${prefix}:*${original}*`, count: 1_000 })) {
      keys.push(...(found as string[]));
    }
    expect(keys.length).toBeGreaterThan(1);
    await redis.del(...keys);
    expect(await assistant.choose(set.key, 0, alice)).toMatchObject({ kind: 'expired' });
  });

  it('is shown with its stored image, and Re-roll runs its recipe again with a new seed, here', async () => {
    const shown = await assistant.show(shortId(original), alice, here('u-alice', 't-now'));
    if (shown.kind !== 'result') throw new Error(shown.message);
    expect(shown.result.generationId).toBe(original);
    expect(shown.result.assets[0]?.url).toMatch(new RegExp(`^${MEDIA_BASE}/media/.+${original}`));

    const again = await assistant.reroll(original, alice, here('u-alice', 't-now'));
    if (again.kind !== 'queued') throw new Error(`${again.kind}: ${'message' in again ? again.message : ''}`);
    const recipe = (await history.get(original))!.option;
    expect(again.generationId).not.toBe(original);
    expect(again.option).toMatchObject({
      modelId: recipe.modelId,
      prompt: recipe.prompt,
      label: `Re-roll: ${recipe.label}`,
    });
    expect(again.option.params.seed).not.toBe(recipe.params.seed);
    expect(again.conversation).toMatchObject({ threadId: 't-now', userId: 'u-alice' });
    expect((await h.finished(again.generationId)).state).toBe('done');
    expect(h.publisher.results.find((r) => r.generationId === again.generationId)?.conversation.threadId).toBe('t-now');
  });

  it('Animate proposes image-to-video options from its image', async () => {
    const providerUrl = (await history.get(original))!.assets[0]!.providerUrl;
    const reply = await assistant.animate(original, alice);
    if (reply.kind !== 'options') throw new Error(reply.kind);
    expect(reply.set.options.length).toBeGreaterThanOrEqual(2);
    for (const option of reply.set.options) {
      expect(option.kind).toBe('image-to-video');
      expect(option.params.image_url).toBe(providerUrl);
    }
  });

  it('is still only the requester’s (or an admin’s) to act on', async () => {
    expect(await assistant.reroll(original, bob)).toMatchObject({ kind: 'not-allowed' });
    expect(await assistant.animate(original, bob)).toMatchObject({ kind: 'not-allowed' });
    const byAdmin = await assistant.reroll(original, admin);
    expect(byAdmin).toMatchObject({ kind: 'queued', conversation: { userId: 'u-alice', threadId: 't-first' } });
    if (byAdmin.kind === 'queued') await h.finished(byAdmin.generationId);
  });

  it('says so when history is down too, and "too old" when history never knew it', async () => {
    history.fail(outage());
    try {
      expect(await assistant.reroll(original, alice)).toEqual({
        kind: 'unavailable',
        message: expect.stringMatching(/older than the queue remembers, and history is unavailable right now/),
      });
    } finally {
      history.recover();
    }
    expect(await assistant.reroll(newGenerationId(randomUUID()), alice)).toMatchObject({
      kind: 'expired',
      message: expect.stringMatching(/too old/),
    });
    expect(await assistantWith({}, ['history']).reroll(original, alice)).toMatchObject({ kind: 'expired' });
  });
});

describe('/forget', () => {
  it('asks first, and deletes nothing until confirmed', async () => {
    await seed({ userId: 'u-forget', prompt: 'kept until confirmed', atMs: Date.now() });
    const me: Actor = { userId: 'u-forget', isAdmin: false };
    expect(await assistant.forget(me, here('u-forget'), false)).toEqual({
      kind: 'confirm',
      message: expect.stringMatching(
        /deletes what Higgsbot keeps about you here: your requests, .*stored images and videos\. It cannot be undone\./,
      ),
    });
    expect(page(await assistant.history(me, here('u-forget'), '')).lines).toHaveLength(1);
  });

  it('confirmed: deletes the person’s generations, turns and files on this platform, and says how many', async () => {
    const me: Actor = { userId: 'u-gone', isAdmin: false };
    const mine = [
      await seed({ userId: 'u-gone', prompt: 'one', atMs: Date.now() }),
      await seed({ userId: 'u-gone', prompt: 'two', atMs: Date.now() }),
    ];
    const reply = await assistant.handleMessage({ conversation: here('u-gone', 't-gone'), text: 'a snowy owl' });
    expect(reply.kind).toBe('options');
    const theirs = await seed({ userId: 'u-stays', prompt: 'not mine', atMs: Date.now() });
    const elsewhere = await seed({
      userId: 'u-gone',
      prompt: 'same id on discord',
      atMs: Date.now(),
      where: { platform: 'discord' },
    });

    const outcome = await assistant.forget(me, here('u-gone'), true);
    expect(outcome).toEqual({
      kind: 'forgotten',
      message: 'Done: I deleted 2 generations, 2 turns and 2 media files from your history.',
      generations: 2,
      mediaFiles: 2,
    });
    for (const e of mine) expect(await media.exists(e.assets[0]!.key)).toBe(false);
    expect(page(await assistant.history(me, here('u-gone'), '')).lines).toEqual([]);
    expect(await assistant.show(shortId(mine[0]!.generationId), me, here('u-gone'))).toMatchObject({
      kind: 'not-found',
    });
    expect(await media.exists(theirs.assets[0]!.key)).toBe(true);
    expect(await history.get(elsewhere.generationId)).toBeDefined();

    expect(await assistant.forget(me, here('u-gone'), true)).toMatchObject({
      kind: 'forgotten',
      message: 'There was nothing to delete: your history here was already empty.',
      generations: 0,
    });
  });

  it('says history is unavailable while its database is down, and deletes nothing', async () => {
    const kept = await seed({ userId: 'u-outage', prompt: 'kept', atMs: Date.now() });
    history.fail(outage());
    try {
      expect(await assistant.forget({ userId: 'u-outage', isAdmin: false }, here('u-outage'), true)).toEqual({
        kind: 'unavailable',
        message: expect.stringMatching(UNAVAILABLE),
      });
    } finally {
      history.recover();
    }
    expect(await media.exists(kept.assets[0]!.key)).toBe(true);
  });
});

describe('the history log', () => {
  it('gets each turn: the request, then the reply with the option set shown, each with its own id', async () => {
    const before = log.appended.length;
    const where = conversation('t-log', 'u-carol');
    const reply = await assistant.handleMessage({ conversation: where, text: '  a red fox in the snow  ' });
    if (reply.kind !== 'options') throw new Error(reply.text);
    const [request, answer, ...rest] = log.appended.slice(before);
    expect(rest).toEqual([]);
    expect(request).toEqual({
      kind: 'request',
      turnId: expect.any(String),
      conversation: where,
      text: 'a red fox in the snow',
      atMs: expect.any(Number),
    });
    expect(answer).toEqual({
      kind: 'reply',
      turnId: expect.any(String),
      conversation: where,
      text: reply.set.text,
      optionSet: { key: reply.set.key, options: reply.set.options },
      atMs: expect.any(Number),
    });
    expect(request?.turnId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer?.turnId).not.toBe(request?.turnId);
  });

  it('gets a hint as a reply without options, and nothing for an empty message', async () => {
    const before = log.appended.length;
    const hint = await assistant.handleMessage({
      conversation: conversation('t-hint', 'u-carol'),
      text: 'animate it',
      intent: 'animate',
    });
    expect(hint.kind).toBe('hint');
    const turns = log.appended.slice(before);
    expect(turns.map((t) => t.kind)).toEqual(['request', 'reply']);
    expect(turns[1]).not.toHaveProperty('optionSet');
    expect(turns[1]?.text).toBe(hint.kind === 'hint' ? hint.text : '');

    await assistant.handleMessage({ conversation: conversation('t-hint', 'u-carol'), text: '   ' });
    expect(log.appended).toHaveLength(before + 2);
  });

  it('that fails never fails the turn: the options come, and the failure is logged', async () => {
    log.failing = true;
    try {
      const reply = await assistant.handleMessage({
        conversation: conversation('t-log-down', 'u-carol'),
        text: 'a castle on a hill',
      });
      expect(reply.kind).toBe('options');
      expect(logger.warnings.filter((w) => w === 'a turn could not be added to the history log')).toHaveLength(2);
    } finally {
      log.failing = false;
    }
  });
});

/**
 * What history keeps of a conversation and its generations, on PostgreSQL and on PGlite, each fresh: the
 * whole flow (a request, a reply with its option set, a generation from queued to done with its asset) read
 * back by `list` and `get`; a retried write (the same event or turn twice, an older event after a newer
 * one, an event before 'queued') leaving one row and the newest state; failures keeping their reason.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/core/history.js';
import { type Backend, backends, type OpenedStore } from './history-backends.js';
import {
  assetFor,
  conversationOf,
  event,
  generationId,
  lifeOf,
  optionFor,
  person,
  requestTurn,
} from './history-fixtures.js';

describe.each(backends('history_record'))('history records on $name', (backend: Backend) => {
  let opened: OpenedStore;
  let store: HistoryStore;

  beforeAll(async () => {
    await backend.prepare();
    opened = await backend.open();
    store = opened.store;
  });
  afterAll(() => backend.cleanup());

  it('keeps a whole flow — request, reply with its options, a generation queued to done — and reads it back', async () => {
    const user = person();
    const conversation = conversationOf(user);
    const option = optionFor('Snow-capped peaks at sunset, warm rim light');
    const id = generationId();
    const t0 = Date.UTC(2026, 10, 21, 12, 0, 0);

    await store.recordTurn(requestTurn(conversation, 'cinematic sunset over mountains', t0));
    await store.recordTurn({
      kind: 'reply',
      turnId: `turn-${randomUUID()}`,
      conversation,
      text: 'Three takes on your sunset:',
      optionSet: { key: 'Ab3dE5gH1j', options: [option] },
      atMs: t0 + 500,
    });
    for (const e of lifeOf(id, conversation, option, t0 + 1_000)) await store.recordProgress(e);

    const page = await store.list({ platform: 'discord', userId: user, limit: 10 });
    expect(page.nextCursor).toBeUndefined();
    expect(page.items).toHaveLength(1);
    const entry = page.items[0]!;
    expect(entry).toEqual({
      generationId: id,
      conversation,
      option,
      state: 'done',
      states: [
        { state: 'queued', atMs: t0 + 1_000 },
        { state: 'submitted', atMs: t0 + 2_000 },
        { state: 'rendering', atMs: t0 + 3_000 },
        { state: 'delivering', atMs: t0 + 4_000 },
        { state: 'done', atMs: t0 + 5_000 },
      ],
      createdAtMs: t0 + 1_000,
      updatedAtMs: t0 + 5_000,
      assets: [
        {
          index: 0,
          key: assetFor(id).key,
          contentType: 'image/png',
          sizeBytes: 1_234_567,
          providerUrl: assetFor(id).providerUrl,
        },
      ],
    });
    expect(await store.get(id)).toEqual(entry);

    const [conversationRow] = await opened.query<{ title: string; last_activity_at: Date }>(
      'select title, last_activity_at from conversations where user_id = $1',
      [user],
    );
    expect(conversationRow?.title).toBe('cinematic sunset over mountains');
    expect(conversationRow?.last_activity_at.getTime()).toBe(t0 + 5_000);
    const turns = await opened.query<{ role: string; text: string; option_set: unknown }>(
      'select role, text, option_set from turns t join conversations c using (conversation_id) where c.user_id = $1 order by at',
      [user],
    );
    expect(turns).toEqual([
      { role: 'request', text: 'cinematic sunset over mountains', option_set: null },
      {
        role: 'reply',
        text: 'Three takes on your sunset:',
        option_set: { key: 'Ab3dE5gH1j', options: [option] },
      },
    ]);
  });

  it('titles a conversation with its first request, on one line, cut to 100 characters without splitting an emoji', async () => {
    const user = person();
    const conversation = conversationOf(user);
    const long = `${'a'.repeat(98)}👩‍👩‍👧 and much more`;
    await store.recordTurn(requestTurn(conversation, `  ${long}\n`, 1_000));
    await store.recordTurn(requestTurn(conversation, 'a second request does not rename it', 2_000));
    const [row] = await opened.query<{ title: string }>('select title from conversations where user_id = $1', [user]);
    expect(row?.title).toBe(`${'a'.repeat(98)}…`);
    expect(row?.title.length).toBeLessThanOrEqual(100);
  });

  it('writes a retried event or turn once: the same events twice leave one generation, five states, one asset', async () => {
    const user = person();
    const conversation = conversationOf(user);
    const option = optionFor('A lighthouse in a storm');
    const id = generationId();
    const turn = requestTurn(conversation, 'a lighthouse in a storm', 1_000);
    await store.recordTurn(turn);
    await store.recordTurn(turn);
    const life = lifeOf(id, conversation, option, 2_000);
    for (const e of life) await store.recordProgress(e);
    for (const e of life) await store.recordProgress(e);

    const page = await store.list({ platform: 'discord', userId: user, limit: 10 });
    expect(page.items.map((i) => i.generationId)).toEqual([id]);
    expect(page.items[0]?.states.map((s) => s.state)).toEqual([
      'queued',
      'submitted',
      'rendering',
      'delivering',
      'done',
    ]);
    expect(page.items[0]?.assets).toHaveLength(1);
    const turns = await opened.query('select 1 from turns where turn_id = $1', [turn.turnId]);
    expect(turns).toHaveLength(1);
  });

  it('never moves a generation back: an older event after a newer one keeps the newer state and time', async () => {
    const user = person();
    const conversation = conversationOf(user);
    const option = optionFor('A fox in the snow');
    const id = generationId();
    const [queued, submitted, rendering, delivering, done] = lifeOf(id, conversation, option, 10_000);
    await store.recordProgress(queued!);
    await store.recordProgress(rendering!);
    await store.recordProgress(submitted!);
    expect(await store.get(id)).toMatchObject({ state: 'rendering', updatedAtMs: 12_000 });

    await store.recordProgress(done!);
    await store.recordProgress(delivering!);
    await store.recordProgress(event(id, conversation, option, 'failed', 13_500, { reason: 'error', message: 'late' }));
    const entry = await store.get(id);
    expect(entry?.state).toBe('done');
    expect(entry?.updatedAtMs).toBe(14_000);
    expect(entry?.failure).toBeUndefined();
    // Every change is still recorded, oldest first.
    expect(entry?.states.map((s) => s.state)).toEqual([
      'queued',
      'submitted',
      'rendering',
      'delivering',
      'failed',
      'done',
    ]);
  });

  it('keeps a failure with its reason and message, and an end state stays final', async () => {
    const user = person();
    const conversation = conversationOf(user);
    const option = optionFor('Something the moderation refuses');
    const id = generationId();
    await store.recordProgress(event(id, conversation, option, 'queued', 1_000));
    const failed = event(id, conversation, option, 'failed', 2_000, {
      reason: 'nsfw',
      message: 'Higgsfield flagged this as NSFW.',
    });
    await store.recordProgress(failed);
    await store.recordProgress(failed);
    await store.recordProgress(
      event(id, conversation, option, 'canceled', 3_000, { reason: 'canceled', message: 'x' }),
    );
    const entry = await store.get(id);
    expect(entry).toMatchObject({
      state: 'failed',
      failure: { reason: 'nsfw', message: 'Higgsfield flagged this as NSFW.' },
      assets: [],
    });
  });

  it('keeps the states of a generation whose queued event comes last, and shows it once the recipe arrives', async () => {
    const user = person();
    const conversation = conversationOf(user);
    const option = optionFor('A koi pond from above');
    const id = generationId();
    const [queued, submitted, , , done] = lifeOf(id, conversation, option, 50_000);
    await store.recordProgress(submitted!);
    await store.recordProgress(done!);
    // Without its recipe the generation cannot be shown or re-rolled, so reads leave it out until then.
    expect(await store.get(id)).toBeUndefined();
    expect((await store.list({ platform: 'discord', userId: user, limit: 5 })).items).toEqual([]);

    await store.recordProgress(queued!);
    const entry = await store.get(id);
    expect(entry).toMatchObject({ option, state: 'done', createdAtMs: 50_000, updatedAtMs: 54_000 });
    expect(entry?.states.map((s) => s.state)).toEqual(['queued', 'submitted', 'done']);
    expect(entry?.assets.map((a) => a.key)).toEqual([assetFor(id).key]);
  });

  it('stores words PostgreSQL would refuse (a NUL, half an emoji) instead of failing the write forever', async () => {
    const user = person();
    const conversation = conversationOf(user);
    const prompt = 'nul\u0000 and half \ud83d of an emoji';
    const option = optionFor(prompt, { params: { note: 'also\u0000 here \udc00' } });
    const id = generationId();
    await store.recordTurn(requestTurn(conversation, prompt, 1_000));
    await store.recordProgress(event(id, conversation, option, 'queued', 1_000));
    const entry = await store.get(id);
    expect(entry?.option.prompt).toBe('nul and half \ufffd of an emoji');
    expect(entry?.option.params).toEqual({ note: 'also here \ufffd' });
  });

  it("keeps each asset's dimensions or duration where its file said them", async () => {
    const id = generationId();
    const conversation = conversationOf(person());
    const option = optionFor('a harbour at dawn');
    const image = { ...assetFor(id, 0), width: 1536, height: 1024 };
    const clip = { ...assetFor(id, 1), contentType: 'video/mp4', durationS: 5.04 };
    const unknown = assetFor(id, 2);
    const [queued] = lifeOf(id, conversation, option, 1_000_000);
    await store.recordProgress(queued!);
    await store.recordProgress(event(id, conversation, option, 'done', 1_005_000, { assets: [image, clip, unknown] }));
    const assets = (await store.get(id))?.assets ?? [];
    expect(assets.map((a) => [a.width, a.height, a.durationS])).toEqual([
      [1536, 1024, undefined],
      [undefined, undefined, 5.04],
      [undefined, undefined, undefined],
    ]);
  });

  it('keeps image-to-video recipes whole: motions, no style, no estimate', async () => {
    const user = person();
    const conversation = conversationOf(user, 'slack');
    const option = {
      kind: 'image-to-video' as const,
      modelId: 'higgsfield-ai/dop/standard',
      prompt: 'The camera circles the lighthouse',
      params: { input_images: [{ type: 'image_url', image_url: 'https://media.example/x.png' }], duration: 5 },
      motions: [{ id: 'm-1', name: '360 Orbit', strength: 0.8 }],
      label: 'DoP · orbit',
      reason: 'Animate your image.',
    };
    const id = generationId();
    await store.recordProgress(event(id, conversation, option, 'queued', 1_000));
    expect((await store.get(id))?.option).toEqual(option);
  });
});

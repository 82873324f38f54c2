/**
 * Forgetting and retention, on PostgreSQL and on PGlite, each fresh: `/forget` deletes one person's
 * conversations, turns, generations, states and assets on one platform — nobody else's, not theirs on
 * another platform — and says which media files to delete; a retention purge deletes only what was last
 * active before its time.
 */
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

const DAY = 86_400_000;

describe.each(backends('history_deletion'))('forgetting and purging on $name', (backend: Backend) => {
  let opened: OpenedStore;
  let store: HistoryStore;

  beforeAll(async () => {
    await backend.prepare();
    opened = await backend.open();
    store = opened.store;
  });
  afterAll(() => backend.cleanup());

  /** A request turn and a finished generation of `user` at `atMs`; the generation's id. */
  async function made(user: string, platform: string, atMs: number, threadId = 'thread-1'): Promise<string> {
    const conversation = conversationOf(user, platform, threadId);
    const id = generationId();
    await store.recordTurn(requestTurn(conversation, `a picture at ${atMs}`, atMs));
    for (const e of lifeOf(id, conversation, optionFor(`a picture at ${atMs}`), atMs)) await store.recordProgress(e);
    return id;
  }

  const ids = async (user: string, platform = 'discord') =>
    (await store.list({ platform, userId: user, limit: 100 })).items.map((i) => i.generationId).sort();

  it("forgets only that person's history on that platform, and returns their media keys", async () => {
    const user = person();
    const neighbour = person();
    const mine = [await made(user, 'discord', 1_000), await made(user, 'discord', 2_000, 'thread-2')];
    const failed = generationId();
    const conversation = conversationOf(user);
    await store.recordProgress(event(failed, conversation, optionFor('refused'), 'queued', 3_000));
    await store.recordProgress(event(failed, conversation, optionFor('refused'), 'failed', 3_500, { reason: 'nsfw' }));
    const onSlack = await made(user, 'slack', 1_000);
    const theirs = await made(neighbour, 'discord', 1_000);

    const deletion = await store.forget('discord', user);
    expect(deletion.generations).toBe(3);
    expect(deletion.turns).toBe(2);
    expect(deletion.mediaKeys.sort()).toEqual(mine.map((id) => assetFor(id).key).sort());

    expect(await ids(user)).toEqual([]);
    for (const id of [...mine, failed]) expect(await store.get(id)).toBeUndefined();
    expect(await ids(user, 'slack')).toEqual([onSlack]);
    expect(await ids(neighbour)).toEqual([theirs]);
    expect(await store.get(theirs)).toMatchObject({ assets: [{ key: assetFor(theirs).key }] });
    const left = await opened.query(
      `select (select count(*) from conversations where user_id = $1 and platform = 'discord') as conversations,
              (select count(*) from generation_states s where s.generation_id = any($2)) as states,
              (select count(*) from assets a where a.generation_id = any($2)) as assets`,
      [user, [...mine, failed]],
    );
    expect(Object.values(left[0]!).map(Number)).toEqual([0, 0, 0]);
  });

  it('forgets nothing, without an error, for a person with no history, and a second time', async () => {
    const user = person();
    await made(user, 'discord', 1_000);
    expect((await store.forget('discord', user)).generations).toBe(1);
    expect(await store.forget('discord', user)).toEqual({ generations: 0, turns: 0, mediaKeys: [] });
    expect(await store.forget('discord', person())).toEqual({ generations: 0, turns: 0, mediaKeys: [] });
  });

  it('lets a person start again after forgetting: a new request makes a new conversation', async () => {
    const user = person();
    await made(user, 'discord', 1_000);
    await store.forget('discord', user);
    const again = await made(user, 'discord', 2_000);
    expect(await ids(user)).toEqual([again]);
  });

  it('purges only what was last active before the retention time, with its turns, states and assets', async () => {
    const now = Date.UTC(2026, 10, 21);
    const cutoff = now - 90 * DAY;
    const user = person();
    const old = await made(user, 'discord', cutoff - 10 * DAY, 'old-thread');
    const recent = await made(user, 'discord', cutoff + DAY, 'new-thread');
    // An old generation in a conversation that is still active: the generation goes, the conversation stays.
    const oldInActive = await made(user, 'discord', cutoff - 5 * DAY, 'busy-thread');
    await store.recordTurn(requestTurn(conversationOf(user, 'discord', 'busy-thread'), 'still here', now - DAY));

    const deletion = await store.purge(cutoff);
    expect(deletion.mediaKeys).toEqual(expect.arrayContaining([assetFor(old).key, assetFor(oldInActive).key]));
    expect(deletion.mediaKeys).not.toContain(assetFor(recent).key);
    expect(deletion.generations).toBeGreaterThanOrEqual(2);
    expect(await ids(user)).toEqual([recent]);
    const threads = await opened.query<{ thread_id: string; turns: number }>(
      `select c.thread_id, cast(count(t.turn_id) as integer) as turns from conversations c
        left join turns t using (conversation_id) where c.user_id = $1 group by c.thread_id order by c.thread_id`,
      [user],
    );
    expect(threads).toEqual([
      { thread_id: 'busy-thread', turns: 2 },
      { thread_id: 'new-thread', turns: 1 },
    ]);
    const again = await store.purge(cutoff);
    expect(again.mediaKeys).not.toContain(assetFor(old).key);
  });

  it("counts a generation's last state change as its activity: one still running is not purged", async () => {
    const cutoff = Date.UTC(2026, 5, 1);
    const user = person();
    const conversation = conversationOf(user, 'discord', 'long-render');
    const id = generationId();
    const option = optionFor('a very long render');
    await store.recordProgress(event(id, conversation, option, 'queued', cutoff - DAY));
    await store.recordProgress(event(id, conversation, option, 'rendering', cutoff + 1_000));
    await store.purge(cutoff);
    expect(await store.get(id)).toMatchObject({ state: 'rendering' });
  });
});

/**
 * Reading history back, on PostgreSQL and on PGlite, each fresh: `/history` is one person's generations on
 * one platform, newest first, in pages that neither repeat nor skip; a search matches prompt (and label)
 * words, and text that would be syntax in SQL, LIKE or tsquery is only words; `/show <id>` finds a
 * generation by its whole id or its 8-character short id, and any other text finds nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/core/history.js';
import { shortId } from '../../src/core/history.js';
import { BadInputError } from '../../src/errors.js';
import { encodeCursor } from '../../src/history/history-cursor.js';
import { type Backend, backends } from './history-backends.js';
import { conversationOf, event, generationId, lifeOf, optionFor, person } from './history-fixtures.js';

describe.each(backends('history_list'))('history reads on $name', (backend: Backend) => {
  let store: HistoryStore;

  beforeAll(async () => {
    await backend.prepare();
    store = (await backend.open()).store;
  });
  afterAll(() => backend.cleanup());

  /** `count` generations of `user`, one minute apart (the last the newest), with `prompt(i)`; their ids, oldest first. */
  async function seed(user: string, count: number, prompt: (i: number) => string, platform = 'discord') {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = generationId();
      for (const e of lifeOf(id, conversationOf(user, platform), optionFor(prompt(i)), 1_000_000 + i * 60_000)) {
        await store.recordProgress(e);
      }
      ids.push(id);
    }
    return ids;
  }

  it('pages 15 generations as 3 pages of 5, newest first, without a duplicate or a gap', async () => {
    const user = person();
    const ids = await seed(user, 15, (i) => `picture number ${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({ platform: 'discord', userId: user, limit: 5, ...(cursor ? { cursor } : {}) });
      expect(page.items).toHaveLength(5);
      seen.push(...page.items.map((i) => i.generationId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('pages generations made in the same millisecond by id, still without a duplicate or a gap', async () => {
    const user = person();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = generationId();
      await store.recordProgress(event(id, conversationOf(user), optionFor(`twin ${i}`), 'queued', 5_000));
      ids.push(id);
    }
    const first = await store.list({ platform: 'discord', userId: user, limit: 4 });
    const second = await store.list({ platform: 'discord', userId: user, limit: 4, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeUndefined();
    expect([...first.items, ...second.items].map((i) => i.generationId)).toEqual([...ids].sort().reverse());
  });

  it("lists only that person's generations on that platform", async () => {
    const user = person();
    const other = person();
    const [mine] = await seed(user, 1, () => 'my own sunset');
    await seed(other, 2, () => 'their sunset');
    await seed(user, 1, () => 'my sunset on slack', 'slack');
    const page = await store.list({ platform: 'discord', userId: user, limit: 10, search: 'sunset' });
    expect(page.items.map((i) => i.generationId)).toEqual([mine]);
  });

  it('finds generations by the words of their prompt or label, any order, case-insensitive', async () => {
    const user = person();
    const [lighthouse, , foxes] = await seed(
      user,
      3,
      (i) => ['A lighthouse in a storm at night', 'Portrait of an old sailor', 'Two red foxes playing in the snow'][i]!,
    );
    const found = async (search: string) =>
      (await store.list({ platform: 'discord', userId: user, limit: 10, search })).items.map((i) => i.generationId);
    expect(await found('lighthouse')).toEqual([lighthouse]);
    expect(await found('SNOW foxes')).toEqual([foxes]);
    expect(await found('storm -night')).toEqual([]);
    expect(await found('"red foxes"')).toEqual([foxes]);
    expect(await found('golden')).toHaveLength(3); // the label: "Soul · golden hour"
    expect(await found('dragon')).toEqual([]);
  });

  it.each([
    ['%', 0],
    ['_', 0],
    ["'; drop table generations; --", 0],
    ['foo & | ! ( )', 1],
    ['\\', 0],
    ['foo:*', 1],
    ['', 2],
    ['   \t ', 2],
  ])('treats the search %j as words, never as syntax (%i found)', async (search, expected) => {
    const user = person();
    await seed(user, 2, (i) => (i === 0 ? 'foo fighters poster' : '100% cotton_candy clouds'));
    const page = await store.list({ platform: 'discord', userId: user, limit: 10, search });
    expect(page.items).toHaveLength(expected);
    // The table is still there for the next person.
    expect((await store.list({ platform: 'discord', userId: user, limit: 10 })).items).toHaveLength(2);
  });

  it('pages a search too, and a page past the end is empty', async () => {
    const user = person();
    const ids = await seed(user, 6, (i) => (i % 2 === 0 ? `castle ${i}` : `meadow ${i}`));
    const first = await store.list({ platform: 'discord', userId: user, limit: 2, search: 'castle' });
    const second = await store.list({
      platform: 'discord',
      userId: user,
      limit: 2,
      search: 'castle',
      cursor: first.nextCursor!,
    });
    expect([...first.items, ...second.items].map((i) => i.generationId)).toEqual([ids[4], ids[2], ids[0]]);
    expect(second.nextCursor).toBeUndefined();
    const past = encodeCursor({ createdAtMs: 0, generationId: ids[0]! });
    expect((await store.list({ platform: 'discord', userId: user, limit: 2, cursor: past })).items).toEqual([]);
  });

  it.each([
    'not-a-cursor!',
    Buffer.from('{"t":"yesterday","id":"gen-x"}').toString('base64url'),
    Buffer.from('{"t":1,"id":"gen-00000000-0000-0000-0000-000000000000","x":1}').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
    'x'.repeat(1_000),
  ])('refuses the malformed cursor %j as bad input, saying to run /history again', async (cursor) => {
    const error = await store.list({ platform: 'discord', userId: person(), limit: 5, cursor }).catch((e) => e);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as BadInputError).userMessage).toMatch(/run \/history again/);
  });

  it('gets a generation by its whole id or its short id, in any case and with spaces around', async () => {
    const user = person();
    const [id] = await seed(user, 1, () => 'A glass whale in the sky');
    const entry = await store.get(id!);
    expect(entry?.option.prompt).toBe('A glass whale in the sky');
    expect(await store.get(shortId(id!))).toEqual(entry);
    expect(await store.get(` ${shortId(id!).toUpperCase()} `)).toEqual(entry);
  });

  it.each([
    '',
    '1a2b3c4',
    '1a2b3c4d5',
    '%',
    '________',
    "'; drop table generations; --",
    'gen-',
    'gen-zzzzzzzz-0000-4000-8000-000000000000',
    'gen-00000000-0000-4000-8000-00000000000', // one short
  ])('finds nothing for the id %j, without an error', async (id) => {
    await seed(person(), 1, () => 'something to find');
    expect(await store.get(id)).toBeUndefined();
  });

  it("resolves a short id two people's generations share to the asker's own, else the newest", async () => {
    const [alice, bob] = [person(), person()];
    const short = generationId().slice(4, 12);
    const same = () => `gen-${short}${generationId().slice(12)}`;
    const [aliceId, bobId] = [same(), same()];
    for (const e of lifeOf(aliceId, conversationOf(alice), optionFor("Alice's lighthouse"), 1_000_000)) {
      await store.recordProgress(e);
    }
    for (const e of lifeOf(bobId, conversationOf(bob), optionFor("Bob's lighthouse, made later"), 2_000_000)) {
      await store.recordProgress(e);
    }
    expect((await store.get(short, { platform: 'discord', userId: alice }))?.generationId).toBe(aliceId);
    expect((await store.get(short, { platform: 'discord', userId: bob }))?.generationId).toBe(bobId);
    expect((await store.get(short))?.generationId).toBe(bobId);
  });

  it('finds nothing for a well-formed id nobody made', async () => {
    expect(await store.get(generationId())).toBeUndefined();
    expect(await store.get('00000000')).toBeUndefined();
  });
});

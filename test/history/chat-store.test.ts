/**
 * The web's chats on the history store (`history.chats`), on PostgreSQL and on PGlite, each fresh: a chat
 * is created with its title and listed most recently active first, page by page without a duplicate or a
 * gap; another person (or the same person on another platform) finds none of it; rename keeps its title
 * against later turns; remove deletes its turns and generations and names their media; its transcript is
 * the turns `recordTurn` wrote — oldest first, paged on (time, turn id), with attachments and option sets —
 * and its generations are the history entries of its conversation, newest first.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatOwner, type ChatStore, chatConversation } from '../../src/core/chats.js';
import type { HistoryStore, HistoryTurn } from '../../src/core/history.js';
import { BadInputError } from '../../src/errors.js';
import { type Backend, backends, type OpenedStore } from './history-backends.js';
import { assetFor, generationId, lifeOf, optionFor, person } from './history-fixtures.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

const ownerOf = (userId = person()): ChatOwner => ({ platform: 'web', userId });

function request(owner: ChatOwner, chatId: string, text: string, atMs: number, attachments?: string[]): HistoryTurn {
  return {
    kind: 'request',
    turnId: `turn-${randomUUID()}`,
    conversation: chatConversation(owner, chatId),
    text,
    ...(attachments ? { attachments } : {}),
    atMs,
  };
}

function reply(owner: ChatOwner, chatId: string, text: string, atMs: number, key?: string): HistoryTurn {
  return {
    kind: 'reply',
    turnId: `turn-${randomUUID()}`,
    conversation: chatConversation(owner, chatId),
    text,
    ...(key ? { optionSet: { key, options: [optionFor('a fox in the snow'), optionFor('a fox at dusk')] } } : {}),
    atMs,
  };
}

describe.each(backends('chat_store'))('chats on $name', (backend: Backend) => {
  let opened: OpenedStore;
  let store: HistoryStore;
  let chats: ChatStore;

  beforeAll(async () => {
    await backend.prepare();
    opened = await backend.open();
    store = opened.store;
    chats = store.chats!;
  });
  afterAll(() => backend.cleanup());

  /** Every chat of `owner`, paged `limit` at a time: the ids in order, and how many pages it took. */
  async function allChats(owner: ChatOwner, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await chats.list(owner, { limit, ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 50);
    return { ids, pages };
  }

  it('creates a chat with its title, empty, and reads it back', async () => {
    const owner = ownerOf();
    const id = randomUUID();
    const chat = await chats.create(owner, { id, title: '  Fox pictures  ', atMs: T0 });
    const expected = {
      id,
      userId: owner.userId,
      title: 'Fox pictures',
      messageCount: 0,
      lastMessageAtMs: null,
      createdAtMs: T0,
    };
    expect(chat).toEqual(expected);
    expect(await chats.get(owner, id)).toEqual(expected);
    expect(await chats.get(owner, id.toUpperCase())).toEqual(expected);
    expect((await chats.list(owner, { limit: 10 })).items).toEqual([expected]);
  });

  it('refuses a chat without a title, with a title too long, or without a UUID', async () => {
    const owner = ownerOf();
    await expect(chats.create(owner, { id: randomUUID(), title: '   ', atMs: T0 })).rejects.toThrow(BadInputError);
    await expect(chats.create(owner, { id: randomUUID(), title: 'x'.repeat(201), atMs: T0 })).rejects.toThrow(
      /at most 200 characters/,
    );
    await expect(chats.create(owner, { id: 'chat-1', title: 'Fox', atMs: T0 })).rejects.toThrow(BadInputError);
    expect((await chats.list(owner, { limit: 10 })).items).toEqual([]);
  });

  it('lists most recently active first, page after page, with no duplicate and no gap', async () => {
    const owner = ownerOf();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = randomUUID();
      await chats.create(owner, { id, title: `Chat ${i}`, atMs: T0 + i * 1_000 });
      made.push(id);
    }
    // Two chats share a last-activity time: the order between them is still total (the conversation key).
    await store.recordTurn(request(owner, made[0]!, 'back to the first chat', T0 + 10_000));
    await store.recordTurn(request(owner, made[3]!, 'and the fourth', T0 + 10_000));
    const expected = [made[3]!, made[0]!, made[6]!, made[5]!, made[4]!, made[2]!, made[1]!];

    const whole = await chats.list(owner, { limit: 100 });
    expect(whole.items.map((c) => c.id)).toEqual(expected);
    expect(whole.nextCursor).toBeUndefined();
    for (const limit of [1, 2, 3, 7]) {
      const paged = await allChats(owner, limit);
      expect(paged.ids, `pages of ${limit}`).toEqual(expected);
      expect(paged.pages).toBe(Math.ceil(7 / limit));
    }
    const first = await chats.list(owner, { limit: 2 });
    expect(first.items.map((c) => c.title)).toEqual(['Chat 3', 'Chat 0']);
    expect(first.items[0]).toMatchObject({ messageCount: 1, lastMessageAtMs: T0 + 10_000, createdAtMs: T0 + 3_000 });
  });

  it('refuses a malformed cursor and a page size outside 1..100', async () => {
    const owner = ownerOf();
    for (const cursor of ['not a cursor', Buffer.from('{"t":1}').toString('base64url'), '']) {
      await expect(chats.list(owner, { limit: 10, cursor })).rejects.toThrow(/no longer valid/);
    }
    for (const limit of [0, 101, 1.5]) await expect(chats.list(owner, { limit })).rejects.toThrow(BadInputError);
    const id = randomUUID();
    await chats.create(owner, { id, title: 'Fox', atMs: T0 });
    await expect(chats.messages(owner, id, { limit: 10, after: 'garbage!' })).rejects.toThrow(/no longer valid/);
  });

  it('keeps every chat to its owner: another person, or the same one elsewhere, finds nothing of it', async () => {
    const owner = ownerOf();
    const id = randomUUID();
    await chats.create(owner, { id, title: 'Mine', atMs: T0 });
    await store.recordTurn(request(owner, id, 'a fox', T0 + 1));
    const gen = generationId();
    for (const e of lifeOf(gen, chatConversation(owner, id), optionFor('a fox'), T0 + 2)) await store.recordProgress(e);

    for (const stranger of [ownerOf(), { platform: 'discord', userId: owner.userId }]) {
      expect(await chats.get(stranger, id)).toBeUndefined();
      expect((await chats.list(stranger, { limit: 100 })).items).toEqual([]);
      expect(await chats.rename(stranger, id, 'Theirs now')).toBeUndefined();
      expect(await chats.messages(stranger, id, { limit: 10 })).toBeUndefined();
      expect(await chats.generations(stranger, id, 10)).toBeUndefined();
      expect(await chats.remove(stranger, id)).toBeUndefined();
    }
    for (const notAnId of ['', 'chat-1', `${id}x`, "' or 1=1 --"]) {
      expect(await chats.get(owner, notAnId)).toBeUndefined();
      expect(await chats.messages(owner, notAnId, { limit: 10 })).toBeUndefined();
    }
    expect(await chats.get(owner, id)).toMatchObject({ title: 'Mine', messageCount: 1 });
    expect(await chats.generations(owner, id, 10)).toHaveLength(1);
  });

  it('renames a chat, and the new title stays when more turns arrive', async () => {
    const owner = ownerOf();
    const id = randomUUID();
    await chats.create(owner, { id, title: 'Given at creation', atMs: T0 });
    await store.recordTurn(request(owner, id, 'the first message is not the title', T0 + 1));
    expect((await chats.get(owner, id))?.title).toBe('Given at creation');

    const renamed = await chats.rename(owner, id, 'Foxes, renamed');
    expect(renamed).toMatchObject({ id, title: 'Foxes, renamed', messageCount: 1, lastMessageAtMs: T0 + 1 });
    await store.recordTurn(request(owner, id, 'another message', T0 + 2));
    expect((await chats.get(owner, id))?.title).toBe('Foxes, renamed');
    await expect(chats.rename(owner, id, '')).rejects.toThrow(/needs a title/);
    expect(await chats.rename(owner, randomUUID(), 'Nothing')).toBeUndefined();
  });

  it('removes a chat with its turns and generations, returning their media keys, and nothing else', async () => {
    const owner = ownerOf();
    const id = randomUUID();
    const kept = randomUUID();
    await chats.create(owner, { id, title: 'To delete', atMs: T0 });
    await chats.create(owner, { id: kept, title: 'To keep', atMs: T0 });
    const gens = [generationId(), generationId()];
    await store.recordTurn(request(owner, id, 'two foxes', T0 + 1));
    await store.recordTurn(reply(owner, id, 'Two takes:', T0 + 2, 'k3j4h5ab'));
    for (const [i, gen] of gens.entries()) {
      for (const e of lifeOf(gen, chatConversation(owner, id), optionFor(`fox ${i}`), T0 + 10 + i)) {
        await store.recordProgress(e);
      }
    }
    const other = generationId();
    await store.recordTurn(request(owner, kept, 'one fox', T0 + 3));
    for (const e of lifeOf(other, chatConversation(owner, kept), optionFor('fox'), T0 + 20))
      await store.recordProgress(e);

    const deletion = await chats.remove(owner, id);
    expect(deletion?.generations).toBe(2);
    expect(deletion?.turns).toBe(2);
    expect(deletion?.mediaKeys.sort()).toEqual(gens.map((g) => assetFor(g).key).sort());

    expect(await chats.get(owner, id)).toBeUndefined();
    expect(await chats.messages(owner, id, { limit: 10 })).toBeUndefined();
    for (const gen of gens) expect(await store.get(gen)).toBeUndefined();
    expect((await chats.list(owner, { limit: 10 })).items.map((c) => c.id)).toEqual([kept]);
    expect(await store.get(other)).toMatchObject({ state: 'done' });
    const left = await opened.query<{ n: string | number }>(
      `select count(*) as n from turns t join conversations c using (conversation_id) where c.channel_id = $1`,
      [id],
    );
    expect(Number(left[0]!.n)).toBe(0);
    expect(await chats.remove(owner, id)).toBeUndefined();
  });

  it('gives the transcript oldest first, with attachments and option sets, page after page', async () => {
    const owner = ownerOf();
    const id = randomUUID();
    await chats.create(owner, { id, title: 'Transcript', atMs: T0 });
    const turns = [
      request(owner, id, 'a fox, like this photo', T0 + 1_000, ['https://media.example/up/fox.jpg']),
      reply(owner, id, 'Three takes on your fox:', T0 + 2_000, 'k3j4h5ab'),
      request(owner, id, 'make option 2', T0 + 3_000),
      // Two turns in the same millisecond: the turn id orders them, and no page loses one.
      { ...request(owner, id, 'same instant, a', T0 + 4_000), turnId: 'turn-a' },
      { ...reply(owner, id, 'same instant, b', T0 + 4_000), turnId: 'turn-b' },
      request(owner, id, 'and a last one', T0 + 5_000, [
        'https://media.example/up/1.png',
        'https://media.example/up/2.png',
      ]),
    ] satisfies HistoryTurn[];
    // Written out of order, and one twice (the feed after the web wrote it): the transcript is by time.
    for (const turn of [...turns].reverse()) await store.recordTurn(turn);
    await store.recordTurn(turns[0]!);

    const whole = await chats.messages(owner, id, { limit: 100 });
    expect(whole?.nextCursor).toBeUndefined();
    expect(whole?.items.map((m) => m.id)).toEqual(turns.map((t) => t.turnId));
    expect(whole?.items[0]).toEqual({
      id: turns[0]!.turnId,
      chatId: id,
      role: 'request',
      text: 'a fox, like this photo',
      attachments: ['https://media.example/up/fox.jpg'],
      atMs: T0 + 1_000,
    });
    expect(whole?.items[1]).toEqual({
      id: turns[1]!.turnId,
      chatId: id,
      role: 'reply',
      text: 'Three takes on your fox:',
      optionSet: { key: 'k3j4h5ab', options: [optionFor('a fox in the snow'), optionFor('a fox at dusk')] },
      atMs: T0 + 2_000,
    });
    expect(whole?.items[2]).not.toHaveProperty('attachments');
    expect(whole?.items[2]).not.toHaveProperty('optionSet');
    expect(whole?.items[5]?.attachments).toEqual(['https://media.example/up/1.png', 'https://media.example/up/2.png']);

    for (const limit of [1, 2, 4]) {
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await chats.messages(owner, id, { limit, ...(after ? { after } : {}) });
        expect(page!.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page!.items.map((m) => m.id));
        after = page!.nextCursor;
        pages++;
      } while (after !== undefined && pages < 20);
      expect(seen, `pages of ${limit}`).toEqual(turns.map((t) => t.turnId));
      expect(pages).toBe(Math.ceil(turns.length / limit));
    }

    expect(await chats.get(owner, id)).toMatchObject({ messageCount: 6, lastMessageAtMs: T0 + 5_000, createdAtMs: T0 });
  });

  it("lists the chat's generations newest first, as history entries of its conversation", async () => {
    const owner = ownerOf();
    const id = randomUUID();
    await chats.create(owner, { id, title: 'Gallery', atMs: T0 });
    const conversation = chatConversation(owner, id);
    const gens = [generationId(), generationId(), generationId()];
    for (const [i, gen] of gens.entries()) {
      for (const e of lifeOf(gen, conversation, optionFor(`fox ${i}`), T0 + i * 10_000)) await store.recordProgress(e);
    }
    expect(await chats.generations(owner, id, 10)).toEqual(
      [...gens].reverse().map((gen) =>
        expect.objectContaining({
          generationId: gen,
          conversation,
          state: 'done',
          assets: [expect.objectContaining({ key: assetFor(gen).key })],
        }),
      ),
    );
    expect((await chats.generations(owner, id, 2))?.map((g) => g.generationId)).toEqual([gens[2], gens[1]]);
    expect(await chats.generations(owner, randomUUID(), 10)).toBeUndefined();
    await expect(chats.generations(owner, id, 0)).rejects.toThrow(BadInputError);
    // Generations alone touch the chat's activity, not its transcript.
    expect(await chats.get(owner, id)).toMatchObject({ messageCount: 0, lastMessageAtMs: null });
  });
});

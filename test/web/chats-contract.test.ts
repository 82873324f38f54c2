/**
 * Seed B's chats (`POST /chats`, `GET /chats`, `GET`/`PATCH`/`DELETE /chats/{id}`) as a client sees them:
 * every answer parsed with the shape seed B's document shows and with its client's schemas
 * (support/seed-b-shapes.ts, written apart from the product's own), pages without gaps or repeats, another
 * person's chat answered exactly like one that never existed, and every refusal changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatConversation } from '../../src/core/chats.js';
import {
  ChatSchema,
  clientChatList,
  clientDeleteChatResponse,
  clientUpdateChatResponse,
  documentedChat,
  errorBody,
} from './support/seed-b-shapes.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_CHAT = '7d1c55f2-3f6e-4a8e-9d43-2b0c7f0e9a11';

let world: WebWorld;
let alice: string;
let bob: string;

beforeAll(async () => {
  world = await startWebWorld({ name: 'chats', env: { WEB_RATE_LIMIT_PER_MINUTE: '100000' } });
  alice = await world.newKey('alice');
  bob = await world.newKey('bob');
}, 30_000);

afterAll(async () => {
  await world?.close();
});

/** A chat of `key`'s person, as seed B's document and client both read it. */
async function newChat(key: string, title?: string) {
  const answer = await world.api('/chats', { method: 'POST', key, body: title === undefined ? {} : { title } });
  expect(answer.status).toBe(201);
  documentedChat.parse(answer.body);
  return ChatSchema.parse(answer.body);
}

async function allChats(key: string) {
  const answer = await world.api('/chats?limit=100', { key });
  expect(answer.status).toBe(200);
  return clientChatList.parse(answer.body).items;
}

/** What nothing may have changed after a refusal: no chat of theirs, no generation queued or paid for. */
async function expectNothingDone(userId: string, chatsBefore: number, submitsBefore: number) {
  const key = userId === 'alice' ? alice : bob;
  expect(await allChats(key)).toHaveLength(chatsBefore);
  expect(world.sim.stats().submitCalls).toBe(submitsBefore);
  expect(await world.app.assistant?.activeJobs(chatConversation({ platform: 'web', userId }, UNKNOWN_CHAT))).toEqual(
    [],
  );
}

describe('POST /chats', () => {
  it('answers 201 with seed B’s chat: a UUID, the person, the title, no messages yet', async () => {
    const before = Date.now();
    const chat = await newChat(alice, 'My Chat');
    expect(chat).toEqual({
      id: expect.stringMatching(UUID),
      user_id: 'alice',
      title: 'My Chat',
      message_count: 0,
      last_message_at: null,
      created_at: expect.any(String),
    });
    expect(Date.parse(chat.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(chat.created_at).toISOString()).toBe(chat.created_at);
  });

  it('titles a chat “New chat” when no title is sent (an empty object, or no body at all), and trims one that is', async () => {
    expect((await newChat(alice)).title).toBe('New chat');
    const bare = await world.api('/chats', { method: 'POST', key: alice });
    expect(bare.status).toBe(201);
    expect(ChatSchema.parse(bare.body).title).toBe('New chat');
    expect((await newChat(alice, '   Trip to Oslo  ')).title).toBe('Trip to Oslo');
  });

  it('keeps a title that looks like HTML as the text it is', async () => {
    const chat = await newChat(alice, '<b>bold</b> & "quoted"');
    expect(chat.title).toBe('<b>bold</b> & "quoted"');
  });

  it.each([
    ['malformed JSON', '{"title": ', 400, /not valid JSON/],
    ['a title that is no string', { title: 5 }, 422, /^body\.title: /],
    ['an unknown field', { title: 'x', color: 'red' }, 422, /^body\.color: /],
    ['an empty title', { title: '   ' }, 422, /^body\.title: /],
    ['a title with control characters', { title: 'a\u0000b\u0007' }, 422, /^body\.title: .*control/],
    ['a title of two lines', { title: 'one\ntwo' }, 422, /^body\.title: /],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 422, /^body\.title: .*200/],
    ['an array for a body', ['x'], 422, /^body/],
  ])('refuses %s (%i) naming what is wrong, and makes no chat', async (_what, body, status, detail) => {
    const chats = (await allChats(alice)).length;
    const submits = world.sim.stats().submitCalls;
    const answer = await world.api('/chats', {
      method: 'POST',
      key: alice,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(status);
    expect(errorBody.parse(answer.body).detail).toMatch(detail);
    await expectNothingDone('alice', chats, submits);
  });

  it('refuses a request without a key, or with a key nobody has, with 401 and makes no chat', async () => {
    const chats = (await allChats(alice)).length;
    for (const key of [undefined, 'hb_not-a-key']) {
      const answer = await world.api('/chats', { method: 'POST', ...(key ? { key } : {}), body: { title: 'x' } });
      expect(answer.status).toBe(401);
      expect(errorBody.parse(answer.body).detail).toMatch(/API key/);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(await allChats(alice)).toHaveLength(chats);
  });
});

describe('GET /chats', () => {
  it('answers {items, next_cursor, has_more}: the person’s own chats, most recently active first', async () => {
    const carol = await world.newKey('carol');
    const first = await newChat(carol, 'first');
    const second = await newChat(carol, 'second');
    const answer = await world.api('/chats', { key: carol });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ items: [second, first], next_cursor: null, has_more: false });
    for (const item of clientChatList.parse(answer.body).items) documentedChat.parse(item);
  });

  it('pages through every chat once, in order, with no gaps and no repeats', async () => {
    const dave = await world.newKey('dave');
    const made = [];
    for (let i = 0; i < 7; i += 1) made.push(await newChat(dave, `chat ${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/chats?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const answer = await world.api<{ items: unknown[]; next_cursor: string | null; has_more: boolean }>(path, {
        key: dave,
      });
      expect(answer.status).toBe(200);
      const page = clientChatList.parse(answer.body);
      expect(answer.body.has_more).toBe(answer.body.next_cursor !== null);
      seen.push(...page.items.map((c) => c.id));
      cursor = answer.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((c) => c.id).reverse());
  });

  it('never lists another person’s chats', async () => {
    const mine = await newChat(alice, 'alice only');
    const theirs = await allChats(bob);
    expect(theirs.map((c) => c.id)).not.toContain(mine.id);
    expect(theirs.every((c) => c.user_id === 'bob')).toBe(true);
  });

  it.each([
    ['a limit of 0', '/chats?limit=0', /^query(string)?\.limit: /],
    ['a limit over 100', '/chats?limit=101', /^query(string)?\.limit: /],
    ['a limit that is no number', '/chats?limit=many', /^query(string)?\.limit: /],
    ['a cursor that is no cursor of ours', '/chats?cursor=bm90LWEtY3Vyc29y', /^query(string)?\.cursor: /],
  ])('refuses %s with 422 naming the parameter', async (_what, path, detail) => {
    const answer = await world.api(path, { key: alice });
    expect(answer.status).toBe(422);
    expect(errorBody.parse(answer.body).detail).toMatch(detail);
  });

  it('answers 401 without a key', async () => {
    expect((await world.api('/chats')).status).toBe(401);
  });
});

describe('GET, PATCH and DELETE /chats/{id}', () => {
  it('GET answers the chat as seed B shows it', async () => {
    const chat = await newChat(alice, 'to read');
    const answer = await world.api(`/chats/${chat.id}`, { key: alice });
    expect(answer.status).toBe(200);
    documentedChat.parse(answer.body);
    expect(ChatSchema.parse(answer.body)).toEqual(chat);
  });

  it('PATCH renames it and answers {chat}, as seed B’s client parses it; the new title is what GET shows', async () => {
    const chat = await newChat(alice, 'old name');
    const answer = await world.api(`/chats/${chat.id}`, {
      method: 'PATCH',
      key: alice,
      body: { title: '  new name ' },
    });
    expect(answer.status).toBe(200);
    const { chat: renamed } = clientUpdateChatResponse.parse(answer.body);
    documentedChat.parse(renamed);
    expect(renamed).toEqual({ ...chat, title: 'new name' });
    expect(ChatSchema.parse((await world.api(`/chats/${chat.id}`, { key: alice })).body).title).toBe('new name');
  });

  it.each([
    ['malformed JSON', '{"title"', 400, /not valid JSON/],
    ['no title', {}, 422, /^body\.title: /],
    ['a title that is no string', { title: ['x'] }, 422, /^body\.title: /],
    ['an unknown field', { title: 'x', pinned: true }, 422, /^body\.pinned: /],
    ['a title over 200 characters', { title: 'y'.repeat(201) }, 422, /^body\.title: /],
  ])('PATCH refuses %s (%i) and keeps the title', async (_what, body, status, detail) => {
    const chat = await newChat(alice, 'kept');
    const answer = await world.api(`/chats/${chat.id}`, {
      method: 'PATCH',
      key: alice,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(status);
    expect(errorBody.parse(answer.body).detail).toMatch(detail);
    expect(ChatSchema.parse((await world.api(`/chats/${chat.id}`, { key: alice })).body).title).toBe('kept');
  });

  it('DELETE answers {ok: true}; the chat is then not found and no longer listed', async () => {
    const chat = await newChat(alice, 'to delete');
    const answer = await world.api(`/chats/${chat.id}`, { method: 'DELETE', key: alice });
    expect(answer.status).toBe(200);
    expect(clientDeleteChatResponse.parse(answer.body)).toEqual({ ok: true });
    expect((await world.api(`/chats/${chat.id}`, { key: alice })).status).toBe(404);
    expect((await world.api(`/chats/${chat.id}/messages`, { key: alice })).status).toBe(404);
    expect((await allChats(alice)).map((c) => c.id)).not.toContain(chat.id);
    expect((await world.api(`/chats/${chat.id}`, { method: 'DELETE', key: alice })).status).toBe(404);
  });

  it.each([
    ['an unknown chat', UNKNOWN_CHAT],
    ['an id that is no UUID', 'not-a-chat'],
  ])('answers 404 {detail} for %s on GET, PATCH and DELETE', async (_what, id) => {
    for (const request of [
      { method: 'GET' },
      { method: 'PATCH', body: { title: 'x' } },
      { method: 'DELETE' },
    ] as const) {
      const answer = await world.api(`/chats/${id}`, { ...request, key: alice });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ detail: 'Chat not found' });
    }
  });

  it('answers another person’s chat exactly like an unknown one on every route, and changes nothing of it', async () => {
    const chat = await newChat(alice, 'private');
    const unknown = await world.api(`/chats/${UNKNOWN_CHAT}`, { key: bob });
    const submits = world.sim.stats().submitCalls;
    const requests = [
      { path: `/chats/${chat.id}`, method: 'GET' },
      { path: `/chats/${chat.id}`, method: 'PATCH', body: { title: 'hijacked' } },
      { path: `/chats/${chat.id}`, method: 'DELETE' },
      { path: `/chats/${chat.id}/messages`, method: 'GET' },
      { path: `/chats/${chat.id}/messages`, method: 'POST', body: { text: 'a red fox in the snow' } },
    ];
    for (const { path, ...request } of requests) {
      const answer = await world.api(path, { ...request, key: bob });
      expect(answer.status, `${request.method} ${path}`).toBe(404);
      expect(answer.body).toEqual(unknown.body);
    }
    const still = await world.api(`/chats/${chat.id}`, { key: alice });
    expect(ChatSchema.parse(still.body)).toEqual(chat);
    expect(world.sim.stats().submitCalls).toBe(submits);
    const messages = await world.api<{ items: unknown[] }>(`/chats/${chat.id}/messages`, { key: alice });
    expect(messages.body.items).toEqual([]);
  });

  it('DELETE removes the chat’s generations and their stored files', async () => {
    const chat = await newChat(alice, 'with a picture');
    const posted = await world.api<{ render_chunks: Array<{ type: string; option_id?: string }> }>(
      `/chats/${chat.id}/messages`,
      { method: 'POST', key: alice, body: { text: 'a watercolor lighthouse at dawn' } },
    );
    expect(posted.status).toBe(201);
    const optionId = posted.body.render_chunks.find((c) => c.type === 'button')?.option_id ?? '';
    const [key, index] = optionId.split('.');
    const assistant = world.app.assistant;
    const history = world.app.history;
    if (!assistant || !history) throw new Error('this world has no assistant or history');
    const chosen = await assistant.choose(key ?? '', Number(index), { userId: 'alice', isAdmin: false });
    if (chosen.kind !== 'queued') throw new Error(`the option was not queued: ${chosen.kind}`);

    let mediaKeys: string[] = [];
    for (let waited = 0; mediaKeys.length === 0 && waited < 15_000; waited += 100) {
      const entry = await history.get(chosen.generationId);
      if (entry?.state === 'done') mediaKeys = entry.assets.map((a) => a.key);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(mediaKeys.length).toBeGreaterThan(0);
    for (const key of mediaKeys) expect(await world.app.store.exists(key)).toBe(true);

    const answer = await world.api(`/chats/${chat.id}`, { method: 'DELETE', key: alice });
    expect(answer.body).toEqual({ ok: true });
    for (const key of mediaKeys) expect(await world.app.store.exists(key)).toBe(false);
    expect(await history.get(chosen.generationId)).toBeUndefined();
  }, 30_000);
});

/**
 * Seed B's messages and options (`GET`/`POST /chats/{id}/messages`, `GET /options/{id}`) as a client sees
 * them, with the offline recommender (this world has no Claude key): a message is answered with a button and
 * a reason per option, in `message.render_payload` (seed B's document) and in `render_chunks` (its client);
 * both turns are in the transcript the moment the answer arrives; pages of a transcript have no gaps or
 * repeats; and no refusal logs a turn or queues (or pays for) anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatConversation } from '../../src/core/chats.js';
import { renderPng } from '../../src/higgsfield/simulator/index.js';
import {
  BackendMessageSchema,
  BackendMessagesResponseSchema,
  BackendPostMessageResponseSchema,
  BackendRenderChunkSchema,
  ChatSchema,
  documentedMessage,
  documentedPostMessageResponse,
  errorBody,
} from './support/seed-b-shapes.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const UNKNOWN_CHAT = '0b8e4f0c-9a55-4b7e-8d0e-6f3f1b2a9c77';

let world: WebWorld;
let alice: string;
let bob: string;

beforeAll(async () => {
  world = await startWebWorld({ name: 'messages', env: { WEB_RATE_LIMIT_PER_MINUTE: '100000' } });
  alice = await world.newKey('alice');
  bob = await world.newKey('bob');
}, 30_000);

afterAll(async () => {
  await world?.close();
});

interface Posted {
  message: {
    id: string;
    content_text: string | null;
    created_at: string;
    render_payload: Array<{ type: string; option_id?: string; model?: string; label?: string; text?: string }>;
  };
  render_chunks: unknown[];
  notes: string[];
}

async function newChat(key = alice) {
  const answer = await world.api('/chats', { method: 'POST', key, body: { title: 'messages' } });
  expect(answer.status).toBe(201);
  return ChatSchema.parse(answer.body).id;
}

async function post(chatId: string, body: unknown, key = alice) {
  const headers = { 'content-type': 'application/json' };
  return world.api<Posted>(`/chats/${chatId}/messages`, { method: 'POST', key, body, headers });
}

async function transcript(chatId: string, key = alice) {
  const answer = await world.api(`/chats/${chatId}/messages?limit=100`, { key });
  expect(answer.status).toBe(200);
  return BackendMessagesResponseSchema.parse(answer.body).items;
}

/** Nothing logged in the chat, nothing submitted to Higgsfield, nothing in the person's queue. */
async function expectNothingDone(chatId: string, userId = 'alice') {
  expect(world.sim.stats().submitCalls).toBe(0);
  expect(world.sim.requests()).toEqual([]);
  const conversation = chatConversation({ platform: 'web', userId }, chatId);
  expect(await world.app.assistant?.activeJobs(conversation)).toEqual([]);
  expect(await transcript(chatId)).toEqual([]);
  // The history log is written by the feed too, a moment later: it must stay empty as well.
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(await transcript(chatId)).toEqual([]);
}

describe('POST /chats/{id}/messages', () => {
  it('is answered by the offline recommender: this world has no Claude key', () => {
    expect(world.app.assistant?.agentConfigured).toBe(false);
  });

  it('answers 201 with the assistant’s message: a button and a reason per option, in both of seed B’s shapes', async () => {
    const chatId = await newChat();
    const before = Date.now();
    const answer = await post(chatId, { text: 'cinematic sunset over mountains' });
    expect(answer.status).toBe(201);
    documentedPostMessageResponse.parse(answer.body);
    const posted = BackendPostMessageResponseSchema.parse(answer.body);
    documentedMessage.parse(posted.message);

    expect(posted.message).toMatchObject({ chat_id: chatId, author_type: 'assistant' });
    expect(posted.message.content_text).toEqual(expect.any(String));
    expect(posted.message.content_text?.length).toBeGreaterThan(0);
    expect(Date.parse(posted.message.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(answer.body.render_chunks).toEqual(answer.body.message.render_payload);
    // What the assistant notes about the message is beside it, not in it (offline mode, here).
    expect(answer.body.notes).toEqual([expect.stringMatching(/offline/i)]);

    const chunks = answer.body.message.render_payload;
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.length % 2).toBe(0);
    chunks.forEach((chunk, i) => {
      BackendRenderChunkSchema.parse(chunk);
      expect(chunk.type).toBe(i % 2 === 0 ? 'button' : 'text');
    });
    const buttons = chunks.filter((c) => c.type === 'button');
    expect(new Set(buttons.map((b) => b.option_id)).size).toBe(buttons.length);
    for (const button of buttons) {
      expect(button).toMatchObject({
        label: expect.any(String),
        model: expect.any(String),
        option_id: expect.any(String),
      });
      expect(button.text).toBeUndefined();
    }
    for (const reason of chunks.filter((c) => c.type === 'text')) expect(reason.text?.length).toBeGreaterThan(0);
    // Proposing costs nothing: no generation starts until a button is pressed.
    expect(world.sim.stats().submitCalls).toBe(0);
  });

  it('shows both turns in GET messages at once: the person’s text, then the same assistant message', async () => {
    const chatId = await newChat();
    const answer = await post(chatId, { text: '  a red fox in fresh snow  ' });
    expect(answer.status).toBe(201);
    const items = await transcript(chatId);
    expect(items).toHaveLength(2);
    const [asked, answered] = items;
    expect(asked).toMatchObject({
      chat_id: chatId,
      author_type: 'user',
      content_text: 'a red fox in fresh snow',
      render_payload: null,
    });
    expect(asked?.attachments).toBeUndefined();
    expect(answered).toEqual(BackendMessageSchema.parse(answer.body.message));
    expect(Date.parse(answered?.created_at ?? '')).toBeGreaterThan(Date.parse(asked?.created_at ?? ''));

    const chat = ChatSchema.parse((await world.api(`/chats/${chatId}`, { key: alice })).body);
    expect(chat.message_count).toBe(2);
    expect(chat.last_message_at).toBe(answered?.created_at);
  });

  it('keeps a message that looks like HTML as the text it is', async () => {
    const chatId = await newChat();
    const text = '<img src=x onerror=alert(1)> a cat & a "dog"';
    expect((await post(chatId, { text })).status).toBe(201);
    expect((await transcript(chatId))[0]?.content_text).toBe(text);
  });

  it.each([
    ['malformed JSON', '{"text": "a cat', 400, /not valid JSON/],
    ['no text', {}, 422, /^body\.text: /],
    ['a text that is no string', { text: 42 }, 422, /^body\.text: /],
    ['an unknown field', { text: 'a cat', model: 'veo3' }, 422, /^body\.model: /],
    ['a text over 2,000 characters', { text: 'a'.repeat(2001) }, 422, /^body\.text: .*2,000/],
    ['an empty text without an attachment', { text: '   ' }, 422, /^body\.text: /],
    ['a text of invisible characters only', { text: '\u200B\u200B' }, 422, /^body\.text: /],
    ['attachments that are no list', { text: 'a cat', attachments: 'x' }, 422, /^body\.attachments: /],
    ['an attachment that is no link', { text: 'a cat', attachments: ['not a url'] }, 422, /^body\.attachments\.0: /],
    [
      'more than 4 attachments',
      { text: 'a cat', attachments: Array.from({ length: 5 }, (_, i) => `https://example.com/${i}.png`) },
      422,
      /^body\.attachments: .*4/,
    ],
    [
      'an attachment on another host',
      { text: 'animate this', attachments: ['https://example.com/cat.png'] },
      422,
      /attachments\[0\] must be a file uploaded through \/attachments\/presign/,
    ],
  ])('refuses %s (%i) naming the field, and logs, queues and pays for nothing', async (_what, body, status, detail) => {
    const chatId = await newChat();
    const answer = await post(chatId, body);
    expect(answer.status).toBe(status);
    expect(errorBody.parse(answer.body).detail).toMatch(detail);
    await expectNothingDone(chatId);
  });

  it('refuses a link of ours that is no upload, and an upload link whose upload does not exist, with 422', async () => {
    const chatId = await newChat();
    const unknownUpload = `${world.url}/attachments/files/${UNKNOWN_CHAT}/cat.png?token=guess`;
    for (const [attachments, detail] of [
      [[`${world.url}/media/anything.png`], /attachments\[0\] must be a file uploaded through/],
      [[unknownUpload], /attachments\[0\] must be a file uploaded through/],
      [[unknownUpload.replace('/cat.png', '/../../media/cat.png')], /attachments\[0\] must be a file uploaded through/],
    ] as const) {
      const answer = await post(chatId, { text: 'animate', attachments });
      expect(answer.status).toBe(422);
      expect(errorBody.parse(answer.body).detail).toMatch(detail);
    }
    await expectNothingDone(chatId);
    // Nothing was fetched or uploaded to Higgsfield either.
    expect(world.sim.stats().calls.filter((c) => c.path.includes('upload'))).toEqual([]);
  });

  it('refuses another person’s upload like a link that names none, and an upload not sent yet, with 422', async () => {
    const chatId = await newChat();
    const presign = async (key: string) => {
      const answer = await world.api<{ upload_url: string; download_url: string }>('/attachments/presign', {
        method: 'POST',
        key,
        body: { file_name: 'cat.png', content_type: 'image/png', size: png.length },
      });
      expect(answer.status).toBe(200);
      return answer.body;
    };
    const png = renderPng('messages-upload');
    const bobs = await presign(bob);
    const put = await fetch(bobs.upload_url, { method: 'PUT', body: png, headers: { 'content-type': 'image/png' } });
    expect(put.status).toBe(200);
    const theirs = await post(chatId, { text: 'animate', attachments: [bobs.download_url] });
    expect(theirs.status).toBe(422);
    expect(errorBody.parse(theirs.body).detail).toBe(
      'body.attachments[0] must be a file uploaded through /attachments/presign.',
    );

    const pending = await presign(alice);
    const early = await post(chatId, { text: 'animate', attachments: [pending.download_url] });
    expect(early.status).toBe(422);
    expect(errorBody.parse(early.body).detail).toMatch(/^body\.attachments\[0\] has not been uploaded yet/);
    await expectNothingDone(chatId);
  });

  it('answers 404 for an unknown chat and for another person’s, 401 without a key: nothing logged or queued', async () => {
    const chatId = await newChat();
    for (const [id, key, status] of [
      [UNKNOWN_CHAT, alice, 404],
      ['not-a-chat', alice, 404],
      [chatId, bob, 404],
      [chatId, undefined, 401],
    ] as const) {
      const answer = await world.api(`/chats/${id}/messages`, {
        method: 'POST',
        ...(key ? { key } : {}),
        body: { text: 'a lighthouse in a storm' },
      });
      expect(answer.status).toBe(status);
      errorBody.parse(answer.body);
    }
    await expectNothingDone(chatId);
  });
});

describe('GET /chats/{id}/messages', () => {
  it('pages oldest first through every turn once, with no gaps and no repeats', async () => {
    const chatId = await newChat();
    for (const text of ['a castle on a hill', 'a koi pond at night', 'a neon city street']) {
      expect((await post(chatId, { text })).status).toBe(201);
    }
    const all = await transcript(chatId);
    expect(all).toHaveLength(6);
    expect(all.map((m) => m.author_type)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    const times = all.map((m) => Date.parse(m.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const seen: string[] = [];
    let after: string | null = null;
    const pages: number[] = [];
    do {
      const path: string = `/chats/${chatId}/messages?limit=4${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const answer = await world.api(path, { key: alice });
      expect(answer.status).toBe(200);
      const page = BackendMessagesResponseSchema.parse(answer.body);
      expect(page.has_more).toBe(page.next_cursor !== null);
      seen.push(...page.items.map((m) => m.id));
      pages.push(page.items.length);
      after = page.next_cursor;
    } while (after && pages.length < 10);
    expect(pages).toEqual([4, 2]);
    expect(seen).toEqual(all.map((m) => m.id));
  });

  it('answers an empty chat with no items and no next page', async () => {
    const chatId = await newChat();
    const answer = await world.api(`/chats/${chatId}/messages`, { key: alice });
    expect(answer.body).toEqual({ items: [], next_cursor: null, has_more: false });
  });

  it('renders a reply without options as its text alone (seed B’s client shows content_text, then the chunks)', async () => {
    const chatId = await newChat();
    const history = world.app.history;
    if (!history) throw new Error('this world keeps no history');
    const conversation = chatConversation({ platform: 'web', userId: 'alice' }, chatId);
    const atMs = Date.now();
    await history.recordTurn({ kind: 'request', turnId: 'hint-q', conversation, text: 'hmm', atMs });
    await history.recordTurn({ kind: 'reply', turnId: 'hint-a', conversation, text: 'Tell me more.', atMs: atMs + 1 });
    const [asked, answered] = await transcript(chatId);
    expect(asked).toMatchObject({ id: 'hint-q', author_type: 'user', render_payload: null });
    expect(answered).toMatchObject({
      id: 'hint-a',
      author_type: 'assistant',
      content_text: 'Tell me more.',
      render_payload: [],
    });
  });

  it.each([
    ['a limit of 0', '?limit=0', /^query(string)?\.limit: /],
    ['a limit over 100', '?limit=101', /^query(string)?\.limit: /],
    ['an after that is no cursor of ours', '?after=%7Bnope%7D', /^query(string)?\.after: /],
  ])('refuses %s with 422 naming the parameter', async (_what, query, detail) => {
    const chatId = await newChat();
    const answer = await world.api(`/chats/${chatId}/messages${query}`, { key: alice });
    expect(answer.status).toBe(422);
    expect(errorBody.parse(answer.body).detail).toMatch(detail);
  });

  it('answers 404 for an unknown chat and another person’s, alike, and 401 without a key', async () => {
    const chatId = await newChat();
    await post(chatId, { text: 'a quiet harbour' });
    const unknown = await world.api(`/chats/${UNKNOWN_CHAT}/messages`, { key: bob });
    const theirs = await world.api(`/chats/${chatId}/messages`, { key: bob });
    expect(unknown.status).toBe(404);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(unknown.body);
    expect((await world.api(`/chats/${chatId}/messages`)).status).toBe(401);
  });
});

describe('GET /options/{id}', () => {
  it('answers each button’s option: its recipe, the chat it was proposed in and when', async () => {
    const chatId = await newChat();
    const answer = await post(chatId, { text: 'a vintage car on a coastal road, golden hour' });
    const buttons = answer.body.message.render_payload.filter((c) => c.type === 'button');
    const reasons = answer.body.message.render_payload.filter((c) => c.type === 'text');
    expect(buttons.length).toBeGreaterThan(0);
    for (const [i, button] of buttons.entries()) {
      const option = await world.api<Record<string, unknown>>(`/options/${button.option_id}`, { key: alice });
      expect(option.status).toBe(200);
      expect(option.body).toMatchObject({
        id: button.option_id,
        chat_id: chatId,
        label: button.label,
        reason: reasons[i]?.text,
        model: button.model,
        kind: expect.stringMatching(/^(text-to-image|text-to-video|image-to-video)$/),
        prompt: expect.any(String),
        params: expect.any(Object),
      });
      // Proposed while the reply was being written: at most the reply's time, and not long before it.
      const proposed = Date.parse(String(option.body.created_at));
      expect(proposed).toBeLessThanOrEqual(Date.parse(answer.body.message.created_at));
      expect(proposed).toBeGreaterThan(Date.parse(answer.body.message.created_at) - 5_000);
    }
  });

  it.each([
    ['an id that is no option id', 'not-an-option'],
    ['an id with no index', 'abcdefghij'],
    ['an index past the set', 'INDEX_PAST'],
    ['an unknown set', 'ZZZZZZZZZZ.0'],
    ['a path-like id', '..%2Fchats'],
  ])('answers 404 for %s', async (_what, raw) => {
    let id = raw;
    if (raw === 'INDEX_PAST') {
      const chatId = await newChat();
      const answer = await post(chatId, { text: 'a paper boat on a puddle' });
      const first = answer.body.message.render_payload.find((c) => c.type === 'button')?.option_id ?? '';
      id = `${first.split('.')[0]}.99`;
    }
    const answer = await world.api(`/options/${id}`, { key: alice });
    expect(answer.status).toBe(404);
    errorBody.parse(answer.body);
  });

  it('answers another person’s option exactly like an unknown one', async () => {
    const chatId = await newChat();
    const answer = await post(chatId, { text: 'a hot air balloon over a canyon' });
    const optionId = answer.body.message.render_payload.find((c) => c.type === 'button')?.option_id ?? '';
    const theirs = await world.api(`/options/${optionId}`, { key: bob });
    const unknown = await world.api('/options/ZZZZZZZZZZ.0', { key: bob });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(unknown.body);
    expect((await world.api(`/options/${optionId}`)).status).toBe(401);
  });
});

/**
 * `POST /chats/{id}/messages` with `Accept: text/event-stream`, read as the web chat reads it (fetch and a
 * stream reader): the reply's text in `text` pieces, then `message` with exactly what the 201 answer would
 * have been (the transcript shows the same message), then `done`. Everything refusable is refused first, as
 * the usual JSON error with its status, and nothing is recorded. With Claude (the Anthropic fake, streaming)
 * the pieces leave while Claude is still writing, and a reply proposed again after the validation comes as
 * `replace` with the final text. Without that Accept the route answers 201 JSON as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROPOSE_OPTIONS } from '../../src/agent/agent-tools.js';
import { type AnthropicFake, toolUse } from '../doubles/anthropic/anthropic-fake.js';
import {
  BOAT_ASK,
  BOAT_OPTIONS,
  BOAT_REPLY,
  type ClaudeWebWorld,
  startClaudeWebWorld,
  streamBoatHeld,
} from './support/claude-web-world.js';
import {
  BackendMessageSchema,
  BackendMessagesResponseSchema,
  BackendPostMessageResponseSchema,
  documentedPostMessageResponse,
  errorBody,
} from './support/seed-b-shapes.js';
import { type Frame, readFrames } from './support/sse-frames.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const ASK = BOAT_ASK;
const UNKNOWN_CHAT = '0b8e4f0c-9a55-4b7e-8d0e-6f3f1b2a9c77';
const ORIGIN = 'https://app.example.com';
const Chunk = z.strictObject({ chunk: z.string() });
const Posted = BackendPostMessageResponseSchema.extend({ notes: z.array(z.string()) });

/** A world's helpers: a new chat, a streamed post (the raw response), the transcript. */
function client(world: () => WebWorld) {
  const newChat = async (key: string) => {
    const answer = await world().api<{ id: string }>('/chats', { method: 'POST', key, body: { title: 'Stream' } });
    expect(answer.status).toBe(201);
    return answer.body.id;
  };
  const stream = (key: string | undefined, chatId: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${world().url}/chats/${chatId}/messages`, {
      method: 'POST',
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const transcript = async (key: string, chatId: string) => {
    const answer = await world().api(`/chats/${chatId}/messages?limit=100`, { key });
    expect(answer.status).toBe(200);
    return BackendMessagesResponseSchema.parse(answer.body).items;
  };
  return { newChat, stream, transcript };
}

const chunksOf = (frames: Frame[]) => frames.filter((f) => f.event === 'text').map((f) => Chunk.parse(f.data).chunk);

describe('a message answered as a stream (offline recommender)', () => {
  let world: WebWorld;
  let alice: string;
  let bob: string;
  const { newChat, stream, transcript } = client(() => world);

  beforeAll(async () => {
    world = await startWebWorld({
      name: 'message-stream',
      env: { WEB_RATE_LIMIT_PER_MINUTE: '60', WEB_CORS_ORIGINS: ORIGIN },
    });
    alice = await world.newKey('alice');
    bob = await world.newKey('bob');
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('streams the reply in pieces, then the 201 answer as `message`, then done', async () => {
    const chatId = await newChat(alice);
    const response = await stream(alice, chatId, { text: ASK }, { origin: ORIGIN });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    // The hooks' headers (CORS, rate limit) are on the stream too.
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('ratelimit-limit')).toBe('60');
    const frames = await readFrames(response);

    const chunks = chunksOf(frames);
    expect(chunks.length).toBeGreaterThan(1);
    expect(frames.map((f) => f.event)).toEqual([...chunks.map(() => 'text'), 'message', 'done']);
    expect(frames.at(-1)?.data).toEqual({});

    const posted = Posted.parse(frames.at(-2)?.data);
    documentedPostMessageResponse.parse(posted);
    expect(posted.message).toMatchObject({ chat_id: chatId, author_type: 'assistant' });
    expect(chunks.join('')).toBe(posted.message.content_text);
    const raw = frames.at(-2)?.data as { render_chunks: unknown; message: { render_payload: unknown } };
    expect(raw.render_chunks).toEqual(raw.message.render_payload);
    expect(posted.message.render_payload?.filter((c) => c.type === 'button').length).toBeGreaterThan(0);
    expect(posted.notes).toEqual([expect.stringMatching(/offline/i)]);
    // The message is the one the transcript shows, after the person's.
    const items = await transcript(alice, chatId);
    expect(items.map((m) => m.author_type)).toEqual(['user', 'assistant']);
    expect(items[1]).toEqual(BackendMessageSchema.parse(posted.message));
  });

  it('sends as `message` exactly what the 201 answer holds for the same ask', async () => {
    const frames = await readFrames(await stream(alice, await newChat(alice), { text: ASK }));
    const streamed = frames.find((f) => f.event === 'message')?.data;
    const plain = await world.api(`/chats/${await newChat(bob)}/messages`, {
      method: 'POST',
      key: bob,
      body: { text: ASK },
    });
    expect(plain.status).toBe(201);
    Posted.parse(streamed);
    // Ids, chats and times differ; everything else is the same answer, field for field, as sent.
    const comparable = (body: unknown) => {
      const { message, render_chunks, ...rest } = body as {
        message: Record<string, unknown> & { render_payload: Array<Record<string, unknown>> };
        render_chunks: Array<Record<string, unknown>>;
      };
      const { id: _id, chat_id: _chat, created_at: _at, render_payload, ...text } = message;
      const chunks = (list: Array<Record<string, unknown>>) => list.map(({ option_id: _o, ...chunk }) => chunk);
      return { rest, text, payload: chunks(render_payload), chunks: chunks(render_chunks) };
    };
    expect(comparable(streamed)).toEqual(comparable(plain.body));
  });

  it.each<[string, 'alice' | 'bob' | 'nobody', 'own' | 'unknown', unknown, number, RegExp]>([
    ['no key', 'nobody', 'own', { text: ASK }, 401, /API key/],
    ['an unknown chat', 'alice', 'unknown', { text: ASK }, 404, /Chat/],
    ['another person’s chat', 'bob', 'own', { text: ASK }, 404, /Chat/],
    ['an empty message', 'alice', 'own', { text: '   ' }, 422, /^body\.text/],
    ['an unknown field', 'alice', 'own', { text: ASK, stream: true }, 422, /^body\.stream/],
    [
      'an attachment that is not an upload',
      'alice',
      'own',
      { text: ASK, attachments: ['https://x.test/a.png'] },
      422,
      /^body\.attachments\[0\]/,
    ],
    ['malformed JSON', 'alice', 'own', '{"text"', 400, /not valid JSON/],
  ])(
    '%s is refused as a JSON error with its status, before any stream, and nothing is recorded',
    async (_what, who, which, body, status, detail) => {
      const chatId = await newChat(alice);
      const key = who === 'alice' ? alice : who === 'bob' ? bob : undefined;
      const response = await stream(key, which === 'own' ? chatId : UNKNOWN_CHAT, body);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(errorBody.parse(await response.json()).detail).toMatch(detail);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await transcript(alice, chatId)).toEqual([]);
    },
  );

  it('is refused 429 as JSON, with Retry-After, once the key’s requests run out', async () => {
    const hasty = await world.newKey('hasty');
    const chatId = await newChat(hasty);
    let answer = await stream(hasty, chatId, { text: '' });
    for (let i = 0; i < 80 && answer.status !== 429; i++) answer = await stream(hasty, chatId, { text: '' });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorBody.parse(await answer.json()).detail).toMatch(/Too many requests/);
  });

  it('answers 201 JSON as before without Accept: text/event-stream', async () => {
    const answer = await world.api(`/chats/${await newChat(alice)}/messages`, {
      method: 'POST',
      key: alice,
      body: { text: ASK },
      headers: { accept: 'application/json' },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    Posted.parse(answer.body);
  });
});

describe('a message answered as a stream, with Claude writing the reply', () => {
  let world: WebWorld;
  let fake: AnthropicFake;
  let key: string;
  const { newChat, stream, transcript } = client(() => world);
  let claude: ClaudeWebWorld | undefined;
  const REPLY = BOAT_REPLY;
  const [SOUL, POSTER] = BOAT_OPTIONS;

  beforeAll(async () => {
    claude = await startClaudeWebWorld('message-stream-claude');
    ({ world, fake, key } = claude);
  }, 60_000);
  afterAll(async () => {
    await claude?.close();
  });

  it('sends the first piece while Claude is still writing; the pieces make the message’s text', async () => {
    const held = streamBoatHeld(fake);
    const chatId = await newChat(key);
    const response = await stream(key, chatId, { text: ASK });
    expect(response.status).toBe(200);
    const frames = await readFrames(response, (frame) => {
      if (frame.event === 'text') held.piece();
    });

    const streamed = fake.requests.at(-1)?.streamed;
    expect(fake.requests.at(-1)?.body.stream).toBe(true);
    expect(held.first?.fakeEnded).toBe(false);
    expect(held.first!.atMs).toBeLessThan(streamed!.endedAtMs!);

    const chunks = chunksOf(frames);
    expect(chunks.length).toBeGreaterThan(3);
    expect(frames.map((f) => f.event)).toEqual([...chunks.map(() => 'text'), 'message', 'done']);
    const posted = Posted.parse(frames.at(-2)?.data);
    expect(chunks.join('')).toBe(REPLY);
    expect(posted.message.content_text).toBe(REPLY);
    expect(posted.render_chunks.filter((c) => c.type === 'button').map((c) => c.label)).toEqual([
      'Soul still',
      'Nano Banana poster',
    ]);
    expect((await transcript(key, chatId))[1]).toEqual(BackendMessageSchema.parse(posted.message));
  });

  it('sends `replace` with the final text when Claude proposes again after the validation', async () => {
    fake.enqueue(
      toolUse(PROPOSE_OPTIONS, { text: 'Just one idea for now.', options: [SOUL] }),
      toolUse(PROPOSE_OPTIONS, { text: REPLY, options: [SOUL, POSTER] }),
    );
    const frames = await readFrames(await stream(key, await newChat(key), { text: ASK }));

    const chunks = chunksOf(frames);
    expect(frames.map((f) => f.event)).toEqual([...chunks.map(() => 'text'), 'replace', 'message', 'done']);
    expect(chunks.join('')).toBe('Just one idea for now.');
    const { text } = z.strictObject({ text: z.string() }).parse(frames.find((f) => f.event === 'replace')?.data);
    expect(text).toBe(REPLY);
    expect(Posted.parse(frames.at(-2)?.data).message.content_text).toBe(REPLY);
  });
});

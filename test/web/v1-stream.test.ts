/**
 * `POST /v1/chat/stream`, read the way a browser's fetch reads it: `event: message` frames whose chunks put
 * together are the very text `POST /v1/chat` answers, then the options (or the started job), then `done`.
 * Refusals are plain JSON answers with their status, before any stream. With Claude (the Anthropic fake,
 * streaming), the reply's chunks leave while Claude is still writing, and a re-proposal is sent as `replace`.
 * Also the SSE writer's own rules (frames a person's text cannot break, the hooks' headers kept on the stream).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { textChunks } from '../../src/adapters/web/reply-text-stream.js';
import { sseFrame } from '../../src/adapters/web/sse.js';
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
  OurChatResponse,
  OurOption,
  pollJobSet,
  SeedError,
  SeedJobDetails,
  SeedStreamChunk,
} from './support/seed-a-shapes.js';
import { type Frame, readFrames } from './support/sse-frames.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const ASK = BOAT_ASK;
const ORIGIN = 'https://app.example.com';

describe('the chat stream', () => {
  let world: WebWorld;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    world = await startWebWorld({
      name: 'v1-stream',
      env: { WEB_RATE_LIMIT_PER_MINUTE: '10000', WEB_CORS_ORIGINS: ORIGIN },
    });
    alice = await world.newKey('alice');
    bob = await world.newKey('bob');
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  const stream = (key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${world.url}/v1/chat/stream`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('streams the reply in chunks that put together are POST /v1/chat’s message, then the options, then done', async () => {
    const response = await stream(alice, { message: ASK, conversation_history: [] }, { origin: ORIGIN });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    // The hooks' headers (CORS, rate limit) survive the hijack.
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('ratelimit-limit')).toBe('10000');
    const frames = await readFrames(response);

    const events = frames.map((f) => f.event);
    const chunks = frames.filter((f) => f.event === 'message').map((f) => SeedStreamChunk.parse(f.data).chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(events).toEqual([...chunks.map(() => 'message'), 'options', 'done']);
    expect(frames.at(-1)?.data).toEqual({});

    // The same ask from someone else, whose conversation is as fresh, through the JSON route.
    const plain = OurChatResponse.parse(
      (await world.api('/v1/chat', { method: 'POST', key: bob, body: { message: ASK } })).body,
    );
    expect(chunks.join('')).toBe(plain.message);
    const options = z.object({ options: OurOption.array() }).parse(frames.at(-2)?.data).options;
    expect(options.map(({ label, model, kind, prompt }) => ({ label, model, kind, prompt }))).toEqual(
      plain.options.map(({ label, model, kind, prompt }) => ({ label, model, kind, prompt })),
    );
  });

  it('a pick streams the “Started …” text, then the job, then done; the job is then polled as usual', async () => {
    const response = await stream(alice, { message: 'make option 1' });
    expect(response.status).toBe(200);
    const frames = await readFrames(response);
    expect(frames.map((f) => f.event).filter((e) => e !== 'message')).toEqual(['job', 'done']);
    const text = frames
      .filter((f) => f.event === 'message')
      .map((f) => SeedStreamChunk.parse(f.data).chunk)
      .join('');
    const job = frames.find((f) => f.event === 'job')?.data as { job_details: unknown; action_performed: string };
    const details = SeedJobDetails.parse(job.job_details);
    expect(text).toMatch(new RegExp(`^Started option 1, .*${details.job_set_id}`));
    expect(job.action_performed).toBe('generate_image');
    expect((await pollJobSet(world, details.job_set_id, alice)).final.status).toBe('completed');
  });

  it.each([
    ['no key', undefined, { message: ASK }, 401, /API key/],
    ['an empty message', 'alice', { message: '  ' }, 422, /^body\.message: must not be empty/],
    ['an unknown field', 'alice', { message: ASK, stream: true }, 422, /^body\.stream/],
    ['malformed JSON', 'alice', '{"message"', 400, /not valid JSON/],
    ['a pick with nothing to pick', 'carol', { message: 'option 3' }, 422, /no options to pick from yet/],
  ])('%s is refused with a JSON error and its status, not a stream', async (_what, who, body, status, detail) => {
    const key = who === 'alice' ? alice : who ? await world.newKey(who) : undefined;
    const response = await stream(key, body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(SeedError.parse(await response.json()).detail).toMatch(detail);
  });
});

describe('the chat stream, with Claude writing the reply', () => {
  let world: WebWorld;
  let fake: AnthropicFake;
  let key: string;
  let claude: ClaudeWebWorld | undefined;
  const REPLY = BOAT_REPLY;
  const [SOUL, POSTER] = BOAT_OPTIONS;

  beforeAll(async () => {
    claude = await startClaudeWebWorld('v1-stream-claude');
    ({ world, fake, key } = claude);
  }, 120_000);
  afterAll(async () => {
    await claude?.close();
  });

  const ask = () =>
    fetch(`${world.url}/v1/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ message: ASK }),
    });
  const chunksOf = (frames: Frame[]) =>
    frames.filter((f) => f.event === 'message').map((f) => SeedStreamChunk.parse(f.data).chunk);

  it('sends the first chunk while Claude is still writing; the chunks make the final message, then options', async () => {
    // The fake paces its events and keeps its last ones until the client has a chunk (or 5 s, to fail cleanly).
    const held = streamBoatHeld(fake);
    const response = await ask();
    expect(response.status).toBe(200);
    const frames = await readFrames(response, (frame) => {
      if (frame.event === 'message') held.piece();
    });

    const streamed = fake.requests.at(-1)?.streamed;
    expect(fake.requests.at(-1)?.body.stream).toBe(true);
    expect(held.first?.fakeEnded).toBe(false);
    expect(held.first!.atMs).toBeLessThan(streamed!.endedAtMs!);
    expect(held.first!.atMs - streamed!.firstDeltaAtMs!).toBeLessThan(1_000);

    const chunks = chunksOf(frames);
    const options = z.object({ options: OurOption.array() }).parse(frames.at(-2)?.data).options;
    expect(frames.map((f) => f.event)).toEqual([...chunks.map(() => 'message'), 'options', 'done']);
    const message = chunks.join('');
    expect(message).toBe(
      `${REPLY}\n\n1. Soul still — Soul still, for the mood.\n2. Nano Banana poster — Nano Banana poster, for the mood.`,
    );
    // The reply itself came in several pieces as it was written, not as one.
    expect(chunks.filter((_, i) => chunks.slice(0, i + 1).join('').length <= REPLY.length).length).toBeGreaterThan(3);
    expect(options.map((o) => o.label)).toEqual(['Soul still', 'Nano Banana poster']);
  });

  it('sends `replace` with the final message when Claude proposes again after the validation', async () => {
    fake.enqueue(
      toolUse(PROPOSE_OPTIONS, { text: 'Just one idea for now.', options: [SOUL] }),
      toolUse(PROPOSE_OPTIONS, { text: REPLY, options: [SOUL, POSTER] }),
    );
    const frames = await readFrames(await ask());

    const events = frames.map((f) => f.event);
    const chunks = chunksOf(frames);
    expect(events).toEqual([...chunks.map(() => 'message'), 'replace', 'options', 'done']);
    expect(chunks.join('')).toBe('Just one idea for now.');
    const { text } = z.object({ text: z.string() }).parse(frames.find((f) => f.event === 'replace')?.data);
    expect(text).toMatch(new RegExp(`^${REPLY}\n\n1. Soul still — `));
    expect(fake.requests.slice(-2).map((r) => r.body.stream)).toEqual([true, true]);
  });
});

describe('the pieces of a streamed text', () => {
  it.each([
    'Here are three directions for “a cat”:\n\n1. Image · Soul — polished.\n2. Video — smooth.',
    '  leading and trailing spaces  ',
    'one',
    'emoji 🐈‍⬛ and\ttabs\r\nand CRLF',
    '',
  ])('put together, the pieces of %j are the text exactly', (text) => {
    const pieces = textChunks(text);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece.trim().split(/\s+/).length).toBeLessThanOrEqual(3);
  });
});

describe('an SSE frame', () => {
  it('is JSON on one data line, whatever the text holds', () => {
    expect(sseFrame('message', { chunk: 'two\nlines\n\nevent: done' })).toBe(
      'event: message\ndata: {"chunk":"two\\nlines\\n\\nevent: done"}\n\n',
    );
  });

  it('writes a string with line breaks as one data line per line, and keeps event and id on their line', () => {
    expect(sseFrame('note\nevent: forged', 'a\nb', '7\n8')).toBe(
      'id: 7 8\nevent: note event: forged\ndata: a\ndata: b\n\n',
    );
  });
});

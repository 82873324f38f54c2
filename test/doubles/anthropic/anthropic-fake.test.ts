/**
 * The Anthropic fake, specified through the real @anthropic-ai/sdk client: typed tool_use turns, streamed
 * replies put back together by the SDK's messages.stream, the SDK's retry rules (429 retry-after-ms, x-should-retry: false, 529), timeouts on a held request, the request checks
 * the real API applies, and the deterministic token count. The one non-obvious decision: every retrying test
 * scripts `retry-after-ms`, so the SDK's default 0.5 s+ backoff never runs and the file stays well under 3 s.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AnthropicFake,
  apiError,
  countTokens,
  hang,
  type MessagesRequest,
  rateLimited,
  requestInputTokens,
  startAnthropicFake,
  textReply,
  toolUse,
} from './anthropic-fake.js';

const MODEL = 'claude-haiku-4-5';
const proposeTool: Anthropic.Tool = {
  name: 'propose_options',
  description: 'Propose generation options for the user to pick from.',
  input_schema: {
    type: 'object',
    properties: { options: { type: 'array', items: { type: 'string' } } },
    required: ['options'],
  },
};

describe('startAnthropicFake', () => {
  let fake: AnthropicFake;
  const client = (maxRetries = 0, timeout = 5_000) =>
    new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries, timeout });
  const ask = (c: Anthropic, more: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
    c.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'a red fox' }], ...more });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected the SDK call to fail'),
      (err: unknown) => err,
    );

  beforeEach(async () => {
    fake = await startAnthropicFake();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("returns a scripted tool_use turn as the SDK's typed ToolUseBlock, and records the tool_result follow-up", async () => {
    fake.enqueue(
      toolUse('propose_options', { options: ['photo', 'watercolour'] }, { text: 'Two ideas.' }),
      textReply('Done.'),
    );
    const sdk = client();
    const first = await ask(sdk, { system: 'You propose options.', tools: [proposeTool] });

    expect(first).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'tool_use' });
    expect(first.id).toMatch(/^msg_/);
    expect(first.content[0]).toMatchObject({ type: 'text', text: 'Two ideas.' });
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(call).toMatchObject({
      id: 'toolu_1',
      name: 'propose_options',
      input: { options: ['photo', 'watercolour'] },
    });
    expect(first.usage.input_tokens).toBe(fake.requests[0]!.inputTokens);

    const second = await ask(sdk, {
      tools: [proposeTool],
      messages: [
        { role: 'user', content: 'a red fox' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'shown to the user' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: 'Done.', citations: null }]);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.body.messages[2]).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'shown to the user' }],
    });
    expect(fake.requests[0]!.body.system).toBe('You propose options.');
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer test'); // this SDK sends apiKey as a bearer token
    expect(fake.pending()).toBe(0);
  });

  it('retries a 429 with retry-after-ms: 10 (maxRetries 2) and the second scripted reply wins', async () => {
    fake.enqueue(rateLimited(10), textReply('after the wait'));
    const reply = await ask(client(2));
    expect(reply.content).toEqual([{ type: 'text', text: 'after the wait', citations: null }]);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.headers['x-stainless-retry-count']).toBe('1');
    expect(fake.requests[1]!.receivedAtMs - fake.requests[0]!.receivedAtMs).toBeGreaterThanOrEqual(9);
  });

  it('stops the SDK from retrying a 500 that carries x-should-retry: false', async () => {
    fake.enqueue(apiError(500, { message: 'boom', headers: { 'x-should-retry': 'false' } }), textReply('never'));
    const err = await failure(ask(client(2)));
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err).toMatchObject({ status: 500, type: 'api_error', requestID: 'req_fake_1' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.pending()).toBe(1);
  });

  it('types a 529 as overloaded_error and the SDK retries it', async () => {
    fake.enqueue(apiError(529, { headers: { 'retry-after-ms': '1' } }), apiError(529));
    const err = await failure(ask(client(1)));
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect(err).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect(fake.requests).toHaveLength(2);
  });

  it('makes the SDK time out on a hang reply (timeout 200, maxRetries 0), and close() still returns promptly', async () => {
    fake.enqueue(hang());
    const err = await failure(ask(client(0, 200)));
    expect(err).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    const started = Date.now();
    await fake.close();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('close() destroys a request still held by hang, so the waiting client fails fast', async () => {
    fake.enqueue(hang());
    const pendingCall = failure(ask(client(0, 10_000)));
    await expect.poll(() => fake.requests.length, { interval: 5 }).toBe(1);
    const started = Date.now();
    await fake.close();
    expect(await pendingCall).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('holds a reply for delayMs before answering', async () => {
    fake.enqueue({ text: 'late', delayMs: 60 });
    const started = Date.now();
    await ask(client());
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('answers an empty queue with a non-retryable 500 "no scripted reply", or with setDefault', async () => {
    const err = await failure(ask(client(2)));
    expect(err).toMatchObject({ status: 500 });
    expect(String(err)).toContain('no scripted reply');
    expect(fake.requests).toHaveLength(1);

    fake.setDefault((req) => ({ text: `echo ${req.body.model}` }));
    const reply = await ask(client());
    expect(reply.content[0]).toMatchObject({ text: `echo ${MODEL}` });
  });

  it("streams a scripted reply as the real API's events, which the SDK's messages.stream puts back together", async () => {
    const input = { options: ['photo with "quotes"', 'watercolour 🎨'], text: 'Two ideas, both\nwarm.' };
    fake.enqueue(toolUse('propose_options', input, { text: 'Thinking of a fox.' }));
    const sdk = client();
    const params = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'a red fox' }] };
    const stream = sdk.messages.stream({ ...params, tools: [proposeTool] });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    const texts: string[] = [];
    const pieces: string[] = [];
    stream.on('streamEvent', (event) => void events.push(event));
    stream.on('text', (delta) => void texts.push(delta));
    stream.on('inputJson', (partial) => void pieces.push(partial));
    const message = await stream.finalMessage();

    expect(message).toMatchObject({ role: 'assistant', model: MODEL, stop_reason: 'tool_use', stop_sequence: null });
    expect(message.content).toEqual([
      { type: 'text', text: 'Thinking of a fox.', citations: null },
      { type: 'tool_use', id: 'toolu_1', name: 'propose_options', input, caller: { type: 'direct' } },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      ...texts.map(() => 'content_block_delta'),
      'content_block_stop',
      'content_block_start',
      ...pieces.map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(texts).toEqual(['Thinking ', 'of ', 'a ', 'fox.']);
    expect(pieces.length).toBeGreaterThan(4);
    expect(pieces.join('')).toBe(JSON.stringify(input));
    expect(fake.requests[0]!.body.stream).toBe(true);
    expect(fake.requests[0]!.headers.accept).toBe('application/json'); // the SDK sets it; the fake answers SSE

    // The same reply, not streamed: the same message and the same token counts.
    fake.enqueue(toolUse('propose_options', input, { text: 'Thinking of a fox.' }));
    const created = await sdk.messages.create({ ...params, tools: [proposeTool] });
    expect(created.usage).toEqual(message.usage);
    expect(message.usage.input_tokens).toBe(fake.requests[0]!.inputTokens);
    // Only the ids differ (and the SDK's parsed_output, which messages.stream adds).
    expect({ ...created, id: message.id, content: message.content, parsed_output: null }).toEqual(message);
  });

  it('writes a streamed reply as text/event-stream, paced by eventDelayMs and held by holdEnd', async () => {
    let release = () => {};
    const holdEnd = new Promise<void>((resolve) => {
      release = resolve;
    });
    fake.enqueue(textReply('one two three', { stream: { eventDelayMs: 20, holdEnd } }));
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test' },
      body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let wire = '';
    while (!wire.includes('"text":"three"')) wire += decoder.decode((await reader.read()).value);
    // All three text deltas are out, paced; the closing events wait for holdEnd.
    const streamed = fake.requests[0]!.streamed!;
    expect(streamed.endedAtMs).toBeUndefined();
    expect(wire).not.toContain('content_block_stop');
    release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) wire += decoder.decode(chunk.value);
    expect(Date.now() - streamed.firstDeltaAtMs!).toBeGreaterThanOrEqual(35);
    expect(streamed.endedAtMs).toBeGreaterThanOrEqual(streamed.firstDeltaAtMs!);
    const frames = wire.trim().split('\n\n');
    expect(frames[0]).toMatch(/^event: message_start\ndata: \{"type":"message_start","message":\{/);
    expect(frames[1]).toBe('event: ping\ndata: {"type":"ping"}');
    expect(frames.at(-2)).toMatch(
      /^event: message_delta\ndata: \{"type":"message_delta","delta":\{"stop_reason":"end_turn"/,
    );
    expect(frames.at(-1)).toBe('event: message_stop\ndata: {"type":"message_stop"}');
    const delta = JSON.parse(frames.at(-2)!.split('data: ')[1]!) as Anthropic.RawMessageDeltaEvent;
    expect(delta.usage.output_tokens).toBe(countTokens('one two three'));
  });

  it('rejects, like the real API, a tool_use turn not answered by a tool_result (unless checks are off)', async () => {
    const unanswered: Anthropic.MessageParam[] = [
      { role: 'user', content: 'a red fox' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'propose_options', input: {} }] },
      { role: 'user', content: 'well?' },
    ];
    fake.enqueue(textReply('kept'));
    const err = await failure(ask(client(), { tools: [proposeTool], messages: unanswered }));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String(err)).toContain('`tool_use` ids were found without `tool_result` blocks immediately after: toolu_9');
    expect(fake.pending()).toBe(1);

    const lenient = await startAnthropicFake({ checkRequests: false });
    try {
      lenient.enqueue(textReply('accepted'));
      const sdk = new Anthropic({ apiKey: 'test', baseURL: lenient.url, maxRetries: 0 });
      const reply = await sdk.messages.create({ model: MODEL, max_tokens: 8, messages: unanswered });
      expect(reply.content[0]).toMatchObject({ text: 'accepted' });
    } finally {
      await lenient.close();
    }
  });

  it('serves raw bodies verbatim for robustness tests', async () => {
    fake.enqueue({ raw: { status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } } });
    const err = await failure(ask(client()));
    expect(err).toMatchObject({ status: 502 });
    expect(String(err)).toContain('bad gateway');

    fake.enqueue({ raw: { status: 200, body: '{"type":"message","content":' } });
    expect(await failure(ask(client()))).toBeInstanceOf(Error);
  });

  it('answers other routes with 404, a body without credentials with 401 and non-JSON with 400', async () => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${fake.url}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const notFound = await fetch(`${fake.url}/v1/models`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toBe('application/json');
    expect(await notFound.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });

    const body = JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    const anonymous = await post('/v1/messages', body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('request-id')).toMatch(/^req_/);
    expect(await anonymous.json()).toMatchObject({ error: { type: 'authentication_error' } });

    const garbled = await post('/v1/messages', '{not json', { 'x-api-key': 'test' });
    expect(garbled.status).toBe(400);
    expect(fake.requests).toHaveLength(1); // the 401 one; unparseable bodies are not recorded
  });

  it('binds 127.0.0.1 only', async () => {
    const { hostname, port } = new URL(fake.url);
    expect(hostname).toBe('127.0.0.1');
    const reachable = (host: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port: Number(port) });
        socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
        socket.setTimeout(300, () => resolve(false));
      }).finally(() => undefined);
    const others = Object.values(networkInterfaces())
      .flat()
      .flatMap((nic) => (nic && !nic.internal ? [nic.address] : []));
    expect(await reachable('127.0.0.1')).toBe(true);
    for (const host of ['::1', ...others]) expect(await reachable(host), host).toBe(false);
  });
});

describe('token counting', () => {
  const body = (toolCount: number): Anthropic.MessageCreateParamsNonStreaming => ({
    model: MODEL,
    max_tokens: 1024,
    system: [{ type: 'text', text: 'You are Higgsbot. Propose three options.' }],
    tools: Array.from({ length: toolCount }, (_, i) => ({ ...proposeTool, name: `tool_${i}` })),
    messages: [{ role: 'user', content: 'a red fox in the snow, 35mm' }],
  });

  it('counts pieces by the documented rule: words, long words by 6 letters, digit triples, each symbol', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('a red fox')).toBe(3);
    expect(countTokens('internationalization')).toBe(4); // 20 letters -> ceil(20 / 6)
    expect(countTokens('12345')).toBe(2); // '123' + '45'
    expect(countTokens('{"a":1}')).toBe(7);
    expect(countTokens('日本')).toBe(2);
  });

  it('is deterministic and grows with the tool list (200 tools count far more than 3)', () => {
    const three = requestInputTokens(body(3));
    expect(requestInputTokens(body(3))).toBe(three);
    expect(requestInputTokens(body(200))).toBeGreaterThan(three * 30);
  });

  it('reports the same count as usage.input_tokens and on the recorded request', async () => {
    const fake = await startAnthropicFake();
    try {
      fake.enqueue(textReply('ok'));
      const sdk = new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 });
      const reply = await sdk.messages.create(body(3));
      const expected = requestInputTokens(body(3));
      expect(reply.usage.input_tokens).toBe(expected);
      expect(fake.requests[0]!.inputTokens).toBe(expected);
      const recorded: MessagesRequest = fake.requests[0]!.body;
      expect(requestInputTokens(recorded)).toBe(expected);
    } finally {
      await fake.close();
    }
  });
});

/**
 * A scripted stand-in for the Anthropic Messages API (`POST /v1/messages`) on a real loopback socket, so tests
 * and the benchmark drive the real `@anthropic-ai/sdk` client, its retries and timeouts included. Replies are
 * queued per request; every request is recorded with a deterministic input-token count. A `stream: true`
 * request gets the same scripted message as the real API's server-sent events (message_start, ping, per block
 * content_block_start / _delta / _stop, message_delta with stop_reason and usage, message_stop), text in word
 * pieces and tool input JSON in short partial_json pieces, paced by the reply's `stream` (replies.ts).
 *
 * The one non-obvious decision: requests the fake refuses on its own (no credentials, or a body the real API
 * would reject, see request-checks.ts) are recorded but do NOT consume a scripted reply, and
 * the built-in "no scripted reply" 500 carries `x-should-retry: false`, so a forgotten `enqueue` fails at once
 * instead of sitting through the SDK's retry backoff.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Anthropic from '@anthropic-ai/sdk';
import { errorTypeFor, type FakeReply, type ScriptedToolCall, type StreamPacing } from './replies.js';
import { checkRequest } from './request-checks.js';
import { countTokens, requestInputTokens } from './token-count.js';
import type { MessagesRequest } from './wire-types.js';

export {
  apiError,
  type FakeReply,
  hang,
  overloaded,
  rateLimited,
  type ScriptedToolCall,
  textReply,
  toolUse,
} from './replies.js';
export { countTokens, MEDIA_BLOCK_TOKENS, requestInputTokens } from './token-count.js';
export type { MessagesRequest, WireBlock, WireMessage, WireTool } from './wire-types.js';

export interface RecordedRequest {
  /** The parsed JSON body, as sent (not validated beyond being an object). */
  body: MessagesRequest;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** requestInputTokens(body); also reported as usage.input_tokens. */
  inputTokens: number;
  receivedAtMs: number;
  /** A streamed answer: when its first content delta and its message_stop were written. */
  streamed?: { firstDeltaAtMs?: number; endedAtMs?: number };
}

export interface AnthropicFakeOptions {
  /** Answer 400 to bodies the real API rejects (tool_use/tool_result pairing, empty content, ...). Default true. */
  checkRequests?: boolean;
}

export interface AnthropicFake {
  /** 'http://127.0.0.1:<port>', the SDK's baseURL. */
  url: string;
  /** Every POST /v1/messages with a JSON object body, in arrival order (retries included). */
  requests: RecordedRequest[];
  /** Queue the next replies, consumed in order, one per request. */
  enqueue(...replies: FakeReply[]): void;
  /** Fallback when the queue is empty (default: a non-retryable 500 saying "no scripted reply"). */
  setDefault(reply: FakeReply | ((req: RecordedRequest) => FakeReply)): void;
  /** Scripted replies not yet consumed. */
  pending(): number;
  /** Closes the server, destroying open sockets (held `hang`/delayed requests included). */
  close(): Promise<void>;
}

export async function startAnthropicFake(options: AnthropicFakeOptions = {}): Promise<AnthropicFake> {
  const checkRequests = options.checkRequests ?? true;
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let fallback = (req: RecordedRequest): FakeReply => ({
    error: {
      status: 500,
      message: `Anthropic fake: no scripted reply for request #${requests.indexOf(req) + 1}`,
      headers: { 'x-should-retry': 'false' },
    },
  });
  const ids: IdCounters = { request: 0, message: 0, toolUse: 0 };
  let closing: Promise<void> | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    const requestId = `req_fake_${++ids.request}`;
    handle(req, res, requestId).catch((err: unknown) => {
      sendError(res, requestId, 500, 'api_error', `Anthropic fake failed: ${String(err)}`, {
        'x-should-retry': 'false',
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const receivedAtMs = Date.now();
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method !== 'POST' || path !== '/v1/messages') {
      sendError(res, requestId, 404, 'not_found_error', `Anthropic fake: no route for ${req.method} ${path}`);
      return;
    }
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      sendError(res, requestId, 400, 'invalid_request_error', 'body: the request body is not valid JSON');
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendError(res, requestId, 400, 'invalid_request_error', 'body: Input should be an object');
      return;
    }
    const recorded: RecordedRequest = {
      body: body as MessagesRequest,
      headers: flattenHeaders(req.headers),
      inputTokens: safeInputTokens(body as MessagesRequest),
      receivedAtMs,
    };
    requests.push(recorded);
    if (!recorded.headers['x-api-key'] && !recorded.headers.authorization) {
      sendError(res, requestId, 401, 'authentication_error', 'x-api-key header is required');
      return;
    }
    const problem = checkRequests ? checkRequest(body) : null;
    if (problem !== null) {
      sendError(res, requestId, 400, 'invalid_request_error', problem);
      return;
    }
    const reply = queue.shift() ?? fallback(recorded);
    if ('hang' in reply) return; // held open until the client gives up or close() destroys the socket
    const send = () => sendReply(res, requestId, reply, recorded, ids, sleep);
    if (!reply.delayMs) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, reply.delayMs);
    timers.add(timer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    setDefault: (reply) => {
      fallback = typeof reply === 'function' ? reply : () => reply;
    },
    pending: () => queue.length,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function sendReply(
  res: ServerResponse,
  requestId: string,
  reply: Exclude<FakeReply, { hang: true }>,
  req: RecordedRequest,
  ids: IdCounters,
  sleep: (ms: number) => Promise<void>,
): void {
  if ('error' in reply) {
    const { status, type, message, headers } = reply.error;
    const errorType = type ?? errorTypeFor(status);
    sendError(res, requestId, status, errorType, message ?? `Anthropic fake: scripted ${status}`, headers);
  } else if ('raw' in reply) {
    write(res, reply.raw.status, reply.raw.body, { 'request-id': requestId, ...reply.raw.headers });
  } else if (req.body.stream === true) {
    void sendStream(res, requestId, assistantMessage(reply, req, ids), reply.stream ?? {}, req, sleep);
  } else {
    write(res, 200, JSON.stringify(assistantMessage(reply, req, ids)), { 'request-id': requestId });
  }
}

/** Characters of tool input JSON per input_json_delta (the real API sends a few tokens at a time). */
const JSON_PIECE = 12;

/** `message` as the real API streams it; the events, put together by the SDK, are `message` exactly. */
async function sendStream(
  res: ServerResponse,
  requestId: string,
  message: Anthropic.Message,
  pacing: StreamPacing,
  req: RecordedRequest,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
  });
  const streamed: NonNullable<RecordedRequest['streamed']> = {};
  req.streamed = streamed;
  const send = (event: Anthropic.RawMessageStreamEvent | { type: 'ping' }): boolean => {
    if (res.destroyed) return false;
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    return true;
  };
  const { content, usage, stop_reason } = message;
  send({
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  send({ type: 'ping' });
  for (const [index, block] of content.entries()) {
    const deltas: Anthropic.RawContentBlockDelta[] = [];
    if (block.type === 'text') {
      send({ type: 'content_block_start', index, content_block: { ...block, text: '' } });
      for (const piece of block.text.match(/\s*\S+\s*/g) ?? []) deltas.push({ type: 'text_delta', text: piece });
    } else if (block.type === 'tool_use') {
      send({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      // The real API opens a tool's input with an empty piece.
      deltas.push({ type: 'input_json_delta', partial_json: '' });
      const json = [...JSON.stringify(block.input)]; // code points: a piece never splits a character
      for (let i = 0; i < json.length; i += JSON_PIECE) {
        deltas.push({ type: 'input_json_delta', partial_json: json.slice(i, i + JSON_PIECE).join('') });
      }
    } else {
      continue;
    }
    for (const delta of deltas) {
      if (pacing.eventDelayMs) await sleep(pacing.eventDelayMs);
      if (!send({ type: 'content_block_delta', index, delta })) return;
      streamed.firstDeltaAtMs ??= Date.now();
    }
    if (index === content.length - 1 && pacing.holdEnd) await pacing.holdEnd;
    if (!send({ type: 'content_block_stop', index })) return;
  }
  send({
    type: 'message_delta',
    delta: { stop_reason, stop_sequence: null, stop_details: null, container: null },
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens_details: null,
      server_tool_use: null,
    },
  });
  if (!send({ type: 'message_stop' })) return;
  streamed.endedAtMs = Date.now();
  res.end();
}

/** Per-fake counters, so ids are deterministic within a test whatever ran before it. */
interface IdCounters {
  request: number;
  message: number;
  toolUse: number;
}

function assistantMessage(
  reply: { toolUse?: ScriptedToolCall[]; text?: string },
  req: RecordedRequest,
  ids: IdCounters,
): Anthropic.Message {
  const content: Anthropic.ContentBlock[] = [];
  if (reply.text !== undefined && (reply.toolUse === undefined || reply.text !== '')) {
    content.push({ type: 'text', text: reply.text, citations: null });
  }
  for (const call of reply.toolUse ?? []) {
    const id = call.id ?? `toolu_${++ids.toolUse}`;
    content.push({ type: 'tool_use', id, name: call.name, input: call.input, caller: { type: 'direct' } });
  }
  const output = content.map((b) =>
    b.type === 'tool_use' ? `${b.name} ${JSON.stringify(b.input)}` : 'text' in b ? b.text : '',
  );
  return {
    id: `msg_${++ids.message}`,
    type: 'message',
    role: 'assistant',
    model: typeof req.body.model === 'string' ? req.body.model : 'unknown',
    content,
    stop_reason: reply.toolUse === undefined ? 'end_turn' : 'tool_use',
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: req.inputTokens,
      output_tokens: Math.max(1, countTokens(output.join('\n'))),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  };
}

function sendError(
  res: ServerResponse,
  requestId: string,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
  write(res, status, body, { 'request-id': requestId, ...headers });
}

function write(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** A body the checks will reject may not even be countable; it still gets recorded, with 0 tokens. */
function safeInputTokens(body: MessagesRequest): number {
  try {
    return requestInputTokens(body);
  } catch {
    return 0;
  }
}

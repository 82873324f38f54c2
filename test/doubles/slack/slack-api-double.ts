/**
 * A local Slack Web API double: a real node:http server on 127.0.0.1 that the real `WebClient` (and Bolt's
 * `clientOptions.slackApiUrl`) talk to, recording every call and enforcing Slack's message limits.
 * Non-obvious: web-api v8 sends every method as application/x-www-form-urlencoded with objects (blocks, files,
 * attachments) JSON-stringified inside the form, so those fields are JSON-decoded here; JSON bodies work too.
 * Socket Mode (socket-mode.ts) shares the server: apps.connections.open takes only the app token, every other
 * method only the bot token.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { CHAT_HANDLERS, type Handler } from './chat-methods.js';
import {
  type ApiReply,
  type Args,
  DoubleState,
  type DoubleUser,
  type FailReply,
  type SharedFile,
  type StoredEphemeral,
  type StoredMessage,
  str,
} from './double-state.js';
import type { BlockActionInput, EventEnvelopeInput, SlashCommandInput } from './slack-requests.js';
import {
  SOCKET_ACK,
  SOCKET_DISCONNECT,
  SOCKET_SEND,
  type SocketAck,
  type SocketEventOptions,
  SocketModeServer,
  type SocketSendOptions,
} from './socket-mode.js';
import { addPrivateFile, FILE_HANDLERS, handleUpload, serveFile, UPLOAD_STEP } from './upload-flow.js';

export type { FailReply, SharedFile, SocketAck, SocketEventOptions, SocketSendOptions, StoredEphemeral, StoredMessage };
export { SOCKET_ACK, SOCKET_DISCONNECT, SOCKET_SEND, UPLOAD_STEP };
/** The `calls` entry of a GET of a private file (url_private), with whether it carried the bot token. */
export const FILE_FETCH = 'files-pri GET';

export interface SlackApiDoubleOptions {
  botToken?: string;
  /** App-level token for Socket Mode's apps.connections.open (default 'xapp-test'). */
  appToken?: string;
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Uploads larger than this fail at files.completeUploadExternal with `file_too_large` (default 1 GB). */
  uploadSizeLimitBytes?: number;
}

export interface SlackApiDouble {
  /** `http://127.0.0.1:<port>/api/` for `new WebClient(token, { slackApiUrl })` and Bolt's `clientOptions`. */
  apiUrl: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  botToken: string;
  /** App-level token (SocketModeReceiver's `appToken`): apps.connections.open takes only this, other methods refuse it. */
  appToken: string;
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
  uploadSizeLimitBytes: number;
  /**
   * Every Web API call in arrival order, injected failures and retries included; byte POSTs appear as
   * 'upload', private file GETs as FILE_FETCH.
   */
  calls: Array<{ method: string; args: Record<string, unknown>; atMs: number }>;
  /** Live message records: the whole channel, or with threadTs the thread (parent when known, then replies). */
  messages(channel: string, threadTs?: string): StoredMessage[];
  ephemerals: StoredEphemeral[];
  /** Completed uploads shared into a channel, in completion order. */
  files: SharedFile[];
  addUser(user: DoubleUser): void;
  /** Seed a message written by a person (e.g. the parent of a thread the bot will reply in). */
  addUserMessage(message: { channel: string; user: string; text: string; threadTs?: string }): StoredMessage;
  addPrivateFile(file: { id?: string; name: string; mimetype: string; bytes: Buffer; user?: string }): {
    id: string;
    url_private: string;
    url_private_download: string;
  };
  /**
   * The bot is not a member of `channel` (never invited, or removed), as Slack has it for an app without
   * chat:write.public: chat.postMessage there, and sharing an upload there, answer `not_in_channel`;
   * conversations.info says `is_member: false`.
   */
  leaveChannel(channel: string): void;
  /** Queue a failure for the next call of `method` (or of the byte POST, UPLOAD_STEP); queued per method, FIFO. */
  failNext(method: string, reply: FailReply): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Open Socket Mode connections (one told to disconnect counts until its socket closes). */
  socketConnections(): number;
  /** Resolves once a connection got its hello and was not told to disconnect (at once if one has; default 10 s). */
  waitForSocket(timeoutMs?: number): Promise<void>;
  /** Sends a `slash_commands` envelope on the most recent connection; resolves with the client's ack. */
  socketSlashCommand(input: SlashCommandInput, options?: SocketSendOptions): Promise<SocketAck>;
  /** Sends an `interactive` envelope (block_actions payload); resolves with the client's ack. */
  socketBlockAction(input: BlockActionInput, options?: SocketSendOptions): Promise<SocketAck>;
  /** Sends an `events_api` envelope (event_callback around `event`); resolves with the client's ack. */
  socketEvent(
    event: Record<string, unknown>,
    envelope: EventEnvelopeInput,
    options?: SocketEventOptions,
  ): Promise<SocketAck>;
  /** Sends `{ type: 'disconnect', reason }` (default 'refresh_requested') so the client reconnects. */
  socketDisconnect(reason?: string): void;
  /** Stops the HTTP server, terminating Socket Mode connections and rejecting envelopes still awaiting an ack. */
  close(): Promise<void>;
}

const HANDLERS: Record<string, Handler> = { ...CHAT_HANDLERS, ...FILE_HANDLERS };
/** Methods that take the app-level token instead of the bot token. */
type AppLevelHandlers = Record<string, () => ApiReply>;
/** Form fields web-api JSON-stringifies (non-primitive values) that handlers need as objects. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'files', 'metadata', 'user_auth_blocks']);

function decodeField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

async function parseArgs(raw: Buffer, contentType: string, query: URLSearchParams): Promise<Args> {
  const args: Args = {};
  for (const [key, value] of query) args[key] = decodeField(key, value);
  if (raw.length === 0) return args;
  if (contentType.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? { ...args, ...(parsed as Args) } : args;
  }
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form) args[key] = typeof value === 'string' ? decodeField(key, value) : value;
    return args;
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = decodeField(key, value);
  return args;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendFailure(res: ServerResponse, failure: FailReply): void {
  if ('error' in failure) {
    sendJson(res, 200, { ok: false, error: failure.error });
  } else if ('retryAfterS' in failure) {
    sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfterS) });
  } else {
    res.writeHead(failure.status, { 'content-type': 'text/plain' });
    res.end(`injected HTTP ${failure.status}`);
  }
}

async function handleWebApi(
  state: DoubleState,
  appLevel: AppLevelHandlers,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = decodeURIComponent(url.pathname.slice('/api/'.length));
  let args: Args;
  try {
    args = await parseArgs(await buffer(req), req.headers['content-type'] ?? '', url.searchParams);
  } catch {
    sendJson(res, 200, { ok: false, error: 'invalid_json' });
    return;
  }
  state.calls.push({ method, args, atMs: Date.now() });
  const failure = state.takeFailure(method);
  if (failure) return sendFailure(res, failure);
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer ?? str(args.token);
  const handler = HANDLERS[method];
  const appLevelHandler = Object.hasOwn(appLevel, method) ? appLevel[method] : undefined;
  let reply: ApiReply;
  if (!token) reply = { ok: false, error: 'not_authed' };
  else if (appLevelHandler)
    reply = token === state.ids.appToken ? appLevelHandler() : { ok: false, error: 'invalid_auth' };
  else if (token !== state.ids.botToken) reply = { ok: false, error: 'invalid_auth' };
  else if (!handler) reply = { ok: false, error: 'unknown_method' };
  else reply = await handler(args, state);
  sendJson(res, 200, reply);
}

async function route(
  state: DoubleState,
  appLevel: AppLevelHandlers,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', state.origin);
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/api/')) return handleWebApi(state, appLevel, req, res, url);
  const upload = /^\/upload\/v1\/([^/]+)$/.exec(url.pathname);
  if (upload?.[1] !== undefined && (method === 'POST' || method === 'PUT')) {
    const raw = await buffer(req);
    const contentType = req.headers['content-type'] ?? '';
    state.calls.push({
      method: UPLOAD_STEP,
      args: { file_id: upload[1], bytes: raw.length, contentType },
      atMs: Date.now(),
    });
    const failure = state.takeFailure(UPLOAD_STEP);
    if (failure) return sendFailure(res, failure);
    const result = await handleUpload(state, upload[1], raw, contentType);
    res.writeHead(result.status, { 'content-type': 'text/plain' });
    res.end(result.body);
    return;
  }
  if (
    (method === 'GET' || method === 'HEAD') &&
    (url.pathname.startsWith('/files-pri/') || url.pathname === '/signin')
  ) {
    if (url.pathname.startsWith('/files-pri/')) {
      const withBotToken = req.headers.authorization === `Bearer ${state.ids.botToken}`;
      state.calls.push({ method: FILE_FETCH, args: { path: url.pathname, withBotToken }, atMs: Date.now() });
    }
    return serveFile(state, req, res, url.pathname);
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

export async function startSlackApiDouble(options: SlackApiDoubleOptions = {}): Promise<SlackApiDouble> {
  const state = new DoubleState(
    {
      botToken: options.botToken ?? 'xoxb-test',
      appToken: options.appToken ?? 'xapp-test',
      teamId: options.teamId ?? 'T0001',
      teamDomain: options.teamDomain ?? 'higgs-test',
      botUserId: options.botUserId ?? 'U0BOT',
      botId: options.botId ?? 'B0BOT',
      appId: options.appId ?? 'A0APP',
    },
    options.uploadSizeLimitBytes ?? 1024 ** 3,
  );
  const socketMode = new SocketModeServer(state);
  const appLevel: AppLevelHandlers = { 'apps.connections.open': () => socketMode.openConnection() };
  const server = createServer((req, res) => {
    route(state, appLevel, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`double error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.on('upgrade', (req, socket, head: Buffer) => socketMode.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  const { ids } = state;

  return {
    apiUrl: `${state.origin}/api/`,
    origin: state.origin,
    botToken: ids.botToken,
    appToken: ids.appToken,
    teamId: ids.teamId,
    botUserId: ids.botUserId,
    botId: ids.botId,
    appId: ids.appId,
    uploadSizeLimitBytes: state.uploadSizeLimitBytes,
    calls: state.calls,
    ephemerals: state.ephemerals,
    files: state.files,
    messages: (channel, threadTs) =>
      threadTs === undefined ? state.messageList.filter((m) => m.channel === channel) : state.thread(channel, threadTs),
    addUser: (user) => {
      state.users.set(user.id, user);
    },
    addUserMessage: ({ channel, user, text, threadTs }) =>
      state.addMessage({
        type: 'message',
        channel,
        user,
        text,
        ts: state.nextTs(),
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      }),
    addPrivateFile: (file) => addPrivateFile(state, file),
    leaveChannel: (channel) => {
      state.notJoined.add(channel);
    },
    failNext: (method, reply) => {
      const queue = state.failures.get(method) ?? [];
      queue.push(reply);
      state.failures.set(method, queue);
    },
    waitFor: async (predicate, timeoutMs = 2000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    socketConnections: () => socketMode.openCount(),
    waitForSocket: (timeoutMs) => socketMode.waitForSocket(timeoutMs),
    socketSlashCommand: (input, sendOptions) => socketMode.slashCommand(input, sendOptions),
    socketBlockAction: (input, sendOptions) => socketMode.blockAction(input, sendOptions),
    socketEvent: (event, envelope, sendOptions) => socketMode.event(event, envelope, sendOptions),
    socketDisconnect: (reason) => socketMode.disconnect(reason),
    close: async () => {
      await socketMode.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

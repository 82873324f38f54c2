/**
 * HTTP plumbing of the REST double: body reading (JSON or multipart), route matching on percent-decoded
 * segments (discord.js sends `%40original`), bot-token auth for routes that need it, injected failures,
 * call recording and generous X-RateLimit-* headers. Every request body is read to the end before replying,
 * even one about to be refused with 413, so undici never sees a reset socket instead of Discord's JSON error.
 */

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { ApiError, defaultErrorMessage } from './api-error.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import type { DoubleState } from './state.js';
import type { FailureReply, RecordedCall, UploadedFile } from './types.js';

export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** JSON body (or parsed `payload_json`); `{}` when absent. */
  body: unknown;
  files: UploadedFile[];
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface Route {
  method: string;
  /** e.g. `/channels/:channelId/messages/:messageId` */
  pattern: string;
  /** Needs `Authorization: Bot <token>`; interaction callback and webhook-token routes don't. */
  auth: boolean;
  handle(ctx: RouteContext): RouteResult;
}

export interface Failure {
  match: RegExp | string;
  reply: FailureReply;
}

interface RestDeps {
  state: DoubleState;
  routes: Route[];
  calls: RecordedCall[];
  failures: Failure[];
}

function matchRoute(
  routes: Route[],
  method: string,
  segments: string[],
): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const parts = route.pattern.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return segment !== '';
      }
      return part === segment;
    });
    if (ok) return { route, params };
  }
  return null;
}

function takeFailure(failures: Failure[], method: string, path: string): FailureReply | null {
  const index = failures.findIndex(({ match }) =>
    typeof match === 'string' ? match === path || match === `${method} ${path}` : match.test(`${method} ${path}`),
  );
  if (index < 0) return null;
  const [failure] = failures.splice(index, 1);
  return failure?.reply ?? null;
}

function failureResponse(reply: FailureReply): { result: RouteResult; headers: Record<string, string> } {
  if (reply.status === 429) {
    const retryAfter = reply.retryAfterS ?? 1;
    return {
      result: {
        status: 429,
        body: {
          message: reply.message ?? 'You are being rate limited.',
          retry_after: retryAfter,
          global: false,
          code: reply.code ?? 0,
        },
      },
      headers: {
        'Retry-After': String(retryAfter),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset-After': String(retryAfter),
        'X-RateLimit-Scope': 'user',
      },
    };
  }
  const code = reply.code ?? 0;
  const headers: Record<string, string> =
    reply.retryAfterS === undefined ? {} : { 'Retry-After': String(reply.retryAfterS) };
  return {
    result: { status: reply.status, body: { message: reply.message ?? defaultErrorMessage(code, reply.status), code } },
    headers,
  };
}

function send(res: ServerResponse, result: RouteResult, headers: Record<string, string>, bucket: string): void {
  const nowS = Date.now() / 1000;
  const base: Record<string, string> = {
    'X-RateLimit-Limit': '50',
    'X-RateLimit-Remaining': '49',
    'X-RateLimit-Reset': (nowS + 1).toFixed(3),
    'X-RateLimit-Reset-After': '1.000',
    'X-RateLimit-Bucket': createHash('sha1').update(bucket).digest('hex').slice(0, 32),
    ...headers,
  };
  if (result.status === 204 || result.body === undefined) {
    res.writeHead(result.status === 200 ? 204 : result.status, base).end();
    return;
  }
  res.writeHead(result.status, { ...base, 'Content-Type': 'application/json' }).end(JSON.stringify(result.body));
}

function parseBody(raw: Buffer, contentType: string): { body: unknown; files: UploadedFile[] } {
  if (raw.length === 0) return { body: {}, files: [] };
  const boundary = contentType.startsWith('multipart/form-data') ? boundaryOf(contentType) : null;
  if (boundary) {
    const { fields, files } = parseMultipart(raw, boundary);
    const json = fields.get('payload_json');
    let body: unknown = json === undefined ? Object.fromEntries(fields) : JSON.parse(json);
    if (json !== undefined && fields.size > 1)
      body = { ...(body as object), ...Object.fromEntries([...fields].filter(([k]) => k !== 'payload_json')) };
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

export function createRestHandler(deps: RestDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { state, routes, calls, failures } = deps;
  return (req, res) => {
    void (async () => {
      const raw = await buffer(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const download = /^\/attachments\/(\d+)\//.exec(url.pathname);
      if (download) {
        const upload = state.uploads.get(download[1] ?? '');
        if (!upload?.data) return void res.writeHead(404).end();
        return void res
          .writeHead(200, { 'Content-Type': upload.contentType ?? 'application/octet-stream' })
          .end(upload.data);
      }
      const api = /^\/api(?:\/v\d+)?(\/.*)$/.exec(url.pathname);
      const segments = (api?.[1] ?? url.pathname)
        .split('/')
        .slice(1)
        .map((s) => {
          try {
            return decodeURIComponent(s);
          } catch {
            return s;
          }
        });
      const path = `/${segments.join('/')}`;
      const call: RecordedCall = { method, path, query: url.search, body: {}, files: [], status: 0, atMs: state.now() };
      calls.push(call);
      let result: RouteResult;
      let headers: Record<string, string> = {};
      let bucket = `${method} ${path}`;
      try {
        const parsed = parseBody(raw, req.headers['content-type'] ?? '');
        call.body = parsed.body;
        call.files = parsed.files.map((f) => ({
          name: f.filename,
          ...(f.contentType ? { contentType: f.contentType } : {}),
          sizeBytes: f.data.length,
        }));
        const failure = takeFailure(failures, method, path);
        const matched = api ? matchRoute(routes, method, segments) : null;
        if (failure) ({ result, headers } = failureResponse(failure));
        else if (!matched) result = { status: 404, body: { message: '404: Not Found', code: 0 } };
        else if (matched.route.auth && req.headers.authorization !== `Bot ${state.token}`) {
          result = { status: 401, body: { message: '401: Unauthorized', code: 0 } };
        } else {
          bucket = `${method} ${matched.route.pattern}`;
          result = matched.route.handle({
            method,
            path,
            params: matched.params,
            query: url.searchParams,
            body: parsed.body,
            files: parsed.files,
          });
        }
      } catch (error) {
        if (error instanceof ApiError) result = { status: error.status, body: error.toBody() };
        else if (error instanceof SyntaxError)
          result = { status: 400, body: { message: 'The request body contains invalid JSON.', code: 50109 } };
        else {
          console.error('[discord-double] handler crashed', error);
          result = { status: 500, body: { message: String(error), code: 0 } };
        }
      }
      call.status = result.status === 200 && result.body === undefined ? 204 : result.status;
      send(res, result, headers, bucket);
    })().catch((error: unknown) => {
      console.error('[discord-double] request failed', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

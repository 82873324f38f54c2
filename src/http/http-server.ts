/**
 * A minimal node:http server for probes, inbound webhooks and signed media links: built-in /healthz
 * (liveness) and /readyz (readiness), exact-path routes and prefix routes (an exact match wins, then the
 * longest prefix), JSON errors that never carry details. No framework: a handful of routes do not justify
 * one, and `close()` must drop keep-alive sockets so shutdown and tests never hang.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { type ResponseBacklog, trackResponseBacklog } from './response-backlog.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface Route {
  /** An HTTP method, or '*' for any (a router of its own behind this route, such as the web API). */
  method: string;
  /** The exact path; with `prefix`, a prefix ending in '/' that matches every path below it. */
  path: string;
  prefix?: boolean;
  handler: RouteHandler;
}

export interface Readiness {
  ok: boolean;
  detail?: Record<string, unknown>;
}

export interface HttpServerOptions {
  port: number;
  /** Default '0.0.0.0'. */
  host?: string;
  logger: Logger;
  routes: Route[];
  /** Answers GET /readyz; without it the server is ready as soon as it listens. */
  readiness?: () => Promise<Readiness>;
}

export interface HttpServer {
  /** `http://127.0.0.1:<port>` when bound to 0.0.0.0 or 127.0.0.1. */
  url: string;
  port: number;
  /** Callers still waiting for an answer (see response-backlog.ts). */
  backlog: ResponseBacklog;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export type ReadBodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' };

/**
 * The whole request body, or `too_large` as soon as it would exceed `maxBytes` (checked against
 * content-length first, then while streaming). Rejects when the client goes away mid-body.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<ReadBodyResult> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        resolve({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, body: Buffer.concat(chunks, size) });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => onError(new Error('Client closed the connection before the body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** 413 and close the connection: the rest of the oversize body is never read. */
export function sendTooLarge(res: ServerResponse, maxBytes: number): void {
  sendJson(res, 413, { error: `body larger than ${maxBytes} bytes` }, { connection: 'close' });
}

function publicUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '127.0.0.1') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** The routes for `path`: those with exactly that path, else those under its longest matching prefix. */
function routesFor(routes: readonly Route[], path: string | undefined): Route[] {
  if (path === undefined) return [];
  const exact = routes.filter((r) => !r.prefix && r.path === path);
  if (exact.length > 0) return exact;
  const under = routes.filter((r) => r.prefix && path.startsWith(r.path));
  const longest = Math.max(0, ...under.map((r) => r.path.length));
  return under.filter((r) => r.path.length === longest);
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '0.0.0.0';
  const log = options.logger.child({ module: 'http' });
  const readiness = options.readiness;

  const builtIn: Route[] = [
    { method: 'GET', path: '/healthz', handler: (_req, res) => sendJson(res, 200, { ok: true }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_req, res) => {
        let result: Readiness = { ok: true };
        if (readiness) {
          try {
            result = await readiness();
          } catch (err) {
            log.warn({ err }, 'readiness check threw');
            result = { ok: false };
          }
        }
        sendJson(res, result.ok ? 200 : 503, { ok: result.ok, ...(result.detail ? { detail: result.detail } : {}) });
      },
    },
  ];
  const routes = [...builtIn, ...options.routes];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const onPath = routesFor(routes, path);
    const route = onPath.find((r) => r.method.toUpperCase() === method) ?? onPath.find((r) => r.method === '*');
    try {
      if (!route) {
        if (onPath.length === 0) {
          sendJson(res, 404, { error: 'not found' });
        } else {
          const allow = [...new Set(onPath.map((r) => r.method.toUpperCase()))].join(', ');
          sendJson(res, 405, { error: 'method not allowed' }, { allow });
        }
        return;
      }
      await route.handler(req, res);
    } catch (err) {
      log.error({ err, method, path }, 'http handler failed');
      if (res.headersSent) {
        res.destroy();
      } else {
        sendJson(res, 500, { error: 'internal error' }, { connection: 'close' });
      }
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  const backlog = trackResponseBacklog(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = publicUrl(host, port);
  log.info({ url, host, port }, 'http server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    backlog,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => log.info({ url }, 'http server closed'));
      return closing;
    },
  };
}

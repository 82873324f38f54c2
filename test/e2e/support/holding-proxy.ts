/**
 * An HTTP proxy between the product's processes and a double (node:http, no dependencies). Every request is
 * forwarded as it came: method, path, headers and the body, streamed through while a bounded copy is kept for
 * the spec to read. It can be armed to hold one exchange at a chosen moment, so a spec can kill a process at an
 * exact point of a conversation with a platform:
 *  - `holdResponse`: forward the request, let the double process it (it has accepted the upload, say), then keep
 *    its answer from the caller, so the caller never learns it happened;
 *  - `holdRequest`: keep the request before forwarding it, so the double never sees it until released.
 * Non-obvious: a hold's match runs when the request's body has been read to the end (for holdResponse, once
 * the double answered; the doubles read the whole body first), so a predicate may look at the body.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Bytes of each request body kept for `exchanges` (the body itself is always forwarded whole). */
const KEPT_BODY_BYTES = 4 * 1024 * 1024;

export interface ProxiedRequest {
  seq: number;
  method: string;
  /** Path and query, as the caller sent it. */
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  atMs: number;
  /** The body (up to 4 MiB of it), set once `ended`. */
  body: Buffer;
  ended: boolean;
  /** The double's status code, once it answered. */
  status?: number;
  /** The caller's connection closed before the exchange completed (the process died, say). */
  callerGone: boolean;
}

export interface HoldMatch {
  method?: string;
  path: RegExp;
  /** Extra condition on the request, with its whole body (e.g. multipart, or a field's value). */
  where?: (request: ProxiedRequest) => boolean;
  /** Hold this many matching exchanges (default 1); later matches pass. */
  times?: number;
}

export interface Hold {
  /** Resolves with each held request as it is held (for `times` > 1, the first; see `held`). */
  readonly reached: Promise<ProxiedRequest>;
  /** The exchanges held so far. */
  readonly held: ProxiedRequest[];
  /** Resolves once `count` exchanges are held. */
  whenHeld(count: number, timeoutMs?: number): Promise<ProxiedRequest[]>;
  /** Let every held exchange (and later matches) go on; a caller that is gone gets nothing. */
  release(): void;
}

export interface HoldingProxy {
  /** `http://127.0.0.1:<port>` plus the target's path prefix, to use in place of the target's base URL. */
  url: string;
  origin: string;
  /** Every request seen, in arrival order. */
  readonly exchanges: ProxiedRequest[];
  holdResponse(match: HoldMatch): Hold;
  holdRequest(match: HoldMatch): Hold;
  close(): Promise<void>;
}

interface Armed {
  kind: 'response' | 'request';
  match: HoldMatch;
  remaining: number;
  released: boolean;
  held: ProxiedRequest[];
  /** Woken on every change (a new held exchange, the release). */
  listeners: Set<() => void>;
  resolveFirst: (request: ProxiedRequest) => void;
}

function notify(entry: Armed): void {
  for (const listener of [...entry.listeners]) listener();
}

/** Resolves when the hold is released (at once if it already is). */
function whenReleased(entry: Armed): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!entry.released) return;
      entry.listeners.delete(check);
      resolve();
    };
    entry.listeners.add(check);
    check();
  });
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function forwardHeaders(headers: IncomingHttpHeaders, host: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name)) out[name] = value;
  }
  out.host = host;
  return out;
}

/**
 * `targetUrl` is the double's base URL (e.g. `http://127.0.0.1:4100/api/`); the proxy's `url` keeps its path,
 * so the product builds the same paths against it.
 */
export async function startHoldingProxy(targetUrl: string): Promise<HoldingProxy> {
  const target = new URL(targetUrl);
  const exchanges: ProxiedRequest[] = [];
  const armed: Armed[] = [];
  const sockets = new Set<Socket>();

  const claim = (kind: Armed['kind'], exchange: ProxiedRequest): Armed | undefined => {
    const hold = armed.find(
      (a) =>
        a.kind === kind &&
        !a.released &&
        a.remaining > 0 &&
        (a.match.method === undefined || a.match.method === exchange.method) &&
        a.match.path.test(exchange.path) &&
        (a.match.where === undefined || a.match.where(exchange)),
    );
    if (!hold) return undefined;
    hold.remaining -= 1;
    hold.held.push(exchange);
    if (hold.held.length === 1) hold.resolveFirst(exchange);
    notify(hold);
    return hold;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const exchange: ProxiedRequest = {
      seq: exchanges.length + 1,
      method: req.method ?? 'GET',
      url,
      path: new URL(url, 'http://proxy').pathname,
      headers: req.headers,
      atMs: Date.now(),
      body: Buffer.alloc(0),
      ended: false,
      callerGone: false,
    };
    exchanges.push(exchange);
    const kept: Buffer[] = [];
    let keptBytes = 0;
    res.on('close', () => {
      if (!res.writableFinished) exchange.callerGone = true;
    });

    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: exchange.method,
      path: url,
      headers: forwardHeaders(req.headers, target.host),
      agent: false,
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('holding proxy: upstream failed');
    });
    upstream.on('response', (answer) => {
      exchange.status = answer.statusCode ?? 0;
      const deliver = () => {
        if (exchange.callerGone || res.destroyed) {
          answer.resume();
          return;
        }
        const headers: IncomingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (!HOP_BY_HOP.has(name)) headers[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
        answer.pipe(res);
      };
      const hold = exchange.ended ? claim('response', exchange) : undefined;
      if (!hold) return deliver();
      answer.pause();
      void whenReleased(hold).then(deliver);
    });

    // A request hold on method and path alone is decided now; one with a body condition once the body is in.
    // Either way nothing is written upstream (not even the headers) until it is released.
    const matchesHead = (a: Armed) =>
      a.kind === 'request' &&
      !a.released &&
      a.remaining > 0 &&
      (a.match.method === undefined || a.match.method === exchange.method) &&
      a.match.path.test(exchange.path);
    let pending: Buffer[] | undefined = armed.some(matchesHead) ? [] : undefined;
    req.on('data', (chunk: Buffer) => {
      if (keptBytes < KEPT_BODY_BYTES) {
        const part = chunk.subarray(0, KEPT_BODY_BYTES - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (pending) pending.push(chunk);
      else if (!upstream.write(chunk)) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      exchange.body = Buffer.concat(kept);
      exchange.ended = true;
      if (!pending) return void upstream.end();
      const chunks = pending;
      pending = undefined;
      const flush = () => {
        if (exchange.callerGone) return void upstream.destroy();
        for (const chunk of chunks) upstream.write(chunk);
        upstream.end();
      };
      const hold = claim('request', exchange);
      if (!hold) flush();
      else void whenReleased(hold).then(flush);
    });
    req.on('aborted', () => {
      exchange.callerGone = true;
    });
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const arm = (kind: Armed['kind'], match: HoldMatch): Hold => {
    let resolveFirst!: (request: ProxiedRequest) => void;
    const reached = new Promise<ProxiedRequest>((resolve) => {
      resolveFirst = resolve;
    });
    const entry: Armed = {
      kind,
      match,
      remaining: match.times ?? 1,
      released: false,
      held: [],
      listeners: new Set(),
      resolveFirst,
    };
    armed.push(entry);
    return {
      reached,
      held: entry.held,
      whenHeld: (count, timeoutMs = 30_000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            entry.listeners.delete(check);
            reject(new Error(`holding proxy: ${entry.held.length} of ${count} exchanges held in ${timeoutMs} ms`));
          }, timeoutMs);
          const check = () => {
            if (entry.held.length < count) return;
            clearTimeout(timer);
            entry.listeners.delete(check);
            resolve([...entry.held]);
          };
          entry.listeners.add(check);
          check();
        }),
      release: () => {
        entry.released = true;
        notify(entry);
      },
    };
  };

  return {
    url: `${origin}${target.pathname === '/' ? '' : target.pathname}${target.search}`,
    origin,
    exchanges,
    holdResponse: (match) => arm('response', match),
    holdRequest: (match) => arm('request', match),
    close: async () => {
      for (const entry of armed) {
        entry.released = true;
        notify(entry);
      }
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

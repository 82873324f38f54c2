/**
 * `GET|HEAD /media/<key>?exp=<unix s>&sig=<mac>`: stored results through the bot's own HTTP port, for links
 * people open from Discord or Slack when no public storage URL exists (media-links.ts signs them). The key
 * is taken from the raw request target, never a normalised one, and refused unless it is a canonical media
 * key: no `..`, no percent-encoding, no empty parts. A refused link of any kind gets one plain 403, so
 * nothing tells a bad signature from an expired one. Single byte ranges are served (phones need them to play
 * video); the body streams from the store with its stored type and length.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../log.js';
import { type ByteRange, type MediaReader, validateMediaKey } from '../media/media-common.js';
import { MEDIA_ROUTE_PREFIX, verifyMediaLink } from '../media/media-links.js';
import type { Route } from './http-server.js';

export interface MediaRouteOptions {
  store: MediaReader;
  /** MEDIA_LINK_SECRET: the one the links were signed with. */
  secret: string;
  logger: Logger;
  now?: () => number;
}

/** Nothing in the response may run or load anything; GitHub's raw files use the same policy. */
const CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";
const SERVED_TYPES = /^(image|video|audio)\/[\w.+-]+$/;
const MAX_CACHE_S = 86_400;

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': CSP,
  'referrer-policy': 'no-referrer',
};

/** The GET and HEAD routes of the signed media link, mounted under MEDIA_ROUTE_PREFIX. */
export function createMediaRoutes(options: MediaRouteOptions): Route[] {
  const log = options.logger.child({ module: 'media-route' });
  const now = options.now ?? Date.now;

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const link = parseTarget(req.url);
    const nowMs = now();
    if (!link || !verifyMediaLink(options.secret, link.key, link.exp, link.sig, nowMs)) {
      refuse(res, 403, 'This link is not valid or has expired.');
      return;
    }
    const info = await options.store.head(link.key);
    if (!info) {
      refuse(res, 404, 'This file is no longer available.');
      return;
    }
    const size = info.sizeBytes;
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      refuse(res, 416, 'Requested range not satisfiable.', { 'content-range': `bytes */${size}` });
      return;
    }
    const servable = SERVED_TYPES.test(info.contentType.split(';')[0]?.trim() ?? '');
    const name = link.key.slice(link.key.lastIndexOf('/') + 1);
    const maxAge = Math.max(0, Math.min(MAX_CACHE_S, Number(link.exp) - Math.ceil(nowMs / 1000)));
    const headers: Record<string, string | number> = {
      ...BASE_HEADERS,
      'content-type': servable ? info.contentType : 'application/octet-stream',
      'content-disposition': `${servable ? 'inline' : 'attachment'}; filename="${name}"`,
      'content-length': range ? range.end - range.start + 1 : size,
      'accept-ranges': 'bytes',
      'cache-control': `private, max-age=${maxAge}`,
    };
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    const status = range ? 206 : 200;
    if (req.method === 'HEAD' || size === 0) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const body = await options.store.read(link.key, range);
    res.writeHead(status, headers);
    try {
      await pipeline(body, res);
    } catch (err) {
      // A viewer that stops reading (closed tab, a seek) is normal; anything else is the store failing mid-way.
      const gone = (err as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE';
      if (gone) log.debug({ key: link.key }, 'viewer closed the media stream');
      else log.warn({ err, key: link.key }, 'serving media failed mid-way');
      res.destroy();
    }
  };

  return [
    { method: 'GET', path: MEDIA_ROUTE_PREFIX, prefix: true, handler },
    { method: 'HEAD', path: MEDIA_ROUTE_PREFIX, prefix: true, handler },
  ];
}

interface LinkTarget {
  key: string;
  exp: string | null;
  sig: string | null;
}

/** Key, exp and sig from the raw request target; undefined unless the key is canonical. */
function parseTarget(url: string | undefined): LinkTarget | undefined {
  if (!url?.startsWith(MEDIA_ROUTE_PREFIX)) return undefined;
  const queryAt = url.indexOf('?');
  const rawKey = url.slice(MEDIA_ROUTE_PREFIX.length, queryAt === -1 ? undefined : queryAt);
  if (rawKey.includes('%')) return undefined;
  try {
    validateMediaKey(rawKey);
  } catch {
    return undefined;
  }
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  return { key: rawKey, exp: query.get('exp'), sig: query.get('sig') };
}

/**
 * One `bytes=` range clipped to the file, 'unsatisfiable' when it starts past the end, and undefined
 * (serve the whole file, as RFC 9110 allows) for no header, several ranges or anything malformed.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  if (to !== '' && Number(to) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: to === '' ? size - 1 : Math.min(Number(to), size - 1) };
}

function refuse(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(body);
}

/**
 * A streaming GET on undici that follows a bounded number of redirects by hand, so every hop is checked
 * by the caller (scheme, allowed hosts) and caller headers such as a Slack bot token are dropped as soon
 * as a redirect leaves the original origin. The body is returned unread. Which answers are worth retrying
 * follows Higgsfield's error table (423, like 408/429/5xx, is temporary), so a download and an API call agree.
 * With `publicOnly` (a link a person gave us) every hop's host is resolved once, refused unless every
 * address is public, and connected to at that checked address only (public-address.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, request } from 'undici';
import { pinnedDispatcher, type ResolvePublicOptions, resolvePublic } from './public-address.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Temporary answers: a timeout, a locked (temporarily blocked) resource, rate limiting. 5xx too, below. */
const RETRYABLE_STATUSES = new Set([408, 423, 429]);

/** Whether a non-2xx answer may succeed later: 408, 423, 429 and every 5xx. */
export function isRetryableStatus(statusCode: number): boolean {
  return statusCode >= 500 || RETRYABLE_STATUSES.has(statusCode);
}

export interface HttpGetOptions {
  url: URL;
  /** Sent to the original origin only. */
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Idle limits: time to the response headers, and between body chunks. */
  timeoutMs: number;
  maxRedirects: number;
  /** Called for the first URL and every redirect target; throws to refuse it. */
  checkUrl: (url: URL) => void;
  /**
   * Fetch only from public addresses: each hop's host is resolved once (the lookup may be injected), refused
   * when any address is not public, and the connection pinned to the checked address. Takes the place of
   * `dispatcher`.
   */
  publicOnly?: ResolvePublicOptions;
}

export interface HttpGetResponse {
  /** The URL that answered (after redirects). */
  url: URL;
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
}

export async function httpGet(options: HttpGetOptions): Promise<HttpGetResponse> {
  let url = options.url;
  for (let hop = 0; ; hop++) {
    options.checkUrl(url);
    const sameOrigin = url.origin === options.url.origin;
    const pinned = options.publicOnly
      ? pinnedDispatcher(
          await resolvePublic(url.hostname, {
            ...options.publicOnly,
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        )
      : undefined;
    const dispatcher = pinned ?? options.dispatcher;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'GET',
        headers: sameOrigin ? (options.headers ?? {}) : {},
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(dispatcher ? { dispatcher } : {}),
      });
    } finally {
      // Graceful: a body still being read finishes first, then the pinned connection closes.
      pinned?.close().catch(() => {});
    }
    const location = headerValue(res.headers.location);
    if (!REDIRECT_STATUSES.has(res.statusCode) || location === undefined || hop >= options.maxRedirects) {
      return { url, statusCode: res.statusCode, headers: res.headers, body: res.body };
    }
    discard(res.body);
    url = new URL(location, url);
  }
}

/** Stops reading a body we do not want, closing its socket; the resulting abort error is expected. */
export function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The declared length, when it is a plain non-negative integer. */
export function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headerValue(headers['content-length']);
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** `scheme://host/path` without query or fragment: signed provider URLs carry secrets in the query. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * One HTTP exchange with Higgsfield on undici: auth header, per-call timeout combined with the caller's
 * AbortSignal, JSON in and out, `X-Correlation-ID` captured and logged, failures mapped to typed errors.
 * A timeout is retryable; the caller's own abort is not (it surfaces as AbortedError).
 */
import { type Dispatcher, request } from 'undici';
import { AbortedError } from '../errors.js';
import type { Logger } from '../log.js';
import { errorFromResponse, HiggsfieldError, networkError, timeoutError } from './errors.js';

export interface HiggsfieldCredentials {
  keyId: string;
  keySecret: string;
}

export interface TransportOptions {
  baseUrl: string;
  credentials: HiggsfieldCredentials;
  logger: Logger;
  dispatcher?: Dispatcher;
}

export interface CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the base URL, or an absolute URL (upload targets). */
  path: string;
  query?: Record<string, string | undefined>;
  json?: unknown;
  body?: Dispatcher.DispatchOptions['body'];
  headers?: Record<string, string>;
  /** Send our Authorization header (never to storage URLs). */
  authenticated?: boolean;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Error statuses that are an answer here, not a fault (a cancel's 400 "too late"): logged at info. */
  answerStatuses?: readonly number[];
}

export interface CallResult {
  status: number;
  body: unknown;
  correlationId?: string;
}

export function createTransport(options: TransportOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Key ${options.credentials.keyId}:${options.credentials.keySecret}`;
  const log = options.logger;

  return async function call(req: CallOptions): Promise<CallResult> {
    const url = new URL(/^https?:\/\//.test(req.path) ? req.path : `${base}${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);

    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (req.authenticated !== false) headers.authorization = authorization;
    let body = req.body;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }

    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const started = performance.now();
    const logPath = url.pathname;
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        body: body ?? null,
        signal,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      const text = await res.body.text();
      const correlationId = headerValue(res.headers['x-correlation-id']);
      const durationMs = Math.round(performance.now() - started);
      const parsed = parseJson(text);
      log.debug({ method: req.method, path: logPath, status: res.statusCode, correlationId, durationMs }, 'higgsfield');
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return { status: res.statusCode, body: parsed, ...(correlationId ? { correlationId } : {}) };
      }
      const error = errorFromResponse(res.statusCode, parsed, correlationId);
      log[req.answerStatuses?.includes(res.statusCode) ? 'info' : 'warn'](
        { method: req.method, path: logPath, status: res.statusCode, correlationId, code: error.code, durationMs },
        'higgsfield error',
      );
      throw error;
    } catch (error) {
      if (req.signal?.aborted) throw new AbortedError('The Higgsfield call was aborted', error);
      if (timeout.aborted) throw timeoutError(req.timeoutMs, error);
      if (error instanceof HiggsfieldError) throw error;
      throw networkError(error);
    }
  };
}

export type Transport = ReturnType<typeof createTransport>;

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

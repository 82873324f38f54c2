/**
 * HTTP plumbing for the simulator: one `Exchange` per request that records the call when its head is
 * written (not on 'finish', which can race a fast client), body reading with a size cap, and the
 * FastAPI-style 422 bodies built from zod issues.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { SimCall } from './types.js';

/** Thrown by handlers; the router answers `{detail}` with the status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
  }
}

export interface ValidationItem {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
}

export const validationError = (items: ValidationItem[]): HttpError => new HttpError(422, items);

export class Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly correlationId = randomUUID();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly record: (call: SimCall) => void,
  ) {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    this.method = (req.method ?? 'GET').toUpperCase();
    this.path = url.pathname;
    this.query = url.searchParams;
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** Writes status and headers (plus X-Correlation-ID) and records the call. */
  head(status: number, headers: OutgoingHttpHeaders = {}): void {
    this.record({ method: this.method, path: this.path, status, atMs: Date.now() });
    this.res.writeHead(status, { ...headers, 'X-Correlation-ID': this.correlationId });
  }

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    const text = JSON.stringify(body);
    this.head(status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    this.res.end(text);
  }

  empty(status: number): void {
    this.head(status, { 'Content-Length': 0 });
    this.res.end();
  }

  bytes(status: number, contentType: string, body: Buffer): void {
    this.head(status, { 'Content-Type': contentType, 'Content-Length': body.length });
    this.res.end(this.method === 'HEAD' ? undefined : body);
  }
}

/** Reads the whole body; 413 once it passes `limit` bytes (then drains the rest without keeping it). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) over = true;
    if (!over) chunks.push(buf);
  }
  if (over) throw tooLarge(limit);
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body is larger than ${limit} bytes`, { Connection: 'close' });
}

/** The body as JSON: 422 `missing` when empty, 422 `json_invalid` when unparsable. */
export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') throw validationError([{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const msg = `JSON decode error: ${err instanceof Error ? err.message : String(err)}`;
    throw validationError([{ loc: ['body'], msg, type: 'json_invalid' }]);
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'string_type',
  number: 'float_type',
  int: 'int_type',
  boolean: 'bool_type',
  object: 'dict_type',
  array: 'list_type',
};

/** Zod issues as FastAPI detail items: loc ['body', ...path], a short pydantic-like type, and the input. */
export function issuesToDetail(issues: readonly z.core.$ZodIssue[]): ValidationItem[] {
  return issues.flatMap((issue): ValidationItem[] => {
    const loc = ['body', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        loc: [...loc, key],
        msg: 'Extra inputs are not permitted',
        type: 'extra_forbidden',
      }));
    }
    const item: ValidationItem = { loc, msg: issue.message, type: issueType(issue) };
    if ('input' in issue && issue.input !== undefined) item.input = issue.input;
    return [item];
  });
}

function issueType(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'missing' : (TYPE_NAMES[issue.expected] ?? 'type_error');
    case 'invalid_value':
      return 'enum';
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array' ? 'too_short' : 'greater_than_equal';
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array' ? 'too_long' : 'less_than_equal';
    case 'invalid_format':
      return issue.format === 'url'
        ? 'url_parsing'
        : issue.format === 'uuid'
          ? 'uuid_parsing'
          : 'string_pattern_mismatch';
    default:
      return 'value_error';
  }
}

/**
 * The scripted replies the Anthropic fake plays back, one per request, and builders that make tests read
 * well. Any message reply can also be streamed (the request's `stream: true`), paced by `stream`. The one
 * non-obvious decision: an `error` reply's `type` defaults from its status the way the real API
 * names it (429 rate_limit_error, 529 overloaded_error, ...), so tests only script what they assert on.
 */

export interface ScriptedToolCall {
  name: string;
  input: unknown;
  id?: string;
}

/** How a message reply is paced when the request asked for `stream: true` (ignored otherwise). */
export interface StreamPacing {
  /** Pause before each content_block_delta event (default 0: the events go out at once). */
  eventDelayMs?: number;
  /** Held after the last content delta, before the closing events (content_block_stop … message_stop). */
  holdEnd?: Promise<unknown>;
}

export type FakeReply =
  | { toolUse: ScriptedToolCall[]; text?: string; delayMs?: number; stream?: StreamPacing }
  | { text: string; delayMs?: number; stream?: StreamPacing }
  | { error: { status: number; type?: string; message?: string; headers?: Record<string, string> }; delayMs?: number }
  | { raw: { status: number; body: string; headers?: Record<string, string> }; delayMs?: number }
  | { hang: true };

/** One tool_use turn (stop_reason 'tool_use'); `text` adds a leading text block. */
export function toolUse(
  name: string,
  input: unknown,
  more: { id?: string; text?: string; delayMs?: number; stream?: StreamPacing } = {},
): FakeReply {
  const { id, ...rest } = more;
  return { toolUse: [id === undefined ? { name, input } : { name, input, id }], ...rest };
}

/** A plain end_turn text reply. */
export function textReply(text: string, more: { delayMs?: number; stream?: StreamPacing } = {}): FakeReply {
  return { text, ...more };
}

/** An Anthropic-style error; `type` defaults from the status (429 rate_limit_error, 529 overloaded_error, ...). */
export function apiError(
  status: number,
  more: { type?: string; message?: string; headers?: Record<string, string> } = {},
): FakeReply {
  return { error: { status, ...more } };
}

/** 429 rate_limit_error with `retry-after-ms`, which the SDK honours before retrying. */
export function rateLimited(retryAfterMs: number): FakeReply {
  return apiError(429, { headers: { 'retry-after-ms': String(retryAfterMs) } });
}

/** 529 overloaded_error (retried by the SDK). */
export function overloaded(): FakeReply {
  return apiError(529, { message: 'Overloaded' });
}

/** Never answers (until close): for client timeout tests. */
export function hang(): FakeReply {
  return { hang: true };
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** The error `type` the real API uses for a status. */
export function errorTypeFor(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

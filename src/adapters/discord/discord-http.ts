/**
 * The HTTP under every Discord REST client Higgsbot makes (the publisher's and the discord.js Client's).
 * Non-obvious: @discordjs/rest bundles undici 6 and, by default, sends through undici's process-wide global
 * dispatcher, a slot every undici copy shares (`Symbol.for('undici.globalDispatcher.1')`). When the
 * project's undici 7 loads first it fills that slot with its own Agent, and every upload then fails inside
 * undici 7 ("TypeError: action is not a function"): undici 7 cannot serialise another undici's FormData.
 * So Discord traffic goes through our own undici 7 Agent, with multipart bodies rebuilt as undici 7
 * FormData, and never reads or writes the global dispatcher, whatever loaded first.
 */
import { STATUS_CODES } from 'node:http';
import type { RESTOptions, ResponseLike } from 'discord.js';
import { Agent, type Dispatcher, FormData, request } from 'undici';

type MakeRequest = RESTOptions['makeRequest'];
type RequestInit = Parameters<MakeRequest>[1];
type UndiciBody = Exclude<Dispatcher.DispatchOptions['body'], undefined>;

/** REST options every Discord client of ours shares: the API base, v10, a long timeout, our own HTTP. */
export function discordRestOptions(apiUrl: string): Pick<RESTOptions, 'api' | 'version' | 'timeout' | 'makeRequest'> {
  // Uploads of several MiB need more than discord.js's 15 s default.
  return { api: apiUrl, version: '10', timeout: 60_000, makeRequest: discordMakeRequest() };
}

/**
 * A `makeRequest` for @discordjs/rest on the project's undici, with a dispatcher of its own (the REST `agent`
 * option, an undici 6 dispatcher, is not used).
 */
export function discordMakeRequest(dispatcher: Dispatcher = new Agent()): MakeRequest {
  return async (url: string, init: RequestInit): Promise<ResponseLike> => {
    const method = (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod;
    const response = await request(url, {
      method,
      headers: headerRecord(init.headers),
      body: toUndiciBody(init.body),
      ...(init.signal ? { signal: init.signal } : {}),
      dispatcher,
    });
    return toResponseLike(response);
  };
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  // @discordjs/rest passes a plain object; a Headers or an entry list is accepted too.
  const entries: Iterable<[string, string]> =
    Symbol.iterator in Object(headers)
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, string>);
  for (const [name, value] of entries) out[name.toLowerCase()] = String(value);
  return out;
}

/** A spec FormData of any origin (Node's global one, undici 6's): its entries are strings and named Blobs. */
function isFormData(body: unknown): body is Iterable<[string, string | (Blob & { name: string })]> {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData' &&
    typeof (body as { entries?: unknown }).entries === 'function'
  );
}

/** The body @discordjs/rest built, in a form undici 7 sends itself (a FormData of its own for uploads). */
function toUndiciBody(body: RequestInit['body']): UndiciBody {
  if (body === null || body === undefined) return null;
  if (body instanceof FormData) return body;
  const raw: unknown = body;
  if (isFormData(raw)) {
    const form = new FormData();
    for (const [name, value] of raw) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, value.name);
    }
    return form;
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof URLSearchParams) return body.toString();
  return body as UndiciBody;
}

function toResponseLike(response: Dispatcher.ResponseData): ResponseLike {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const { body, statusCode } = response;
  const like = {
    body,
    arrayBuffer: () => body.arrayBuffer(),
    json: () => body.json(),
    text: () => body.text(),
    get bodyUsed() {
      return body.bodyUsed;
    },
    headers,
    status: statusCode,
    statusText: STATUS_CODES[statusCode] ?? '',
    ok: statusCode >= 200 && statusCode < 300,
  };
  return like as unknown as ResponseLike;
}

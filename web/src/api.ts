/**
 * The page's client of the web API (same origin; README "Web API"). The key is kept in sessionStorage under
 * `higgsbot.key` and sent as `Authorization: Bearer`; without one the server may act as its anonymous person
 * (the demo). Every failure is an `ApiError`; a 401 on any call but the sign-in check also tells the app
 * (`onUnauthorized`), which brings the sign-in screen back. Answers are checked lightly by type guards.
 */
import { ApiError, NETWORK_TEXT, retryAfterOf } from './errors';
import { followSse, readSse, type SseFrame } from './sse';
import {
  type CancelOutcome,
  type Chat,
  type ChatMessage,
  type GenerateAccepted,
  type Generation,
  isAccepted,
  isAnything,
  isCancelOutcome,
  isChat,
  isGeneration,
  isMe,
  isMessage,
  isPage,
  isPosted,
  isPresigned,
  isRenamed,
  isRequeued,
  isWebEvent,
  type MessagePosted,
  type Page,
  type Presigned,
  type Requeued,
  type WebEvent,
} from './types';

const KEY = 'higgsbot.key';

export const keyStore = {
  get(): string | undefined {
    try {
      return sessionStorage.getItem(KEY) ?? undefined;
    } catch {
      return undefined;
    }
  },
  set(key: string) {
    try {
      sessionStorage.setItem(KEY, key);
    } catch {
      // Storage refused (private mode): the key lasts until the page closes in memory only.
    }
  },
  clear() {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // Nothing kept.
    }
  },
};

let unauthorized: (() => void) | undefined;

/** Called on a 401 (the key is missing, wrong or was revoked), except for the sign-in check itself. */
export function onUnauthorized(listener: () => void) {
  unauthorized = listener;
}

interface SendOptions {
  json?: unknown;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A 401 is the caller's to show (the sign-in check), not a revoked key. */
  quiet401?: boolean;
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

async function errorOf(response: Response, quiet401 = false): Promise<ApiError> {
  let detail = '';
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string') {
      detail = body.detail;
    }
  } catch {
    // Not JSON: the status says enough.
  }
  if (response.status === 401 && !quiet401) unauthorized?.();
  if (!detail) {
    detail =
      response.status >= 500
        ? `Higgsbot had a problem (error ${response.status}). Try again in a moment.`
        : `The request was refused (error ${response.status}).`;
  }
  return new ApiError(response.status, detail, retryAfterOf(response.headers.get('retry-after')));
}

async function send(method: string, url: string, options: SendOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json', ...options.headers };
  const key = keyStore.get();
  if (key) headers.authorization = `Bearer ${key}`;
  const init: RequestInit = { method, headers };
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.json);
  }
  if (options.signal) init.signal = options.signal;
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, NETWORK_TEXT);
  }
  if (!response.ok) throw await errorOf(response, options.quiet401);
  return response;
}

async function readJson<T>(response: Response, guard: (value: unknown) => value is T): Promise<T> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(0, NETWORK_TEXT);
  }
  if (!guard(body)) throw new ApiError(response.status, 'Higgsbot answered something this page does not understand.');
  return body;
}

async function call<T>(
  method: string,
  url: string,
  guard: (value: unknown) => value is T,
  options?: SendOptions,
): Promise<T> {
  return readJson(await send(method, url, options), guard);
}

const pageOf = <T>(guard: (value: unknown) => value is T) => isPage(guard);

export interface StreamHandlers {
  /** The server took the message: the reply is on its way. */
  opened(): void;
  /** A piece of the reply text. */
  text(chunk: string): void;
  /** The whole reply text, instead of what was streamed. */
  replace(text: string): void;
}

function parsed(frame: SseFrame): unknown {
  try {
    return JSON.parse(frame.data);
  } catch {
    return undefined;
  }
}

export const api = {
  me: (quiet401 = false) => call('GET', '/me', isMe, { quiet401 }),

  chats: (cursor?: string): Promise<Page<Chat>> =>
    call('GET', `/chats?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, pageOf(isChat)),
  createChat: (title?: string) => call('POST', '/chats', isChat, { json: title ? { title } : {} }),
  renameChat: async (id: string, title: string) =>
    (await call('PATCH', `/${path('chats', id)}`, isRenamed, { json: { title } })).chat,
  deleteChat: (id: string) => call('DELETE', `/${path('chats', id)}`, isAnything),

  /** Every message of a chat, oldest first (all pages). */
  async messages(chatId: string): Promise<ChatMessage[]> {
    const all: ChatMessage[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const query: string = after ? `&after=${encodeURIComponent(after)}` : '';
      const page: Page<ChatMessage> = await call(
        'GET',
        `/${path('chats', chatId)}/messages?limit=100${query}`,
        pageOf(isMessage),
      );
      all.push(...page.items);
      if (!page.has_more || !page.next_cursor) break;
      after = page.next_cursor;
    }
    return all;
  },

  /** Posts a message and reads the reply as it streams in (or as one JSON answer, from an older server). */
  async postMessage(
    chatId: string,
    body: { text: string; attachments?: string[] },
    on: StreamHandlers,
  ): Promise<MessagePosted> {
    const response = await send('POST', `/${path('chats', chatId)}/messages`, {
      json: body,
      accept: 'text/event-stream',
    });
    on.opened();
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      return readJson(response, isPosted);
    }
    let posted: MessagePosted | undefined;
    let failure: ApiError | undefined;
    try {
      await readSse(response.body, (frame) => {
        const data = parsed(frame) as Record<string, unknown> | undefined;
        if (frame.event === 'text' && typeof data?.chunk === 'string') on.text(data.chunk);
        else if (frame.event === 'replace' && typeof data?.text === 'string') on.replace(data.text);
        else if (frame.event === 'message' && isPosted(data)) posted = data;
        else if (frame.event === 'error') {
          const status = typeof data?.status === 'number' ? data.status : 500;
          failure = new ApiError(status, typeof data?.detail === 'string' ? data.detail : 'The reply failed.');
        }
      });
    } catch {
      throw new ApiError(0, NETWORK_TEXT);
    }
    if (failure) throw failure;
    if (!posted) throw new ApiError(0, 'The reply was cut off before it was finished. Try sending it again.');
    return posted;
  },

  generate: (optionId: string): Promise<GenerateAccepted> =>
    call('POST', '/higgsfield/generate?wait=false', isAccepted, { json: { option_id: optionId } }),
  generation: (id: string): Promise<Generation> => call('GET', `/${path('generations', id)}`, isGeneration),
  cancel: (id: string): Promise<CancelOutcome> => call('POST', `/${path('generations', id)}/cancel`, isCancelOutcome),
  reroll: (id: string): Promise<Requeued> => call('POST', `/${path('generations', id)}/reroll`, isRequeued),
  animate: (id: string): Promise<MessagePosted> => call('POST', `/${path('generations', id)}/animate`, isPosted),

  gallery(search: string, cursor?: string): Promise<Page<Generation>> {
    const query = new URLSearchParams({ limit: '24' });
    if (search) query.set('search', search);
    if (cursor) query.set('cursor', cursor);
    return call('GET', `/generations?${query}`, pageOf(isGeneration));
  },

  /** Presigns and uploads one image; answers the link to attach to the message. */
  async upload(file: File): Promise<string> {
    const presigned: Presigned = await call('POST', '/attachments/presign', isPresigned, {
      json: { file_name: file.name || 'image', content_type: file.type, size: file.size },
    });
    let response: Response;
    try {
      response = await fetch(presigned.upload_url, {
        method: 'PUT',
        headers: { 'content-type': file.type, ...presigned.upload_headers },
        body: file,
      });
    } catch {
      throw new ApiError(0, NETWORK_TEXT);
    }
    if (!response.ok) throw await errorOf(response, true);
    return presigned.download_url;
  },

  /** Follows a chat's events (replayed, then live) until the returned function is called. */
  followEvents(
    chatId: string,
    on: { event(event: WebEvent): void; up(): void; down(error: unknown): void; stop(error: ApiError): void },
  ): () => void {
    return followSse(
      (lastId, signal) =>
        send('GET', `/${path('chats', chatId)}/events`, {
          accept: 'text/event-stream',
          signal,
          ...(lastId ? { headers: { 'last-event-id': lastId } } : {}),
        }),
      {
        frame(frame) {
          const data = parsed(frame);
          if (isWebEvent(data) && data.chat_id === chatId) on.event(data);
        },
        up: on.up,
        down: on.down,
        stop: on.stop,
      },
    );
  },
};

/**
 * Seed B's own web app (AlikhanNasa7/Higgsfield-SWE-Hackaton) against this server, unchanged: its
 * `src/lib/api.ts` functions and `src/lib/dataService.ts` callers are transcribed below line for line (only
 * `API_BASE_URL` is this world's, and `Origin` is sent as the browser would), and each spec replays one of the
 * app's code paths and checks what the app would show. The app sends no key, so this world serves keyless
 * requests as one person (WEB_ANONYMOUS_USER), and allows the app's origin (WEB_CORS_ORIGINS).
 *
 * The one place the app disagrees with itself: `api.getChats` is typed as a bare array, but its only caller,
 * `chatsService.getAll`, reads `(await api.getChats()).items`. We answer `{items, next_cursor, has_more}`, so
 * the sidebar fills; a bare array would have left it empty (`[].items` is undefined).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderPng } from '../../src/higgsfield/simulator/index.js';
import {
  BackendMessagesResponseSchema,
  BackendPostMessageResponseSchema,
  BackendRenderChunkSchema,
  ChatSchema,
} from './support/seed-b-shapes.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const APP_ORIGIN = 'http://localhost:3000';
const ANONYMOUS = 'seed-b-visitor';

type Chat = z.infer<typeof ChatSchema>;
type BackendMessagesResponse = z.infer<typeof BackendMessagesResponseSchema>;
type BackendPostMessageResponse = z.infer<typeof BackendPostMessageResponseSchema>;
type BackendRenderChunk = z.infer<typeof BackendRenderChunkSchema>;

/** Seed B's src/lib/api.ts (the non-mock branches), pointed at `API_BASE_URL`. */
function seedBApi(API_BASE_URL: string) {
  async function fetchJson<T>(path: string, init?: RequestInit): Promise<T> {
    const url = `${API_BASE_URL}${path}`;
    const response = await fetch(url, {
      headers: {
        'Content-Type': 'application/json',
        // Not in api.ts: the browser adds it to every cross-origin request.
        Origin: APP_ORIGIN,
        ...init?.headers,
      },
      ...init,
    });
    if (!response.ok) {
      const errorText = await response.text();
      throw new Error(`HTTP error! status: ${response.status} ${errorText}`);
    }
    lastHeaders = response.headers;
    return response.json() as Promise<T>;
  }
  let lastHeaders: Headers | undefined;

  return {
    lastHeaders: () => lastHeaders,
    async getChats(limit: number = 10): Promise<Chat[]> {
      const data = await fetchJson<Chat[]>(`/chats?limit=${limit}`);
      return data;
    },
    async createChat(title: string = 'Chat title'): Promise<{ chat: Chat }> {
      const data = await fetchJson<Chat>('/chats', { method: 'POST', body: JSON.stringify({ title }) });
      const chat = ChatSchema.parse(data);
      return { chat };
    },
    async updateChat(id: string, title: string): Promise<{ chat: Chat }> {
      const data = await fetchJson<{ chat: Chat }>(`/chats/${id}`, {
        method: 'PATCH',
        body: JSON.stringify({ title }),
      });
      return z.object({ chat: ChatSchema }).parse(data);
    },
    async deleteChat(id: string): Promise<{ ok: boolean }> {
      const data = await fetchJson<{ ok: boolean }>(`/chats/${id}`, { method: 'DELETE' });
      return z.object({ ok: z.boolean() }).parse(data);
    },
    async getMessages(chatId: string): Promise<BackendMessagesResponse> {
      const data = await fetchJson<BackendMessagesResponse>(`/chats/${chatId}/messages`);
      return data;
    },
    async postMessage(chatId: string, text: string, attachmentUrls?: string[]): Promise<BackendPostMessageResponse> {
      const data = await fetchJson<BackendPostMessageResponse>(`/chats/${chatId}/messages`, {
        method: 'POST',
        body: JSON.stringify({ text, ...(attachmentUrls && { attachments: attachmentUrls }) }),
      });
      return data;
    },
    async getPresignedUrl(request: { file_name: string; content_type: string; size: number }) {
      return fetchJson<{ upload_url: string; download_url: string; upload_id: string }>('/attachments/presign', {
        method: 'POST',
        body: JSON.stringify(request),
      });
    },
    async uploadToS3(file: File, uploadUrl: string): Promise<void> {
      const arrayBuffer = await file.arrayBuffer();
      const response = await fetch(uploadUrl, {
        method: 'PUT',
        body: arrayBuffer,
        headers: { 'Content-Type': file.type, Origin: APP_ORIGIN },
        mode: 'cors',
      });
      if (!response.ok) throw new Error(`Upload failed: ${response.status} - ${await response.text()}`);
    },
  };
}

/** Seed B's src/lib/dataService.ts `chatsService.getAll` (the non-mock branch). */
function chatsService(api: ReturnType<typeof seedBApi>) {
  return {
    async getAll(): Promise<Chat[]> {
      // dataService.ts: `return (await api.getChats()).items;` (api.getChats is typed Chat[], which has no
      // .items: the cast is only there so this file type-checks; at run time it is the same property read).
      return ((await api.getChats()) as unknown as { items: Chat[] }).items;
    },
  };
}

/** What MessageBubbleBackend.tsx renders of a message: its text, then its render payload. */
function renderedChunks(message: BackendMessagesResponse['items'][number]): BackendRenderChunk[] {
  const renderChunks: BackendRenderChunk[] = [];
  if (message.content_text) renderChunks.push({ type: 'text', text: message.content_text });
  if (message.render_payload) renderChunks.push(...message.render_payload);
  return renderChunks;
}

let world: WebWorld;
let api: ReturnType<typeof seedBApi>;

beforeAll(async () => {
  world = await startWebWorld({
    name: 'seed-b-client',
    env: { WEB_ANONYMOUS_USER: ANONYMOUS, WEB_CORS_ORIGINS: APP_ORIGIN, WEB_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  api = seedBApi(world.url);
}, 30_000);

afterAll(async () => {
  await world?.close();
});

describe('seed B’s web app, unchanged, against this server', () => {
  it('fills the sidebar: chatsService.getAll reads .items of GET /chats and gets the chats it made', async () => {
    const { chat: first } = await api.createChat('Sunsets');
    const { chat: second } = await api.createChat();
    expect(first).toMatchObject({ title: 'Sunsets', user_id: ANONYMOUS, message_count: 0, last_message_at: null });
    expect(second.title).toBe('Chat title');

    const sidebar = await chatsService(api).getAll();
    expect(Array.isArray(sidebar)).toBe(true);
    expect(sidebar.map((c) => c.id)).toEqual([second.id, first.id]);
    for (const chat of sidebar) ChatSchema.parse(chat);
    // What a bare array would have given the same caller: nothing to show.
    expect((sidebar as unknown as { items?: unknown }).items).toBeUndefined();
    expect(api.lastHeaders()?.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('renames a chat and deletes it with the app’s own calls (which send Content-Type: application/json, even with no body)', async () => {
    const { chat } = await api.createChat('Draft');
    const { chat: renamed } = await api.updateChat(chat.id, 'Final');
    expect(renamed).toEqual({ ...chat, title: 'Final' });
    expect(await api.deleteChat(chat.id)).toEqual({ ok: true });
    expect((await chatsService(api).getAll()).map((c) => c.id)).not.toContain(chat.id);
  });

  it('sends a message and shows the answer: buttons with option ids, each reason, and the transcript on reload', async () => {
    const { chat } = await api.createChat('Mountains');
    const posted = BackendPostMessageResponseSchema.parse(
      await api.postMessage(chat.id, 'cinematic sunset over mountains'),
    );
    expect(posted.message.author_type).toBe('assistant');
    const buttons = posted.render_chunks.filter((c) => c.type === 'button');
    expect(buttons.length).toBeGreaterThan(0);

    // usePostMessage invalidates ['messages', chatId] and ['chats']: the app reloads both.
    const messages = BackendMessagesResponseSchema.parse(await api.getMessages(chat.id));
    expect(messages.items.map((m) => m.author_type)).toEqual(['user', 'assistant']);
    const [asked, answered] = messages.items;
    expect(asked && renderedChunks(asked)).toEqual([{ type: 'text', text: 'cinematic sunset over mountains' }]);
    const shown = answered ? renderedChunks(answered) : [];
    for (const chunk of shown) BackendRenderChunkSchema.parse(chunk);
    expect(shown[0]).toEqual({ type: 'text', text: posted.message.content_text });
    expect(shown.filter((c) => c.type === 'button').map((c) => c.type === 'button' && c.option_id)).toEqual(
      buttons.map((b) => b.type === 'button' && b.option_id),
    );
    const sidebar = await chatsService(api).getAll();
    expect(sidebar.find((c) => c.id === chat.id)).toMatchObject({
      message_count: 2,
      last_message_at: answered?.created_at,
    });
  });

  it('attaches an uploaded image the app’s way (presign, PUT, then the download_url on the message)', async () => {
    const { chat } = await api.createChat('Animate');
    const png = renderPng('seed-b-upload');
    const file = new File([new Uint8Array(png)], 'input.png', { type: 'image/png' });
    const presigned = await api.getPresignedUrl({ file_name: file.name, content_type: file.type, size: file.size });
    await api.uploadToS3(file, presigned.upload_url);
    const uploadsBefore = world.sim.stats().calls.filter((c) => c.path.includes('upload')).length;

    const posted = BackendPostMessageResponseSchema.parse(
      await api.postMessage(chat.id, 'make it move gently', [presigned.download_url]),
    );
    expect(posted.render_chunks.some((c) => c.type === 'button')).toBe(true);
    // The image was handed to Higgsfield (re-hosted), and nothing was generated yet.
    expect(world.sim.stats().calls.filter((c) => c.path.includes('upload')).length).toBeGreaterThan(uploadsBefore);
    expect(world.sim.stats().submitCalls).toBe(0);

    const messages = BackendMessagesResponseSchema.parse(await api.getMessages(chat.id));
    expect(messages.items[0]).toMatchObject({ author_type: 'user', attachments: [presigned.download_url] });
    const button = posted.render_chunks.find((c) => c.type === 'button');
    const option = await world.api<{ kind: string }>(`/options/${button?.type === 'button' ? button.option_id : ''}`);
    expect(option.status).toBe(200);
    expect(option.body.kind).toBe('image-to-video');
  });
});

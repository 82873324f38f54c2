/**
 * Seed B's chats: create, list, read, rename and delete (`/chats`, `/chats/{id}`). A chat is a history
 * conversation of the person the key belongs to; another person's chat is not found, exactly like one that
 * never existed.
 *
 * Decisions:
 * - `GET /chats` answers `{items, next_cursor, has_more}`, not the bare array the issue names: seed B's
 *   client types `getChats` as an array, but its only caller (dataService.ts `chatsService.getAll`) reads
 *   `(await api.getChats()).items`, so a bare array would leave its sidebar empty;
 * - deleting a chat deletes its turns and generations in one transaction, then its stored files one by
 *   one: a file that cannot be deleted is logged (retention finds nothing left to point at it), never an
 *   error for a chat that is already gone.
 */
import { BadInputError } from '../../../errors.js';
import { pageBody } from '../answer-bodies.js';
import { errorResponses } from '../schemas/common.js';
import {
  ChatDeletedSchema,
  ChatIdParams,
  ChatListQuery,
  ChatListSchema,
  ChatRenamedSchema,
  ChatSchema,
  CreateChatBody,
  DEFAULT_CHAT_TITLE,
  RenameChatBody,
} from '../schemas/seed-b-chats.js';
import { ownerOf, type WebRoutes } from '../web-context.js';
import { notFound, unprocessable } from '../web-errors.js';
import { toChatBody } from '../web-messages.js';

const CHAT_NOT_FOUND = 'Chat';

/** `work`, with a refusal of the store's (a malformed cursor) answered as 422 naming `field`. */
export async function naming<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BadInputError) throw unprocessable(`${field}: ${error.userMessage}`);
    throw error;
  }
}

export const chatRoutes: WebRoutes = (app, ctx) => {
  const log = ctx.logger.child({ module: 'web-chats' });

  app.post(
    '/chats',
    {
      schema: {
        summary: 'Create a chat',
        tags: ['chats'],
        body: CreateChatBody.nullish(),
        response: { 201: ChatSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const chat = await naming('body.title', () =>
        ctx.chats.create(ownerOf(request), {
          id: crypto.randomUUID(),
          title: request.body?.title ?? DEFAULT_CHAT_TITLE,
          atMs: Date.now(),
        }),
      );
      void reply.code(201);
      return toChatBody(chat);
    },
  );

  app.get(
    '/chats',
    {
      schema: {
        summary: 'List your chats, most recently active first',
        tags: ['chats'],
        querystring: ChatListQuery,
        response: { 200: ChatListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await naming('query.cursor', () =>
        ctx.chats.list(ownerOf(request), { limit, ...(cursor !== undefined ? { cursor } : {}) }),
      );
      return pageBody(page, toChatBody);
    },
  );

  app.get(
    '/chats/:id',
    {
      schema: {
        summary: 'Read a chat',
        tags: ['chats'],
        params: ChatIdParams,
        response: { 200: ChatSchema, ...errorResponses },
      },
    },
    async (request) => {
      const chat = await ctx.chats.get(ownerOf(request), request.params.id);
      if (!chat) throw notFound(CHAT_NOT_FOUND);
      return toChatBody(chat);
    },
  );

  app.patch(
    '/chats/:id',
    {
      schema: {
        summary: 'Rename a chat',
        tags: ['chats'],
        params: ChatIdParams,
        body: RenameChatBody,
        response: { 200: ChatRenamedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const chat = await naming('body.title', () =>
        ctx.chats.rename(ownerOf(request), request.params.id, request.body.title),
      );
      if (!chat) throw notFound(CHAT_NOT_FOUND);
      return { chat: toChatBody(chat) };
    },
  );

  app.delete(
    '/chats/:id',
    {
      schema: {
        summary: 'Delete a chat, its messages, generations and stored files',
        tags: ['chats'],
        params: ChatIdParams,
        response: { 200: ChatDeletedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const deleted = await ctx.chats.remove(ownerOf(request), request.params.id);
      if (!deleted) throw notFound(CHAT_NOT_FOUND);
      for (const key of deleted.mediaKeys) {
        try {
          await ctx.media.remove(key);
        } catch (error) {
          log.warn({ err: error, key }, 'a deleted chat’s file could not be deleted from the media store');
        }
      }
      return { ok: true as const };
    },
  );
};

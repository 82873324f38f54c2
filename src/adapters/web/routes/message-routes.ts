/**
 * Seed B's messages: a chat's transcript, oldest first in keyset pages (`GET /chats/{id}/messages`), and a
 * person's message answered with options (`POST /chats/{id}/messages`): the assistant proposes, nothing is
 * generated until a button (`POST /higgsfield/generate`) is pressed.
 *
 * Decisions:
 * - everything that can be refused is refused before the assistant is asked (the chat, the text, each
 *   attachment), so a refused message is never logged, queued or paid for;
 * - attachments must be the person's own finished uploads (`download_url`s of POST /attachments/presign, on
 *   our port or in the bucket): a link is read back to its upload record, and the first file is fetched
 *   through a link made afresh from that record, checked as an image and re-hosted for Higgsfield, so a
 *   message can never make the server fetch a URL of someone else's choosing;
 * - the two turns the assistant logged are also written straight to the history store (idempotent on the
 *   turn id; the history feed writes them again), so the transcript shows them the moment this answers; a
 *   store that is down is logged, and the feed writes them once it is back;
 * - the answer carries the chunks twice: in `message.render_payload` (seed B's document) and in
 *   `render_chunks` (seed B's client); the message is exactly the one the transcript shows, so what the
 *   assistant notes about how it read the message (it was shortened; offline mode) is in `notes` beside it.
 */

import type { ImageInput } from '../../../core/assistant-types.js';
import { type ChatOwner, chatConversation } from '../../../core/chats.js';
import { pageBody } from '../answer-bodies.js';
import { errorResponses } from '../schemas/common.js';
import {
  ChatIdParams,
  ChatMessageListSchema,
  MessageListQuery,
  MessagePostedSchema,
  PostMessageBody,
} from '../schemas/seed-b-chats.js';
import { ownerOf, type WebContext, type WebRoutes } from '../web-context.js';
import { notFound, unprocessable } from '../web-errors.js';
import { postedAnswer, toMessageBody } from '../web-messages.js';
import { createWebUploads, type UploadRecord, uploadIdOf, type WebUploads } from '../web-uploads.js';
import { naming } from './chat-routes.js';

const CHAT_NOT_FOUND = 'Chat';

/**
 * The first attachment, re-hosted for Higgsfield, once every link is found to be one of the person's own
 * finished uploads. A link is only ever read back to its upload record; the file is fetched through a link
 * made afresh (ours, or the bucket's), from that link's host only.
 */
async function attachedImage(
  ctx: WebContext,
  uploads: WebUploads,
  owner: ChatOwner,
  links: readonly string[],
): Promise<ImageInput | undefined> {
  const records: UploadRecord[] = [];
  // In order, so the first link that is refused is the one named.
  for (const [i, link] of links.entries()) {
    const id = uploadIdOf(link);
    const record = id === undefined ? undefined : await uploads.get(id);
    // Another person's upload is refused exactly like a link that names none.
    if (!record || record.userId !== owner.userId) {
      throw unprocessable(`body.attachments[${i}] must be a file uploaded through /attachments/presign.`);
    }
    if (!(await uploads.isComplete(record))) {
      throw unprocessable(`body.attachments[${i}] has not been uploaded yet: PUT the file to its upload_url first.`);
    }
    records.push(record);
  }
  const first = records[0];
  if (first === undefined) return undefined;
  const link = await uploads.downloadLink(first);
  return naming('body.attachments[0]', () =>
    ctx.rehost({ url: link, allowedHosts: [new URL(link).hostname], contentType: first.contentType, sizeBytes: null }),
  );
}

export const messageRoutes: WebRoutes = (app, ctx) => {
  const log = ctx.logger.child({ module: 'web-messages' });
  const uploads = createWebUploads(ctx);

  app.get(
    '/chats/:id/messages',
    {
      schema: {
        summary: "A chat's messages, oldest first",
        tags: ['messages'],
        params: ChatIdParams,
        querystring: MessageListQuery,
        response: { 200: ChatMessageListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, after } = request.query;
      const page = await naming('query.after', () =>
        ctx.chats.messages(ownerOf(request), request.params.id, { limit, ...(after !== undefined ? { after } : {}) }),
      );
      if (!page) throw notFound(CHAT_NOT_FOUND);
      return pageBody(page, toMessageBody);
    },
  );

  app.post(
    '/chats/:id/messages',
    {
      schema: {
        summary: 'Send a message; the answer proposes options to generate',
        tags: ['messages'],
        params: ChatIdParams,
        body: PostMessageBody,
        response: { 201: MessagePostedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const owner = ownerOf(request);
      const chat = await ctx.chats.get(owner, request.params.id);
      if (!chat) throw notFound(CHAT_NOT_FOUND);
      const { text } = request.body;
      const attachments = request.body.attachments ?? [];
      if (text === '' && attachments.length === 0) {
        throw unprocessable('body.text: Write what you would like to see, or attach an image to animate.');
      }
      const image = await attachedImage(ctx, uploads, owner, attachments);

      const answer = await ctx.assistant.handleMessage({
        conversation: chatConversation(owner, chat.id),
        text,
        ...(image ? { image } : {}),
        ...(attachments.length ? { attachments } : {}),
      });
      const posted = await postedAnswer({ history: ctx.history, logger: log }, chat.id, answer, 'body.text');
      void reply.code(201);
      return posted;
    },
  );
};

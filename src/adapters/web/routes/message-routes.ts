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
 *   assistant notes about how it read the message (it was shortened; offline mode) is in `notes` beside it;
 * - with `Accept: text/event-stream` the answer is streamed (reply-text-stream.ts, as `POST /v1/chat/stream`
 *   does): every refusal above is still a JSON error, decided before the stream opens; then `text` pieces as
 *   the reply is written (the offline recommender's in a few pieces once known), `replace` when the final text
 *   does not go on from them, `message` with exactly the 201 answer, `done`. A failure once the stream is open
 *   is `error` `{status, detail}` (as the JSON answer would have said it), and the stream ends.
 */

import type { FastifyError, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ImageInput } from '../../../core/assistant-types.js';
import { type ChatOwner, chatConversation } from '../../../core/chats.js';
import type { PlatformLogger } from '../../../core/platform.js';
import { pageBody } from '../answer-bodies.js';
import { replyTextStream } from '../reply-text-stream.js';
import { errorResponses } from '../schemas/common.js';
import {
  ChatIdParams,
  ChatMessageListSchema,
  MessageListQuery,
  type MessagePosted,
  MessagePostedSchema,
  PostMessageBody,
} from '../schemas/seed-b-chats.js';
import type { SseStream } from '../sse.js';
import { ownerOf, type WebContext, type WebRoutes } from '../web-context.js';
import { notFound, unprocessable } from '../web-errors.js';
import { postedAnswer, toMessageBody } from '../web-messages.js';
import { errorAnswer } from '../web-server.js';
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
        description:
          'Answers 201 with the assistant’s message. With `Accept: text/event-stream` the same answer comes as ' +
          'server-sent events instead: `event: text` `{"chunk": "…"}` pieces of the reply as it is written, ' +
          '`event: replace` `{"text": "…"}` when the final text does not go on from the pieces, then ' +
          '`event: message` with the 201 answer, then `event: done` `{}` (or `event: error` `{"status", ' +
          '"detail"}` when it fails once streaming). Refusals are JSON errors either way.',
        tags: ['messages'],
        params: ChatIdParams,
        body: PostMessageBody,
        response: {
          201: MessagePostedSchema,
          200: {
            description: 'With `Accept: text/event-stream`: the reply as server-sent events.',
            content: { 'text/event-stream': { schema: z.string().describe('text/event-stream') } },
          },
          ...errorResponses,
        },
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
      const ask = (onText?: (text: string) => void) =>
        ctx.assistant.handleMessage({
          conversation: chatConversation(owner, chat.id),
          text,
          ...(image ? { image } : {}),
          ...(attachments.length ? { attachments } : {}),
          ...(onText ? { onText } : {}),
        });
      const post = async (onText?: (text: string) => void) =>
        postedAnswer({ history: ctx.history, logger: log }, chat.id, await ask(onText), 'body.text');

      if (wantsEventStream(request.headers.accept)) {
        await streamPosted(reply, post, log);
        return reply;
      }
      const posted = await post();
      void reply.code(201);
      return posted;
    },
  );
};

/**
 * The answer as server-sent events: the reply's text as it is written, then the 201 answer and `done`; a
 * failure once the stream is open is `error` with the status and detail the JSON answer would have had.
 */
async function streamPosted(
  reply: FastifyReply,
  post: (onText: (text: string) => void) => Promise<MessagePosted>,
  log: PlatformLogger,
): Promise<void> {
  const out = replyTextStream(reply, 'text');
  const failed = (stream: SseStream, error: unknown) => {
    const { status, detail } = errorAnswer(error as FastifyError);
    if (status >= 500) log.error({ err: error }, 'a message stream failed after it opened');
    stream.send('error', { status, detail });
    stream.close();
  };
  let posted: MessagePosted;
  try {
    posted = await post(out.onText);
  } catch (error) {
    if (!out.opened) throw error; // nothing sent yet: the ordinary JSON error
    failed(out.opened, error);
    return;
  }
  const stream = out.open();
  try {
    if (!(await out.finish(posted.message.content_text ?? ''))) return;
    stream.send('message', MessagePostedSchema.encode(posted));
    stream.send('done', {});
  } catch (error) {
    failed(stream, error);
  } finally {
    stream.close();
  }
}

/** Whether the request asks for the answer as server-sent events. */
function wantsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    return type === 'text/event-stream' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

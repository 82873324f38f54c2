/**
 * Seed A's chat: `POST /v1/chat` answers `{message, job_details, action_performed}` plus our `options`, and
 * `POST /v1/chat/stream` sends the same answer as server-sent events (`message` chunks, then `options` or
 * `job`, then `done`; our extension: a `replace` before `options`, below). Each person has one `/v1`
 * conversation (v1-conversation.ts).
 *
 * A turn either starts an option — the body's `option_id`, or a message that only picks one of the newest
 * set ("make option 2") — or goes to the recommender, whose options are listed in the message text (for
 * seed clients that show text only) and in `options`.
 *
 * Decisions:
 * - `conversation_history` is read and checked (the seed's clients send it) but not used: the recommender
 *   sees the person's own conversation memory, which also holds the options it showed and what was started,
 *   so a client cannot rewrite what the assistant said.
 * - A reply's turns are written straight to the history store (read-your-writes, idempotent on the turn
 *   id; the history feed writes them too). A failing write is logged; the answer still goes out.
 * - The text is streamed by reply-text-stream.ts (as the streaming POST /chats/{id}/messages does): the stream
 *   opens when the first piece of the reply is written (the Claude agent reports the `text` of its
 *   propose_options call as Claude writes it), else once the answer is known; so a refusal (422, 404, decided
 *   before the recommender runs) is an ordinary JSON answer with its status. Each `message` chunk is what the
 *   reply grew by; the rest of the answer (notes, one line per option) follows in short pieces, so the chunks
 *   put together are POST /v1/chat's `message`. A reply that was not written as it streamed (the offline
 *   recommender) is sent in short pieces once known, as a whole.
 * - `event: replace` `{"text": …}` (our extension): when the final message does not go on from what was
 *   streamed (Claude proposed again after the validation, or the offline recommender took over), the whole
 *   final message is sent once, before `options`, to show instead of the chunks so far.
 * - A failure after the stream opened is logged and ends the stream without `done`.
 * - A pick of an option that does not exist answers 422 (the message was understood, the option is not
 *   there); an `option_id` that is unknown, expired or another person's answers 404.
 */
import { z } from 'zod';
import type { Actor, TurnReply } from '../../../core/assistant.js';
import type { ConversationRef } from '../../../core/types.js';
import { findModel } from '../../../higgsfield/models/registry.js';
import { replyTextStream } from '../reply-text-stream.js';
import { errorResponses } from '../schemas/common.js';
import { V1ChatRequest, V1ChatResponse, type V1Option } from '../schemas/seed-a.js';
import { readPick, v1Conversation } from '../v1-conversation.js';
import { jobSetState, toJobSubmission } from '../v1-jobs.js';
import { WEB_PLATFORM, type WebContext, type WebRoutes } from '../web-context.js';
import { notFound, unavailable, unprocessable } from '../web-errors.js';
import { optionId, parseOptionId } from '../web-messages.js';

/** Highest option index probed when a pick misses (sets hold up to four options). */
const MAX_OPTIONS = 9;

export const v1ChatRoutes: WebRoutes = (app, ctx) => {
  app.post(
    '/v1/chat',
    {
      schema: {
        tags: ['v1'],
        summary: 'Chat: options for a message, or start one ("make option 2", or `option_id`)',
        body: V1ChatRequest,
        response: { 200: V1ChatResponse, ...errorResponses },
      },
    },
    (request) => answerChat(ctx, request.person.userId, request.body),
  );

  app.post(
    '/v1/chat/stream',
    {
      schema: {
        tags: ['v1'],
        summary: 'Chat, answered as server-sent events',
        description:
          'The same answer as POST /v1/chat as `text/event-stream`: `event: message` frames `{"chunk": "…"}` with the text in pieces as it is written, then `event: options` `{"options": […]}` (or `event: job` `{"job_details": …, "action_performed": …}` when an option was started), then `event: done` `{}`. When the final message does not go on from the chunks sent (the reply was proposed again), `event: replace` `{"text": "…"}` carries the whole final message before `options`.',
        body: V1ChatRequest,
        response: { 200: z.string().describe('text/event-stream'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const text = replyTextStream(reply, 'message');
      let answer: V1ChatResponse;
      try {
        answer = await answerChat(ctx, request.person.userId, request.body, text.onText);
      } catch (error) {
        if (!text.opened) throw error; // nothing sent yet: the ordinary JSON error
        ctx.logger.warn({ err: error }, 'a /v1 chat stream failed after its text began');
        text.opened.close();
        return;
      }
      const stream = text.open();
      try {
        if (!(await text.finish(answer.message))) return;
        if (answer.job_details) {
          stream.send('job', { job_details: answer.job_details, action_performed: answer.action_performed });
        } else {
          stream.send('options', { options: answer.options });
        }
        stream.send('done', {});
      } finally {
        stream.close();
      }
    },
  );
};

/** The answer to one chat turn, for either route. */
async function answerChat(
  ctx: WebContext,
  userId: string,
  body: V1ChatRequest,
  onText?: (text: string) => void,
): Promise<V1ChatResponse> {
  const actor: Actor = { userId, isAdmin: false };
  const conversation = v1Conversation(userId);

  if (body.option_id !== undefined) {
    const id = parseOptionId(body.option_id);
    if (!id) throw notFound('Option');
    const check = await ctx.assistant.checkOption(id.key, id.index, actor);
    // Another person's option (or one of another platform's) is as absent as an unknown one.
    if (check.kind !== 'ok' || !isWebOf(check.conversation, userId)) throw notFound('Option');
    return start(ctx, id.key, id.index, actor);
  }

  const pick = readPick(body.message);
  if (pick !== undefined) {
    const key = await ctx.assistant.latestOptionSet(conversation);
    if (!key) {
      throw unprocessable(
        `Your message picks option ${pick}, but there are no options to pick from yet. Describe what you would like to see first.`,
      );
    }
    const check = await ctx.assistant.checkOption(key, pick - 1, actor);
    if (check.kind !== 'ok') throw unprocessable(await missedPick(ctx, key, pick, actor));
    return start(ctx, key, pick - 1, actor);
  }

  const reply = await ctx.assistant.handleMessage({ conversation, text: body.message, ...(onText ? { onText } : {}) });
  await record(ctx, reply);
  return suggestions(reply);
}

/** Option `index` of set `key`, started: the seed's job submission. */
async function start(ctx: WebContext, key: string, index: number, actor: Actor): Promise<V1ChatResponse> {
  const outcome = await ctx.assistant.choose(key, index, actor);
  if (outcome.kind === 'unavailable') throw unavailable(outcome.message);
  if (outcome.kind !== 'queued') throw notFound('Option');
  const { option } = outcome;
  const live = outcome.duplicate ? await ctx.assistant.lookup(outcome.generationId) : undefined;
  const job = toJobSubmission({
    generationId: outcome.generationId,
    option,
    status: live ? jobSetState(live.state) : 'queued',
    estimatedWaitMs: outcome.estimatedWaitMs,
    model: option.modelId,
  });
  const title = findModel(option.modelId)?.title ?? option.modelId;
  const message = outcome.duplicate
    ? `Option ${index + 1}, ${option.label}, is already started with ${title}: it is ${job.status}. Follow it at GET /v1/jobs/${job.job_set_id}.`
    : `Started option ${index + 1}, ${option.label}, with ${title}. It should be ready in ${job.estimated_time}; follow it at GET /v1/jobs/${job.job_set_id}.`;
  return {
    message,
    job_details: job,
    action_performed: findModel(option.modelId)?.output === 'image' ? 'generate_image' : 'generate_video',
    options: [],
  };
}

/** Why a pick found nothing: the set expired, or it has fewer options. */
async function missedPick(ctx: WebContext, key: string, pick: number, actor: Actor): Promise<string> {
  let count = 0;
  while (count < MAX_OPTIONS && (await ctx.assistant.checkOption(key, count, actor)).kind === 'ok') count += 1;
  if (count === 0) return 'Those options expired. Describe what you would like to see and I will propose fresh ones.';
  return `There is no option ${pick}: the newest options are ${count === 1 ? 'just 1' : `1 to ${count}`}.`;
}

/** A recommender's answer: its text with a line per option, and the options. */
function suggestions(reply: TurnReply): V1ChatResponse {
  if (reply.kind === 'hint')
    return { message: reply.text, job_details: null, action_performed: 'no_action', options: [] };
  const { set } = reply;
  const options: V1Option[] = set.options.map((option, index) => ({
    option_id: optionId(set.key, index),
    label: option.label,
    reason: option.reason,
    kind: option.kind,
    model: option.modelId,
    prompt: option.prompt,
    ...(option.estimate
      ? {
          estimate: {
            wait_seconds: option.estimate.waitSeconds,
            ...(option.estimate.credits !== undefined ? { credits: option.estimate.credits } : {}),
          },
        }
      : {}),
  }));
  const lines = set.options.map((option, index) => `${index + 1}. ${option.label} — ${option.reason}`);
  const message = [[set.text, ...reply.notes].join('\n'), lines.join('\n')].join('\n\n');
  return { message, job_details: null, action_performed: 'no_action', options };
}

/** The turn's request and reply, in the history store now (the feed writes them too, idempotently). */
async function record(ctx: WebContext, reply: TurnReply): Promise<void> {
  for (const turn of reply.turns) {
    try {
      await ctx.history.recordTurn(turn);
    } catch (error) {
      ctx.logger.warn({ err: error, turnId: turn.turnId }, 'a /v1 chat turn could not be written to history now');
    }
  }
}

/** A web conversation of this person (a /v1 one or a chat): the assistant checks the person, not the platform. */
function isWebOf(conversation: ConversationRef, userId: string): boolean {
  return conversation.platform === WEB_PLATFORM && conversation.userId === userId;
}

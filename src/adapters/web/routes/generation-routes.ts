/**
 * A generation and what can be done with it, as endpoints: `GET /generations/{id}` (its state, recipe and
 * fresh links to its media), and `POST /generations/{id}/cancel`, `/reroll` and `/animate`, the buttons of
 * the other platforms. Only the person who asked sees or acts on a generation: anyone else's, or one made
 * on another platform, is not found, exactly like one that never existed.
 *
 * Decisions:
 * - The body is generation-bodies.ts's (the gallery's items are the same shape).
 * - Only full generation ids are taken: a short id (its first 8 characters) could name another person's.
 * - Animate answers like `POST /chats/{id}/messages`: the assistant's new message with its options (201),
 *   written to the chat at once, so the transcript shows it.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../core/assistant.js';
import { CANCEL_TEXT } from '../../shared/message-text.js';
import { assetsOf, generationBody, type OwnGeneration } from '../generation-bodies.js';
import { ErrorSchema, errorResponses } from '../schemas/common.js';
import {
  CancelOutcomeSchema,
  GenerationIdParams,
  GenerationQueuedSchema,
  GenerationSchema,
} from '../schemas/generation-schemas.js';
import { MessagePostedSchema } from '../schemas/seed-b-chats.js';
import { ownerOf, WEB_PLATFORM, type WebContext, type WebRoutes } from '../web-context.js';
import { notFound, unavailable, unprocessable, WebError } from '../web-errors.js';
import { postedAnswer } from '../web-messages.js';

const GENERATION_ID = /^gen-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOT_FOUND = 'Generation';

const actorOf = (request: FastifyRequest): Actor => ({ userId: request.person.userId, isAdmin: false });

/** The generation when it is the person's own (made on the web), else 404. */
async function ownGeneration(ctx: WebContext, request: FastifyRequest, id: string): Promise<OwnGeneration> {
  if (!GENERATION_ID.test(id)) throw notFound(NOT_FOUND);
  const owner = ownerOf(request);
  const live = await ctx.assistant.lookup(id);
  // History down: what the queue remembers is enough; without it the error says history is unavailable.
  const entry = await ctx.history.get(id, owner).catch((error: unknown) => {
    if (live) return undefined;
    throw error;
  });
  const conversation = live?.spec.conversation ?? entry?.conversation;
  const option = live?.spec.option ?? entry?.option;
  const state = live?.state ?? entry?.state;
  if (!conversation || !option || !state) throw notFound(NOT_FOUND);
  if (conversation.platform !== WEB_PLATFORM || conversation.userId !== owner.userId) throw notFound(NOT_FOUND);
  return {
    generationId: id,
    conversation,
    option,
    state,
    ...(entry ? { entry } : {}),
    ...(live ? { live } : {}),
  };
}

export const generationRoutes: WebRoutes = (app, ctx) => {
  const log = ctx.logger.child({ module: 'web-generations' });

  app.get(
    '/generations/:id',
    {
      schema: {
        summary: 'A generation: its state, recipe and media',
        tags: ['generations'],
        params: GenerationIdParams,
        response: { 200: GenerationSchema, ...errorResponses, 503: ErrorSchema },
      },
    },
    async (request) => generationBody(ctx, await ownGeneration(ctx, request, request.params.id)),
  );

  app.post(
    '/generations/:id/cancel',
    {
      schema: {
        summary: 'Cancel a generation that has not started rendering',
        description:
          'Canceled while it waits; `too-late` once Higgsfield is rendering it; `already-finished` once it has ended.',
        tags: ['generations'],
        params: GenerationIdParams,
        response: { 200: CancelOutcomeSchema, ...errorResponses, 503: ErrorSchema },
      },
    },
    async (request) => {
      const own = await ownGeneration(ctx, request, request.params.id);
      const { outcome } = await ctx.assistant.cancel(own.generationId, actorOf(request));
      if (outcome === 'not-allowed') throw notFound(NOT_FOUND);
      // Known to history but no longer to the queue: it ended long ago.
      const shown = outcome === 'not-found' ? 'already-finished' : outcome;
      return { outcome: shown, message: CANCEL_TEXT[shown] };
    },
  );

  app.post(
    '/generations/:id/reroll',
    {
      schema: {
        summary: 'The same recipe again, with a new seed',
        description: 'Queues a new generation in the same chat; follow it on the chat’s events.',
        tags: ['generations'],
        params: GenerationIdParams,
        response: { 202: GenerationQueuedSchema, ...errorResponses, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const own = await ownGeneration(ctx, request, request.params.id);
      const outcome = await ctx.assistant.reroll(own.generationId, actorOf(request));
      switch (outcome.kind) {
        case 'queued':
          void reply.code(202);
          return {
            generation_id: outcome.generationId,
            position: outcome.position,
            estimated_wait_s: Math.round(outcome.estimatedWaitMs / 1_000),
            duplicate: outcome.duplicate,
          };
        case 'not-allowed':
          throw notFound(NOT_FOUND);
        case 'expired':
          throw new WebError(404, outcome.message);
        case 'unavailable':
          throw unavailable(outcome.message);
      }
    },
  );

  app.post(
    '/generations/:id/animate',
    {
      schema: {
        summary: 'Options to animate an image result',
        description:
          'The assistant proposes image-to-video options for the image, as an answer in the chat (the same shape ' +
          'as `POST /chats/{id}/messages`); generate one with `POST /higgsfield/generate {option_id}`.',
        tags: ['generations'],
        params: GenerationIdParams,
        response: { 201: MessagePostedSchema, ...errorResponses, 409: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const own = await ownGeneration(ctx, request, request.params.id);
      if (own.state !== 'done') {
        throw new WebError(409, 'That result is not ready yet: animate it once it is done.');
      }
      if (!assetsOf(own).some((asset) => asset.contentType.startsWith('image/'))) {
        throw unprocessable('Only images can be animated.');
      }
      const answer = await ctx.assistant.animate(own.generationId, actorOf(request));
      if (!('turns' in answer)) {
        if (answer.kind === 'not-allowed') throw notFound(NOT_FOUND);
        if (answer.kind === 'unavailable') throw unavailable(answer.message);
        throw new WebError(404, answer.kind === 'expired' ? answer.message : 'That result can no longer be animated.');
      }
      const posted = await postedAnswer(
        { history: ctx.history, logger: log },
        own.conversation.channelId,
        answer,
        'animate',
      );
      void reply.code(201);
      return posted;
    },
  );
};

/**
 * Seed A's jobs: `GET /v1/jobs/{job_set_id}` and `POST /v1/jobs/{job_set_id}/refresh`, a generation of the
 * person's as `JobSetStatus` (v1-jobs.ts). Any of the person's web generations can be read (the direct
 * routes', a `/v1/chat` pick's, a chat's); another person's, another platform's or an unknown id is 404.
 *
 * `refresh` is the same read: our worker already follows every generation at the provider (webhooks, and
 * status polls when they are late), so there is nothing to force. It costs no provider call at all — it
 * reads the queue's records and history — and hands out freshly signed result links, which is what a
 * client whose `result.url` stopped opening needs.
 */
import type { FastifyRequest } from 'fastify';
import { isAppError } from '../../../errors.js';
import { errorResponses } from '../schemas/common.js';
import { JobSetParams, JobSetStatus } from '../schemas/seed-a.js';
import { toJobSetStatus } from '../v1-jobs.js';
import { WEB_PLATFORM, type WebContext, type WebRoutes } from '../web-context.js';
import { notFound } from '../web-errors.js';

export const v1JobRoutes: WebRoutes = (app, ctx) => {
  const schema = { tags: ['v1'], params: JobSetParams, response: { 200: JobSetStatus, ...errorResponses } };
  app.get(
    '/v1/jobs/:job_set_id',
    { schema: { ...schema, summary: 'A job set’s status (a generation’s state and results)' } },
    (request) => readJobSet(ctx, request, request.params.job_set_id),
  );
  app.post(
    '/v1/jobs/:job_set_id/refresh',
    {
      schema: {
        ...schema,
        summary: 'The same status with fresh result links',
        description:
          'Never calls the provider: the worker already follows every generation; this re-reads it and signs new links.',
      },
    },
    (request) => readJobSet(ctx, request, request.params.job_set_id),
  );
};

async function readJobSet(ctx: WebContext, request: FastifyRequest, id: string): Promise<JobSetStatus> {
  const generation = await ctx.assistant.lookup(id);
  const owner = generation?.spec.conversation;
  if (!generation || owner?.platform !== WEB_PLATFORM || owner.userId !== request.person.userId) {
    throw notFound('Job set');
  }
  const entry = await ctx.history
    .get(generation.generationId, { platform: WEB_PLATFORM, userId: request.person.userId })
    .catch((error: unknown) => {
      // History down: the status still answers (from the queue's records), with the time of the read.
      if (!isAppError(error)) throw error;
      return undefined;
    });
  return toJobSetStatus({
    generation,
    entry,
    link: (key, providerUrl) => ctx.media.link(key, providerUrl),
    nowMs: Date.now(),
  });
}

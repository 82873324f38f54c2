/**
 * `GET /me`: who the request acts for — the person the key belongs to, or the anonymous person when the
 * deployment names one (WEB_ANONYMOUS_USER) and no key was sent — and the origins results are linked on, so
 * the web chat knows which media links it may show. A wrong, revoked or missing key answers 401 as on every
 * route, which is how the page knows to ask for one.
 */
import { z } from 'zod';
import { errorResponses } from '../schemas/common.js';
import type { WebRoutes } from '../web-context.js';

export const MeSchema = z
  .object({
    user_id: z.string().describe('The person every request with this key (or without one, when anonymous) acts for.'),
    anonymous: z.boolean().describe('True when no key was sent and the deployment’s anonymous person answered.'),
    media_origins: z
      .array(z.string())
      .describe('The origins links to results point at (this server’s, and the bucket’s with S3).'),
  })
  .meta({ id: 'Me' });

export const meRoutes: WebRoutes = (app, ctx) => {
  app.get(
    '/me',
    {
      schema: {
        summary: 'Who you are signed in as',
        tags: ['me'],
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    (request) => ({
      user_id: request.person.userId,
      anonymous: request.person.keyId === undefined,
      media_origins: [...ctx.linkOrigins.media],
    }),
  );
};

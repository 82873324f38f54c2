/**
 * Seed B's catalog lists: `GET /higgsfield/text2image/styles` (Soul styles) and
 * `GET /higgsfield/image2video/motions` (DoP camera motions), each `[{id, name, description}]` from the
 * provider's catalog as the bot caches it.
 */
import { errorResponses } from '../schemas/common.js';
import { CatalogListSchema } from '../schemas/seed-b-generate.js';
import type { WebRoutes } from '../web-context.js';

export const catalogRoutes: WebRoutes = (app, ctx) => {
  app.get(
    '/higgsfield/text2image/styles',
    {
      schema: {
        summary: 'Image styles (seed B)',
        description: 'The Soul styles an option may name (style_id).',
        response: { 200: CatalogListSchema, ...errorResponses },
      },
    },
    async () => (await ctx.catalog()).styles.map(({ id, name, description }) => ({ id, name, description })),
  );

  app.get(
    '/higgsfield/image2video/motions',
    {
      schema: {
        summary: 'Video motions (seed B)',
        description: 'The DoP camera motions an image-to-video option may name.',
        response: { 200: CatalogListSchema, ...errorResponses },
      },
    },
    async () => (await ctx.catalog()).motions.map(({ id, name, description }) => ({ id, name, description })),
  );
};

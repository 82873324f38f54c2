/**
 * `GET /generations?search=&cursor=&limit=`: the gallery — the person's own generations made on the web,
 * newest first, from history, in keyset pages `{items, next_cursor, has_more}`; each item is a Generation
 * (as `GET /generations/{id}` answers it) with fresh links to its media. `search` finds words in the prompts
 * (history's full-text search). Other people's generations, and the person's own on other platforms, never
 * appear: history is asked for this person on the web only.
 *
 * Decisions:
 * - A generation that has not ended takes its state from the queue's record (history's feed is a moment
 *   behind), like `GET /generations/{id}`; an ended one is read from history alone.
 * - A cursor that is not one of ours (or no longer reads) answers 422 naming `query.cursor`.
 */

import type { HistoryEntry } from '../../../core/history.js';
import { isEnded } from '../../../core/types.js';
import { BadInputError } from '../../../errors.js';
import { pageBody } from '../answer-bodies.js';
import { generationBody, type OwnGeneration } from '../generation-bodies.js';
import { ErrorSchema, errorResponses } from '../schemas/common.js';
import { GalleryPageSchema, GalleryQuery } from '../schemas/generation-schemas.js';
import { ownerOf, type WebRoutes } from '../web-context.js';
import { unprocessable } from '../web-errors.js';

export const galleryRoutes: WebRoutes = (app, ctx) => {
  const own = async (entry: HistoryEntry): Promise<OwnGeneration> => {
    const live = isEnded(entry.state) ? undefined : await ctx.assistant.lookup(entry.generationId);
    return {
      generationId: entry.generationId,
      conversation: entry.conversation,
      option: entry.option,
      state: live?.state ?? entry.state,
      entry,
      ...(live ? { live } : {}),
    };
  };

  app.get(
    '/generations',
    {
      schema: {
        summary: 'Your results, newest first (the gallery)',
        description:
          'Your generations made on the web, newest first, each with fresh links to its media; `search` finds ' +
          'words in their prompts.',
        tags: ['generations'],
        querystring: GalleryQuery,
        response: { 200: GalleryPageSchema, ...errorResponses, 503: ErrorSchema },
      },
    },
    async (request) => {
      const { search, cursor, limit } = request.query;
      const page = await ctx.history
        .list({
          ...ownerOf(request),
          limit,
          ...(search ? { search } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
        })
        .catch((error: unknown) => {
          if (error instanceof BadInputError) {
            throw unprocessable(
              'query.cursor: That page of results is no longer valid: list them again from the start.',
            );
          }
          throw error;
        });
      const items = await Promise.all(page.items.map(async (entry) => generationBody(ctx, await own(entry))));
      return pageBody({ items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, (item) => item);
    },
  );
};

/**
 * Seed B's options (`GET /options/{id}`): the recipe behind one button of an assistant message, for a client
 * to show before it is pressed. An option id is `<set key>.<index>` (web-messages.ts).
 *
 * Decisions:
 * - an option that expired, that is someone else's, or that was proposed on another platform is not found,
 *   all alike; a malformed id is not found either (it names no option), never a 422 that hints at a format;
 * - `created_at` is when the option set was proposed (the option store keeps it).
 */

import type { ChatOwner } from '../../../core/chats.js';
import type { ConversationRef } from '../../../core/types.js';
import { errorResponses } from '../schemas/common.js';
import { OptionIdParams, OptionSchema } from '../schemas/seed-b-chats.js';
import { ownerOf, type WebRoutes } from '../web-context.js';
import { notFound } from '../web-errors.js';
import { parseOptionId, toOptionBody } from '../web-messages.js';

const OPTION_NOT_FOUND = 'Option';

function isOwners(owner: ChatOwner, conversation: ConversationRef): boolean {
  return conversation.platform === owner.platform && conversation.userId === owner.userId;
}

export const optionRoutes: WebRoutes = (app, ctx) => {
  app.get(
    '/options/:id',
    {
      schema: {
        summary: 'One option of an assistant message',
        tags: ['options'],
        params: OptionIdParams,
        response: { 200: OptionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const owner = ownerOf(request);
      const id = parseOptionId(request.params.id);
      if (!id) throw notFound(OPTION_NOT_FOUND);
      const check = await ctx.assistant.checkOption(id.key, id.index, { userId: owner.userId, isAdmin: false });
      if (check.kind !== 'ok' || !isOwners(owner, check.conversation)) throw notFound(OPTION_NOT_FOUND);
      return toOptionBody(id.key, id.index, check.conversation.channelId, check.option, check.createdAtMs);
    },
  );
};

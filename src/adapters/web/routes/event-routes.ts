/**
 * `GET /chats/{id}/events`: a chat's progress as server-sent events (queued with its place, rendering,
 * delivering, done with media links, failed, canceled), so no client polls. A client that reconnects with
 * `Last-Event-ID` (browsers do it by themselves), or opens with `?last_event_id=`, gets exactly what it
 * missed, then the live events. Another person's chat is not found, exactly like one that never existed.
 */
import { z } from 'zod';
import { streamChatEvents } from '../chat-event-stream.js';
import { errorResponses } from '../schemas/common.js';
import { ownerOf, type WebRoutes } from '../web-context.js';
import { notFound } from '../web-errors.js';
import { eventIdOrUndefined } from '../web-event-ids.js';

const EventsParams = z.object({ id: z.string().describe('The chat id (a UUID).') });

const EventsQuery = z.object({
  last_event_id: z
    .string()
    .optional()
    .describe('Start after this event id (as `Last-Event-ID` does; the header wins when both are sent).'),
});

const EventsHeaders = z.object({
  'last-event-id': z
    .string()
    .optional()
    .describe('The id of the last event received: the stream resumes after it. Sent by browsers on reconnect.'),
});

const EVENT_STREAM_DOC = [
  'A text/event-stream. It opens with `retry: 3000`; each event is',
  '`id: <id>` / `event: <type>` / `data: <ChatEvent as JSON>`, where the type is one of queued, submitted,',
  'rendering, delivering, done, failed, canceled; ids increase. A `: keep-alive` comment comes every 15 s.',
].join(' ');

export const eventRoutes: WebRoutes = (app, ctx) => {
  const logger = ctx.logger.child({ module: 'web-event-stream' });

  app.get(
    '/chats/:id/events',
    {
      schema: {
        summary: "A chat's events, live (server-sent events)",
        description:
          'What the generations of this chat do, as they happen: queued (with `position` and `estimated_wait_s`), ' +
          'submitted, rendering, delivering, done (with `media`), failed or canceled (with `message`). Each event ' +
          'names the actions that apply now (`POST /generations/{id}/cancel`, `/reroll`, `/animate`). Reconnect with ' +
          '`Last-Event-ID` to get exactly what was missed.',
        tags: ['events'],
        params: EventsParams,
        querystring: EventsQuery,
        headers: EventsHeaders,
        response: {
          200: {
            description: EVENT_STREAM_DOC,
            content: { 'text/event-stream': { schema: z.string().describe(EVENT_STREAM_DOC) } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const chatId = request.params.id;
      if (!(await ctx.chats.get(ownerOf(request), chatId))) throw notFound('Chat');
      const lastId =
        eventIdOrUndefined(request.headers['last-event-id']) ?? eventIdOrUndefined(request.query.last_event_id);
      await streamChatEvents(reply, { events: ctx.events, chatId, lastId, logger });
    },
  );
};

/**
 * Looks in a conversation for what an interrupted delivery may already have posted: a file by its name, a
 * message by the delivery id in its metadata. Reads the thread with conversations.replies (or, in a DM
 * without threads, the channel's recent history), paging to the end; `include_all_metadata` is needed for
 * Slack to return message metadata at all.
 */
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ConversationRef } from '../../core/types.js';

/** The metadata event type of the messages a delivery posts. */
export const DELIVERY_EVENT = 'higgsbot_delivery';
/** A DM without threads: only this many recent messages are searched (a delivery is recent by nature). */
const HISTORY_WINDOW = 200;
const MAX_PAGES = 20;

const page = z.object({
  messages: z
    .array(
      z.object({
        files: z.array(z.object({ name: z.string().optional() }).passthrough()).optional(),
        metadata: z
          .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() })
          .optional(),
      }),
    )
    .default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

type Message = z.infer<typeof page>['messages'][number];

export interface ThreadSearch {
  hasFile(conversation: ConversationRef, filename: string): Promise<boolean>;
  hasMessage(conversation: ConversationRef, deliveryId: string): Promise<boolean>;
}

export function createThreadSearch(client: WebClient): ThreadSearch {
  async function some(conversation: ConversationRef, match: (m: Message) => boolean): Promise<boolean> {
    const inThread = conversation.threadId !== conversation.channelId;
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      let raw: unknown;
      try {
        raw = inThread
          ? await client.conversations.replies({
              channel: conversation.channelId,
              ts: conversation.threadId,
              limit: 200,
              include_all_metadata: true,
              ...(cursor ? { cursor } : {}),
            })
          : await client.conversations.history({
              channel: conversation.channelId,
              limit: HISTORY_WINDOW,
              include_all_metadata: true,
            });
      } catch (error) {
        // No such thread (its parent is gone, or nothing was ever posted there): nothing of ours in it.
        if ((error as { data?: { error?: unknown } }).data?.error === 'thread_not_found') return false;
        throw error;
      }
      const parsed = page.parse(raw);
      if (parsed.messages.some(match)) return true;
      cursor = parsed.response_metadata?.next_cursor || undefined;
      if (!inThread || !cursor) return false;
    }
    return false;
  }
  return {
    hasFile: (conversation, filename) => some(conversation, (m) => (m.files ?? []).some((f) => f.name === filename)),
    hasMessage: (conversation, deliveryId) =>
      some(
        conversation,
        (m) => m.metadata?.event_type === DELIVERY_EVENT && m.metadata.event_payload?.delivery_id === deliveryId,
      ),
  };
}

/**
 * The web's event stream: per chat, what its generations do (queued with position, rendering, delivering,
 * done with media links, failed, canceled), written by the web publisher from whichever process runs the
 * generation and read by `GET /chats/{id}/events` in every bot process. Ids are increasing per chat, so
 * a client that reconnects with `Last-Event-ID` gets exactly what it missed.
 *
 * Each event carries `text`, the line the chat platforms show for the same state (so a client needs no
 * wording of its own), and `actions`, what may be done with the generation now: each is an endpoint,
 * `POST /generations/{id}/<action>` (Cancel while it waits, Re-roll and Animate once it has ended).
 */
import { z } from 'zod';
import { GENERATION_STATES } from '../../core/types.js';

/** A chat event is named for the state its generation reached. */
export const WEB_EVENT_TYPES = GENERATION_STATES;

export const WebEventSchema = z
  .object({
    type: z.enum(WEB_EVENT_TYPES),
    generation_id: z.string(),
    chat_id: z.string(),
    label: z.string(),
    model: z.string(),
    /** The state in words for people, e.g. "⏳ Fox: queued (position 2, about 30 s)". */
    text: z.string(),
    /** What may be done now, each a `POST /generations/{id}/<action>`. */
    actions: z.array(z.enum(['cancel', 'reroll', 'animate'])),
    /** queued: 1-based place among generations not yet started. */
    position: z.number().int().optional(),
    /** queued / rendering: expected seconds until the result. */
    estimated_wait_s: z.number().optional(),
    /** done: the stored results. */
    media: z
      .array(
        z.object({
          url: z.string(),
          content_type: z.string(),
          width: z.number().optional(),
          height: z.number().optional(),
          duration_s: z.number().optional(),
        }),
      )
      .optional(),
    /** failed / canceled: why, for people. */
    message: z.string().optional(),
    reason: z.enum(['nsfw', 'failed', 'canceled', 'deadline', 'refused', 'error']).optional(),
    at: z.string(),
  })
  .meta({ id: 'ChatEvent' });

export type WebEvent = z.infer<typeof WebEventSchema>;

export interface StoredWebEvent {
  /** Increasing per chat; the SSE `id:` and what `Last-Event-ID` names. */
  id: string;
  event: WebEvent;
}

export interface WebEventLog {
  /**
   * Appends an event to its chat's stream. With `onceKey` (a delivery id), a second append with the same
   * key appends nothing and returns undefined: a retried delivery is not shown twice. A generation ends
   * once: after its first `done`, `failed` or `canceled`, nothing more of it is appended (a late status
   * line never follows the result, and a second ending is not shown).
   */
  append(event: WebEvent, onceKey?: string): Promise<string | undefined>;
  /** The chat's events after `lastId` (all kept ones without it), oldest first, at most `limit`. */
  since(chatId: string, lastId: string | undefined, limit: number): Promise<StoredWebEvent[]>;
  /**
   * Live events of a chat as they are appended (by any process); returns the unsubscribe. Every event
   * appended after `subscribe` returns reaches the listener (some appended just before may too: callers
   * that also read `since` drop what they already have, by id).
   */
  subscribe(chatId: string, listener: (stored: StoredWebEvent) => void): () => void;
  close(): Promise<void>;
}

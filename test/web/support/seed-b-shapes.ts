/**
 * What seed B's two sources say its chat routes answer, written down apart from the product's own schemas
 * (src/adapters/web/schemas/), so a spec checks our answers against the seed and not against themselves:
 *
 * - `documented*`: transcribed from the "API Examples" of seed B's document (../shared/seeds/001_*.txt):
 *   every field its examples show is required, with the type the example has;
 * - `client*`: copied from seed B's web app (AlikhanNasa7/Higgsfield-SWE-Hackaton, src/types/schemas.ts, and
 *   the inline schemas of src/lib/api.ts), as the client parses them.
 *
 * Both are plain `z.object` as their sources are (extra fields pass, as they do for those clients).
 */
import { z } from 'zod';

// --- seed B's document ------------------------------------------------------------------------------------

/** "Create Chat" → Response. */
export const documentedChat = z.object({
  id: z.string(),
  user_id: z.string(),
  title: z.string(),
  message_count: z.number(),
  last_message_at: z.string().nullable(),
  created_at: z.string(),
});

/** "Create Message with AI Recommendations": a button per option, then a text chunk with its reason. */
export const documentedButtonChunk = z.object({
  type: z.literal('button'),
  label: z.string(),
  option_id: z.string(),
  model: z.string(),
});
export const documentedTextChunk = z.object({ type: z.literal('text'), text: z.string() });
export const documentedRenderChunk = z.discriminatedUnion('type', [documentedButtonChunk, documentedTextChunk]);

export const documentedMessage = z.object({
  id: z.string(),
  chat_id: z.string(),
  author_type: z.string(),
  render_payload: z.array(documentedRenderChunk),
  created_at: z.string(),
});

export const documentedPostMessageResponse = z.object({ message: documentedMessage });

// --- seed B's client: src/types/schemas.ts ----------------------------------------------------------------

export const ChatSchema = z.object({
  id: z.string(),
  title: z.string(),
  created_at: z.string(),
  user_id: z.string(),
  message_count: z.number(),
  last_message_at: z.string().nullable(),
});

export const BackendMessageSchema = z.object({
  id: z.string(),
  chat_id: z.string(),
  author_type: z.enum(['user', 'assistant']),
  content_text: z.string().nullable(),
  render_payload: z.array(z.any()).nullable(),
  attachments: z.array(z.string()).optional(),
  created_at: z.string(),
});

export const BackendRenderChunkSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('text'),
    text: z.string(),
  }),
  z.object({
    type: z.literal('image'),
    imageUrl: z.string(),
    alt: z.string().optional(),
  }),
  z.object({
    type: z.literal('button'),
    text: z.string().optional(),
    label: z.string(),
    option_id: z.string(),
  }),
]);

export const BackendMessagesResponseSchema = z.object({
  items: z.array(BackendMessageSchema),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});

export const BackendPostMessageResponseSchema = z.object({
  message: BackendMessageSchema,
  render_chunks: z.array(BackendRenderChunkSchema),
});

// --- seed B's client: the inline schemas of src/lib/api.ts ------------------------------------------------

/** `updateChat`: `z.object({ chat: ChatSchema }).parse(data)`. */
export const clientUpdateChatResponse = z.object({ chat: ChatSchema });
/** `deleteChat`: `z.object({ ok: z.boolean() }).parse(data)`. */
export const clientDeleteChatResponse = z.object({ ok: z.boolean() });

/** What `chatsService.getAll` (src/lib/dataService.ts) reads of `GET /chats`: `(await api.getChats()).items`. */
export const clientChatList = z.object({ items: z.array(ChatSchema) });

// --- our own additions, for the specs ---------------------------------------------------------------------

/** Seed B's error shape, `{"detail": …}`. */
export const errorBody = z.object({ detail: z.string() });

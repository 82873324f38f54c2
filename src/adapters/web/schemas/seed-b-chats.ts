/**
 * The shapes seed B's chat routes take and answer (`/chats`, `/chats/{id}/messages`, `/options/{id}`), in
 * seed B's own snake_case field names. The answers are what seed B's document shows and what its client
 * (src/types/schemas.ts) parses; where the two differ both are served (a posted message comes back as
 * `message.render_payload`, the document's, and as `render_chunks` beside it, the client's).
 *
 * Decisions:
 * - a button chunk carries the option id and the model id as the document shows, plus the option's kind,
 *   prompt and estimate, so a client can show what a button will make before it is pressed;
 * - request bodies are strict (an unknown field answers 422 naming it); query strings are not, so a client's
 *   cache-busting parameter is not an error.
 */
import { z } from 'zod';

/** Longest chat title (the chat store keeps at most this many characters too). */
export const CHAT_TITLE_MAX_CHARS = 200;
/** Longest message text, after trimming: seed B's prompts are capped at 2,000 characters. */
export const MESSAGE_MAX_CHARS = 2_000;
/** Most attachments on one message. */
export const MESSAGE_MAX_ATTACHMENTS = 4;
export const DEFAULT_CHAT_TITLE = 'New chat';

const iso = z.iso.datetime({ offset: true });

// --- requests ----------------------------------------------------------------------------------------------

const title = z
  .string()
  .trim()
  .min(1, 'A chat needs a title of at least one character.')
  .max(CHAT_TITLE_MAX_CHARS, `A chat's title is at most ${CHAT_TITLE_MAX_CHARS} characters.`)
  .regex(/^[^\p{Cc}]*$/u, 'A chat title is one line of text: no control characters or line breaks.');

export const CreateChatBody = z
  .strictObject({ title: title.optional().describe(`Defaults to "${DEFAULT_CHAT_TITLE}".`) })
  .meta({ id: 'CreateChatRequest' });

export const RenameChatBody = z.strictObject({ title }).meta({ id: 'RenameChatRequest' });

export const ChatIdParams = z.object({ id: z.string().describe('The chat id (a UUID).') });

const pageLimit = (fallback: number) => z.coerce.number().int().min(1).max(100).default(fallback);

export const ChatListQuery = z.object({
  limit: pageLimit(20).describe('Chats per page, 1 to 100 (default 20).'),
  cursor: z.string().optional().describe('`next_cursor` of the page before.'),
});

export const MessageListQuery = z.object({
  limit: pageLimit(50).describe('Messages per page, 1 to 100 (default 50).'),
  after: z.string().optional().describe('`next_cursor` of the page before: the messages after it, oldest first.'),
});

export const PostMessageBody = z
  .strictObject({
    text: z
      .string()
      .trim()
      .max(MESSAGE_MAX_CHARS, `A message is at most ${MESSAGE_MAX_CHARS.toLocaleString('en-US')} characters.`),
    attachments: z
      .array(z.url({ protocol: /^https?$/, error: 'is not an http or https link' }))
      .max(MESSAGE_MAX_ATTACHMENTS, `A message carries at most ${MESSAGE_MAX_ATTACHMENTS} attachments.`)
      .optional()
      .describe('`download_url`s from POST /attachments/presign; the first image is what an animation starts from.'),
  })
  .meta({ id: 'PostMessageRequest' });

export const OptionIdParams = z.object({ id: z.string().describe('An option id, as a button chunk carries it.') });

// --- answers -----------------------------------------------------------------------------------------------

export const ChatSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    title: z.string(),
    message_count: z.number().int().min(0),
    last_message_at: iso.nullable(),
    created_at: iso,
  })
  .meta({ id: 'Chat' });

export const ChatListSchema = z
  .object({ items: z.array(ChatSchema), next_cursor: z.string().nullable(), has_more: z.boolean() })
  .meta({ id: 'ChatList' });

export const ChatRenamedSchema = z.object({ chat: ChatSchema }).meta({ id: 'ChatRenamed' });
export const ChatDeletedSchema = z.object({ ok: z.literal(true) }).meta({ id: 'ChatDeleted' });

const GenerationKindSchema = z.enum(['text-to-image', 'text-to-video', 'image-to-video']);

export const EstimateSchema = z
  .object({
    wait_seconds: z.number().describe('Expected wait, from recent renders of this model.'),
    credits: z.number().optional().describe("Higgsfield's estimate, when it answered."),
  })
  .meta({ id: 'OptionEstimate' });

export const ButtonChunkSchema = z
  .object({
    type: z.literal('button'),
    label: z.string(),
    option_id: z.string().describe('GET /options/{option_id}; POST /higgsfield/generate {option_id}.'),
    model: z.string().describe('The model id the option runs on.'),
    kind: GenerationKindSchema,
    prompt: z.string(),
    estimate: EstimateSchema.optional(),
  })
  .meta({ id: 'ButtonChunk' });

export const TextChunkSchema = z.object({ type: z.literal('text'), text: z.string() }).meta({ id: 'TextChunk' });

export const RenderChunkSchema = z
  .discriminatedUnion('type', [ButtonChunkSchema, TextChunkSchema])
  .meta({ id: 'RenderChunk' });

export const ChatMessageSchema = z
  .object({
    id: z.string(),
    chat_id: z.string(),
    author_type: z.enum(['user', 'assistant']),
    content_text: z.string().nullable(),
    render_payload: z
      .array(RenderChunkSchema)
      .nullable()
      .describe("An assistant message's chunks: each option's button, then its reason. Null on a person's message."),
    attachments: z.array(z.string()).optional(),
    created_at: iso,
  })
  .meta({ id: 'ChatMessage' });

export const ChatMessageListSchema = z
  .object({ items: z.array(ChatMessageSchema), next_cursor: z.string().nullable(), has_more: z.boolean() })
  .meta({ id: 'ChatMessageList' });

export const MessagePostedSchema = z
  .object({
    message: ChatMessageSchema.describe("The assistant's answer."),
    render_chunks: z.array(RenderChunkSchema).describe('The same chunks as `message.render_payload`.'),
    notes: z
      .array(z.string())
      .describe('What the person should know about how the message was read (it was shortened; offline mode).'),
  })
  .meta({ id: 'MessagePosted' });

export const OptionSchema = z
  .object({
    id: z.string(),
    chat_id: z.string(),
    label: z.string(),
    reason: z.string(),
    kind: GenerationKindSchema,
    model: z.string(),
    prompt: z.string(),
    params: z.record(z.string(), z.unknown()),
    style: z.object({ id: z.string(), name: z.string() }).optional(),
    motions: z.array(z.object({ id: z.string(), name: z.string(), strength: z.number() })).optional(),
    estimate: EstimateSchema.optional(),
    created_at: iso.nullable().describe('When it was proposed; null only when its chat no longer shows that turn.'),
  })
  .meta({ id: 'Option' });

export type ChatBody = z.infer<typeof ChatSchema>;
export type ChatMessageBody = z.infer<typeof ChatMessageSchema>;
export type RenderChunk = z.infer<typeof RenderChunkSchema>;
export type OptionBody = z.infer<typeof OptionSchema>;
export type MessagePosted = z.infer<typeof MessagePostedSchema>;

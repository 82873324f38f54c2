/**
 * Seed B's generation, attachment and catalog shapes: `POST /higgsfield/generate` (the document's fields and
 * its client's `GenerateContentRequest`), `POST /attachments/presign`, the upload PUT's answer,
 * `GET /attachments/by-chat/{id}` and the style and motion lists. Request bodies are strict (an unknown field
 * answers 422 naming it); a field sent as null counts as not sent, as it did for seed B's FastAPI models.
 * Type and size of an upload are checked by the route (415, 413), not here, so they are not answered 422.
 */
import { z } from 'zod';
import { END_STATES, type GenerationState } from '../../../core/types.js';

const GENERATION_STATES = [
  'queued',
  'submitted',
  'rendering',
  'delivering',
  ...END_STATES,
] as const satisfies readonly GenerationState[];

const text = (max: number) => z.string().trim().min(1).max(max);

export const GenerateModeSchema = z.enum(['text-to-image', 'text-to-video', 'image-to-video']);

export const GenerateBodySchema = z
  .strictObject({
    option_id: text(100).describe('The button’s option id (`<set>.<index>`), from a message’s render_payload.'),
    mode: GenerateModeSchema.nullish().describe(
      'What to make; the model’s counterpart for this mode is used when it has one (Kling text ↔ image).',
    ),
    model_name: text(200)
      .nullish()
      .describe('A seed B model name (nano-banana, seedream, kling-2-5, …) or a v2 model id; default: the option’s.'),
    image_url: z
      .url({ protocol: /^https?$/ })
      .max(4000)
      .nullish()
      .describe('An image uploaded through /attachments/presign (its download_url), for image-to-video.'),
    aspect_ratio: text(20).nullish(),
    quality: text(40).nullish().describe('Seedream: basic (2K) or high (4K); elsewhere a resolution such as 1080p.'),
    duration: z.number().positive().max(600).nullish().describe('Seconds, where the model takes a duration.'),
    resolution: text(20).nullish(),
    style_strength: z.number().min(0).max(1).nullish().describe('Accepted for seed B’s client; no v2 model takes it.'),
    enhance_prompt: z.boolean().nullish(),
    seed: z.int().min(-1).max(1_000_000).nullish(),
    motion_strength: z.number().min(0).max(1).nullish().describe('DoP: the strength of the option’s camera motions.'),
  })
  .meta({ id: 'GenerateRequest' });

export type GenerateBody = z.infer<typeof GenerateBodySchema>;

export const GenerateQuerySchema = z.object({
  wait: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .describe('false: answer 202 at once and follow the chat’s event stream.'),
});

export const GeneratedMediaSchema = z
  .object({
    url: z.string(),
    content_type: z.string(),
    width: z.int().optional(),
    height: z.int().optional(),
    duration_s: z.number().optional(),
  })
  .meta({ id: 'GeneratedMedia' });

export const GenerateResultSchema = z
  .object({
    url: z.string().describe('The (first) result.'),
    preview_url: z.string().describe('The same link: results have no separate preview.'),
    generation_id: z.string(),
    media: z.array(GeneratedMediaSchema),
  })
  .meta({ id: 'GenerateResult' });

export const GenerateAcceptedSchema = z
  .object({
    generation_id: z.string(),
    status: z.enum(GENERATION_STATES),
    events_url: z.string().describe('The chat’s event stream: the result arrives there.'),
  })
  .meta({ id: 'GenerateAccepted' });

export const PresignBodySchema = z
  .strictObject({
    file_name: z.string().min(1).max(200),
    content_type: z.string().min(1).max(200).describe('image/png, image/jpeg, image/webp or image/gif (else 415).'),
    size: z.int().describe('Bytes, at most the server’s upload limit (else 413).'),
  })
  .meta({ id: 'PresignRequest' });

export const PresignResultSchema = z
  .object({
    upload_url: z.string().describe('PUT the file here with the same Content-Type.'),
    download_url: z.string().describe('Where the file is read once uploaded (attach it to a message).'),
    upload_id: z.string(),
    expires_at: z.string().describe('When upload_url stops taking the file.'),
    upload_headers: z.record(z.string(), z.string()).describe('Headers the PUT must send.'),
  })
  .meta({ id: 'PresignedUpload' });

export const UploadDoneSchema = z.object({ ok: z.literal(true) }).meta({ id: 'UploadDone' });

export const ChatAttachmentSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['image', 'video']),
    storage_url: z.string(),
    option_id: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'ChatAttachment' });

export const ChatAttachmentsSchema = z.object({ items: z.array(ChatAttachmentSchema) }).meta({ id: 'ChatAttachments' });

export const CatalogItemSchema = z
  .object({ id: z.string(), name: z.string(), description: z.string() })
  .meta({ id: 'CatalogItem' });

export const CatalogListSchema = z.array(CatalogItemSchema);

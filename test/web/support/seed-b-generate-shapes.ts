/**
 * What seed B's two sources say its generation, attachment and catalog routes answer, written down apart
 * from the product's schemas (src/adapters/web/schemas/seed-b-generate.ts), so the specs check our answers
 * against the seed and not against themselves:
 *
 * - `documented*`: from the "API Examples" of seed B's document (../shared/seeds/001_*.txt), every field its
 *   examples show required, with the example's type;
 * - `client*`: the interfaces of seed B's web app (AlikhanNasa7/Higgsfield-SWE-Hackaton, src/lib/api.ts:
 *   `GenerateContentResponse`, `PresignResponse`, `AttachmentItem`/`AttachmentsResponse`) as zod.
 *
 * The document names no shape for the style and motion lists; `catalogItem` is what the issue asks for.
 * All are plain `z.object` (extra fields pass, as they do for those clients).
 */
import { z } from 'zod';

/** "Generate Media from Option" → Response (with polling until complete). */
export const documentedGenerateResponse = z.object({ url: z.string(), preview_url: z.string() });

/** `GenerateContentResponse`. */
export const clientGenerateContentResponse = z.object({ url: z.string() });

/** "Upload File (S3 Presigned URL)" → Response. */
export const documentedPresignResponse = z.object({
  upload_url: z.string(),
  download_url: z.string(),
  upload_id: z.string(),
});

/** `PresignResponse`. */
export const clientPresignResponse = z.object({
  upload_url: z.string(),
  download_url: z.string(),
  upload_id: z.string(),
});

/** `AttachmentItem`. */
export const clientAttachmentItem = z.object({
  id: z.string(),
  kind: z.enum(['image', 'video']),
  storage_url: z.string(),
  option_id: z.string().nullable(),
  created_at: z.string(),
});

/** `AttachmentsResponse`. */
export const clientAttachmentsResponse = z.object({ items: z.array(clientAttachmentItem) });

/** One style or motion of `GET /higgsfield/text2image/styles` and `GET /higgsfield/image2video/motions`. */
export const catalogItem = z.object({ id: z.string(), name: z.string(), description: z.string() });
export const catalogList = z.array(catalogItem);

/** Our answer beyond the seed: 202 while the generation runs (past the wait, or with `?wait=false`). */
export const generateAccepted = z.object({
  generation_id: z.string().startsWith('gen-'),
  status: z.enum(['queued', 'submitted', 'rendering', 'delivering', 'done', 'failed', 'canceled']),
  events_url: z.string().regex(/^\/chats\/[0-9a-f-]{36}\/events$/),
});

/** The smallest valid PNG (1×1, transparent), as a browser would upload it. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

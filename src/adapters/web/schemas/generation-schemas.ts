/**
 * The shapes of the generation endpoints (`/generations/{id}`, and its cancel, reroll and animate; the gallery
 * `/generations`), which neither seed had: a generation as a person sees it, with fresh links to its media,
 * the answers of the actions its events name, and pages of a person's generations.
 */
import { z } from 'zod';
import { WEB_EVENT_TYPES } from '../web-events.js';

const iso = z.iso.datetime({ offset: true });

export const GenerationIdParams = z.object({
  id: z
    .string()
    .describe('A generation id (`gen-<uuid>`), as the chat’s events and `POST /higgsfield/generate` name it.'),
});

export const GenerationMediaSchema = z
  .object({
    url: z.string().describe('A fresh link to the stored file.'),
    content_type: z.string(),
    width: z.number().optional(),
    height: z.number().optional(),
    duration_s: z.number().optional(),
  })
  .meta({ id: 'GenerationMedia' });

export const GenerationSchema = z
  .object({
    generation_id: z.string(),
    chat_id: z.string(),
    state: z.enum(WEB_EVENT_TYPES),
    label: z.string(),
    model: z.string(),
    kind: z.enum(['text-to-image', 'text-to-video', 'image-to-video']),
    prompt: z.string(),
    position: z.number().int().optional().describe('While queued: 1-based place among generations not yet started.'),
    media: z.array(GenerationMediaSchema).describe('The results, once done.'),
    message: z.string().optional().describe('Why it failed or was canceled, for people.'),
    reason: z.string().optional(),
    actions: z
      .array(z.enum(['cancel', 'reroll', 'animate']))
      .describe('What may be done now, each a `POST /generations/{id}/<action>`.'),
    created_at: iso.optional(),
    updated_at: iso.optional(),
  })
  .meta({ id: 'Generation' });

export const CancelOutcomeSchema = z
  .object({
    outcome: z.enum(['canceled', 'too-late', 'already-finished']),
    message: z.string().describe('The outcome in words for people.'),
  })
  .meta({ id: 'CancelOutcome' });

export const GenerationQueuedSchema = z
  .object({
    generation_id: z.string().describe('The new generation: follow it on the chat’s events.'),
    position: z.number().int().describe('1-based place among generations not yet started.'),
    estimated_wait_s: z.number().describe('Expected seconds until the result.'),
    duplicate: z.boolean().describe('True when this is a generation already queued for the same press.'),
  })
  .meta({ id: 'GenerationQueued' });

export const GalleryQuery = z.object({
  search: z
    .string()
    .max(500, 'A search is at most 500 characters.')
    .optional()
    .describe('Words to find in the prompts (full text); empty: everything.'),
  cursor: z.string().optional().describe('`next_cursor` of the page before.'),
  limit: z.coerce.number().int().min(1).max(100).default(24).describe('Results per page, 1 to 100 (default 24).'),
});

export const GalleryPageSchema = z
  .object({ items: z.array(GenerationSchema), next_cursor: z.string().nullable(), has_more: z.boolean() })
  .meta({ id: 'GalleryPage' });

export type GenerationBody = z.infer<typeof GenerationSchema>;

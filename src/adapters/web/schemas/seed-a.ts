/**
 * Seed A's `/v1` shapes (its "API Documentation"): the chat request and response, the job submission, the
 * job set status and the health answer, plus our additions beside them (`options` on a chat answer, `notes`
 * on a submission). Request bodies are strict: an unknown field answers 422 naming it.
 *
 * Two deliberate looseness points, both for the seed's own wording: a direct route's `aspect_ratio` is read
 * as any short string here and checked by the route, so a value the seed does not list answers the seed's
 * documented 400 ("Invalid aspect_ratio provided. Must be one of [...]") rather than a 422; and an input
 * image is `{image_url}` or `{url}` (with the legacy `type: "image_url"` allowed), as seed clients send both.
 */
import { z } from 'zod';
import { PROMPT_MAX_CHARS } from '../../../higgsfield/models/model-spec.js';
import { CAMERA_CONTROLS, type V1Body, type V1Route } from '../v1-models.js';

export const V1_MESSAGE_MAX_CHARS = 2000;
export const V1_HISTORY_MAX_TURNS = 50;
const URL_MAX_CHARS = 2048;

export const HealthResponse = z
  .object({ status: z.literal('healthy'), version: z.string(), service: z.string() })
  .meta({ id: 'HealthResponse' });

// --- chat --------------------------------------------------------------------------------------------------

export const V1HistoryTurn = z
  .strictObject({ role: z.enum(['user', 'assistant']), content: z.string().max(20_000) })
  .meta({ id: 'V1ConversationTurn' });

export const V1ChatRequest = z
  .strictObject({
    message: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(V1_MESSAGE_MAX_CHARS, `must be at most ${V1_MESSAGE_MAX_CHARS} characters`),
    conversation_history: z
      .array(V1HistoryTurn)
      .max(V1_HISTORY_MAX_TURNS, `must hold at most ${V1_HISTORY_MAX_TURNS} turns`)
      .optional(),
    option_id: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('Start this option (`<set key>.<index>`, from `options`)'),
  })
  .meta({ id: 'V1ChatRequest' });
export type V1ChatRequest = z.infer<typeof V1ChatRequest>;

export const V1OptionEstimate = z
  .object({ wait_seconds: z.number(), credits: z.number().optional() })
  .meta({ id: 'V1OptionEstimate' });

export const V1Option = z
  .object({
    option_id: z.string().describe('Send it back as `option_id` (or say "make option 2") to start it'),
    label: z.string(),
    reason: z.string(),
    kind: z.enum(['text-to-image', 'text-to-video', 'image-to-video']),
    model: z.string().describe('The v2 model id'),
    prompt: z.string(),
    estimate: V1OptionEstimate.optional(),
  })
  .meta({ id: 'V1Option' });
export type V1Option = z.infer<typeof V1Option>;

export const JobSetState = z.enum(['queued', 'processing', 'completed', 'failed']).meta({ id: 'JobSetState' });
export type JobSetState = z.infer<typeof JobSetState>;

export const V1JobSubmission = z
  .object({
    job_set_id: z.string(),
    status: JobSetState,
    job_type: z.enum(['text-to-image', 'text-to-video', 'image-to-video']),
    model: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    estimated_time: z.string(),
    notes: z.array(z.string()).optional().describe('What was changed or dropped to fit the v2 model'),
  })
  .meta({ id: 'V1JobSubmission' });
export type V1JobSubmission = z.infer<typeof V1JobSubmission>;

export const V1ChatResponse = z
  .object({
    message: z.string(),
    job_details: V1JobSubmission.nullable(),
    action_performed: z.enum(['generate_image', 'generate_video', 'no_action']),
    options: z.array(V1Option),
  })
  .meta({ id: 'V1ChatResponse' });
export type V1ChatResponse = z.infer<typeof V1ChatResponse>;

// --- jobs --------------------------------------------------------------------------------------------------

export const JobResult = z
  .object({
    url: z.string().nullable(),
    min_url: z.string().nullable(),
    raw_url: z.string().nullable(),
    duration: z.number().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'JobResult' });

export const Job = z
  .object({
    id: z.string(),
    status: JobSetState,
    progress: z.number().int().min(0).max(100),
    result: JobResult.nullable(),
    error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;

export const JobSetStatus = z
  .object({
    id: z.string(),
    status: JobSetState,
    jobs: z.array(Job),
    created_at: z.string(),
    updated_at: z.string(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'JobSetStatus' });
export type JobSetStatus = z.infer<typeof JobSetStatus>;

export const JobSetParams = z.object({ job_set_id: z.string().min(1).max(200) });

// --- direct model routes -----------------------------------------------------------------------------------

const promptField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(PROMPT_MAX_CHARS, `must be at most ${PROMPT_MAX_CHARS} characters`);

const InputImage = z
  .strictObject({
    type: z.literal('image_url').optional(),
    image_url: z.string().max(URL_MAX_CHARS).optional(),
    url: z.string().max(URL_MAX_CHARS).optional(),
  })
  .refine((image) => (image.image_url === undefined) !== (image.url === undefined), {
    message: 'give the image as {"image_url": "https://…"} or {"url": "https://…"}',
  })
  .meta({ id: 'V1InputImage' });

/** Every direct route's body, read (each route takes the fields its seed schema lists). */
export interface DirectBody extends V1Body {
  input_images?: Array<{ type?: 'image_url' | undefined; image_url?: string | undefined; url?: string | undefined }>;
}

/**
 * The request body of one direct route, as the seed documents it, plus the prompt: text routes take a
 * `duration` when they have one; image routes take `input_images`, and kling25 `camera_control`,
 * wan25-fast `duration_sec`.
 */
export function directBody(route: V1Route): z.ZodType<DirectBody> {
  const meta = { id: route.requestName };
  const base = {
    prompt: promptField,
    aspect_ratio: z
      .string()
      .max(32)
      .optional()
      .describe(`One of ${route.aspectRatios.join(', ')} (anything else answers 400)`),
  };
  const seconds = z.int().min(1).max(10).optional().describe('Seconds, 1 to 10 (snapped to what the model renders)');
  const images = { input_images: z.array(InputImage).length(1, 'must hold exactly one image') };
  if (route.family !== 'i2v') {
    return (route.duration ? z.strictObject({ ...base, duration: seconds }) : z.strictObject(base)).meta(meta);
  }
  if (route.camera) {
    return z.strictObject({ ...base, ...images, camera_control: z.enum(CAMERA_CONTROLS).optional() }).meta(meta);
  }
  if (route.duration?.field === 'duration_sec') {
    return z.strictObject({ ...base, ...images, duration_sec: seconds }).meta(meta);
  }
  return z.strictObject({ ...base, ...images }).meta(meta);
}

export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(64, 'must be at most 64 characters')
    .optional()
    .describe('The same key (for 1 hour) answers the same generation instead of starting another'),
});

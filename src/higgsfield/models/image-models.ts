/**
 * Text-to-image models. Enums and ranges follow the Higgsfield v2 model pages and the 2026-07 OpenAPI
 * snapshot (shared/reference/higgsfield-api.md §3.2). Seedream 4's full schema was never published; we
 * send only the two fields the official SDK shows.
 */
import { z } from 'zod';
import { httpsUrl, type ModelSpec, minutes, oneOf, prompt, seed } from './model-spec.js';

const soulAspect = oneOf(['9:16', '16:9', '4:3', '3:4', '1:1', '2:3', '3:2']);

export const imageModels: readonly ModelSpec[] = [
  {
    id: 'higgsfield-ai/soul/v2/standard',
    title: 'Soul 2',
    kind: 'text-to-image',
    output: 'image',
    strength: 'Photoreal, fashion-grade people and scenes; the only model that takes a named style.',
    styles: true,
    motions: false,
    typicalSeconds: 25,
    deadlineMs: minutes(10),
    schema: z.strictObject({
      prompt: prompt(),
      aspect_ratio: soulAspect.default('4:3'),
      resolution: oneOf(['720p', '1080p']).default('720p'),
      style_id: z.uuid().optional(),
      batch_size: z.literal([1, 4]).default(1),
      enhance_prompt: z.boolean().default(true),
      seed: seed().optional(),
    }),
  },
  {
    id: 'nano-banana',
    title: 'Nano Banana',
    kind: 'text-to-image',
    output: 'image',
    strength: 'Follows complex instructions and edits reference images faithfully; good with text in images.',
    styles: false,
    motions: false,
    typicalSeconds: 20,
    deadlineMs: minutes(10),
    schema: z.strictObject({
      prompt: prompt(),
      num_images: z.int().min(1).max(4).default(1),
      aspect_ratio: oneOf(['auto', '1:1', '4:3', '3:4', '3:2', '2:3', '5:4', '4:5', '16:9', '9:16', '21:9']).default(
        '4:3',
      ),
      input_images: z
        .array(z.strictObject({ type: z.literal('image_url'), image_url: httpsUrl() }))
        .max(8)
        .optional(),
      output_format: oneOf(['jpeg', 'png']).default('png'),
    }),
  },
  {
    id: 'bytedance/seedream/v4/text-to-image',
    title: 'Seedream 4',
    kind: 'text-to-image',
    output: 'image',
    strength: 'Sharp, high-resolution illustration and design work with bold colour; up to 4K.',
    styles: false,
    motions: false,
    typicalSeconds: 30,
    deadlineMs: minutes(10),
    schema: z.strictObject({
      prompt: prompt(),
      resolution: oneOf(['1K', '2K', '4K']).default('2K'),
      aspect_ratio: oneOf(['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9']).default('4:3'),
    }),
  },
];

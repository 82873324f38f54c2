/**
 * Video models: DoP (camera motions), Kling 2.5 turbo, Hailuo-02, Seedance 1, Veo 3.1, Wan 2.5, each in
 * its text-to-video and image-to-video forms where Higgsfield has both. Veo durations and resolutions are
 * strings and Seedance resolutions are strings, as the API wants them.
 */
import { z } from 'zod';
import { httpsUrl, type ModelKind, type ModelSpec, minutes, oneOf, prompt, seed } from './model-spec.js';

type VideoEntry = Omit<ModelSpec, 'output' | 'styles' | 'motions'> & Partial<Pick<ModelSpec, 'motions'>>;

const video = (entry: VideoEntry): ModelSpec => ({ output: 'video', styles: false, motions: false, ...entry });

/** The image-to-video form of a body: the same fields plus the required input image. */
const withImage = <T extends z.core.$ZodLooseShape>(shape: T) => ({ ...shape, image_url: httpsUrl() });

const dop = (tier: 'lite' | 'turbo' | 'standard', strength: string, typicalSeconds: number): ModelSpec =>
  video({
    id: `higgsfield-ai/dop/${tier}`,
    title: `DoP ${tier}`,
    kind: 'image-to-video',
    strength,
    motions: true,
    typicalSeconds,
    deadlineMs: minutes(20),
    schema: z.strictObject(
      withImage({
        prompt: prompt(),
        end_image_url: httpsUrl().optional(),
        motions: z
          .array(z.strictObject({ id: z.uuid(), strength: z.number().min(0).max(1).default(0.5) }))
          .max(2)
          .optional(),
        enhance_prompt: z.boolean().default(true),
        seed: seed().optional(),
      }),
    ),
  });

const klingShape = {
  prompt: prompt(),
  duration: z.literal([5, 10]).default(5),
  cfg_scale: z.number().min(0).max(1).default(0.5),
  negative_prompt: z.string().max(2000).default(''),
};

const hailuoShape = {
  prompt: prompt(),
  duration: z.literal([6, 10]).default(6),
  prompt_optimizer: z.boolean().default(true),
};

const seedanceShape = (defaultResolution: '720' | '1080') => ({
  prompt: prompt(),
  duration: z.int().min(2).max(12).default(5),
  resolution: oneOf(['480', '720', '1080']).default(defaultResolution),
  aspect_ratio: oneOf(['16:9', '9:16', '4:3', '3:4', '1:1', '21:9']).default('16:9'),
  camera_fixed: z.boolean().default(false),
});

const veoShape = {
  prompt: prompt(),
  resolution: oneOf(['720', '1080']).default('720'),
  aspect_ratio: oneOf(['16:9', '9:16']).default('16:9'),
  generate_audio: z.boolean().default(false),
  duration: oneOf(['4', '6', '8']).default('6'),
};

const wanShape = {
  prompt: prompt(),
  duration: z.literal([5, 10]).default(5),
  resolution: oneOf(['480p', '720p', '1080p']).default('720p'),
  audio_url: httpsUrl().optional(),
  negative_prompt: z.string().max(2000).optional(),
  seed: seed(-1).default(-1),
};

/** A text-to-video and an image-to-video entry that share their parameters. */
const pair = (
  base: { title: string; strength: string; typicalSeconds: number; deadlineMs: number },
  ids: Record<Exclude<ModelKind, 'text-to-image'>, string>,
  shape: z.core.$ZodLooseShape,
  imageShape: z.core.$ZodLooseShape = withImage(shape),
): ModelSpec[] => [
  video({ ...base, id: ids['text-to-video'], kind: 'text-to-video', schema: z.strictObject(shape) }),
  video({
    ...base,
    id: ids['image-to-video'],
    title: `${base.title} (image)`,
    kind: 'image-to-video',
    schema: z.strictObject(imageShape),
  }),
];

export const videoModels: readonly ModelSpec[] = [
  dop('lite', 'Fast, cheap camera-motion animation of a still image (DoP motions such as Zoom In or Crane Up).', 60),
  dop('turbo', 'Camera-motion animation of a still with a good balance of speed and quality.', 90),
  dop('standard', 'The most polished DoP camera-motion animation of a still image.', 150),
  ...pair(
    {
      title: 'Kling 2.5 turbo',
      strength: 'Dynamic, physically convincing action and fluid motion; strong prompt adherence.',
      typicalSeconds: 120,
      deadlineMs: minutes(30),
    },
    {
      'text-to-video': 'kling-video/v2.5-turbo/pro/text-to-video',
      'image-to-video': 'kling-video/v2.5-turbo/pro/image-to-video',
    },
    klingShape,
  ),
  ...pair(
    {
      title: 'Hailuo-02',
      strength: 'Expressive characters and dramatic, cinematic movement at a modest cost.',
      typicalSeconds: 150,
      deadlineMs: minutes(30),
    },
    {
      'text-to-video': 'minimax/hailuo-02/standard/text-to-video',
      'image-to-video': 'minimax/hailuo-02/standard/image-to-video',
    },
    hailuoShape,
    withImage({
      ...hailuoShape,
      end_image_url: httpsUrl().optional(),
      resolution: oneOf(['512P', '768P']).default('768P'),
    }),
  ),
  ...pair(
    {
      title: 'Seedance 1 lite',
      strength: 'Quick, inexpensive multi-shot clips with stable subjects; any aspect ratio.',
      typicalSeconds: 60,
      deadlineMs: minutes(20),
    },
    {
      'text-to-video': 'bytedance/seedance/v1/lite/text-to-video',
      'image-to-video': 'bytedance/seedance/v1/lite/image-to-video',
    },
    seedanceShape('720'),
    withImage(seedanceShape('1080')),
  ),
  ...pair(
    {
      title: 'Seedance 1 pro fast',
      strength: 'Crisp 1080p clips with smooth camera work, faster than Seedance pro.',
      typicalSeconds: 90,
      deadlineMs: minutes(20),
    },
    {
      'text-to-video': 'bytedance/seedance/v1/pro/fast/text-to-video',
      'image-to-video': 'bytedance/seedance/v1/pro/fast/image-to-video',
    },
    seedanceShape('1080'),
  ),
  ...pair(
    {
      title: 'Veo 3.1',
      strength: 'Top cinematic realism with native sound (dialogue, ambience) when audio is on.',
      typicalSeconds: 180,
      deadlineMs: minutes(45),
    },
    { 'text-to-video': 'veo3.1', 'image-to-video': 'veo3.1/image-to-video' },
    veoShape,
  ),
  ...pair(
    {
      title: 'Veo 3.1 fast',
      strength: 'Veo realism and audio at lower cost and latency; great for short social clips.',
      typicalSeconds: 90,
      deadlineMs: minutes(30),
    },
    { 'text-to-video': 'veo3.1/fast', 'image-to-video': 'veo3.1/fast/image-to-video' },
    veoShape,
  ),
  ...pair(
    {
      title: 'Wan 2.5',
      strength: 'Open-model look with lip-synced audio from an audio track; 1080p at low cost.',
      typicalSeconds: 120,
      deadlineMs: minutes(30),
    },
    { 'text-to-video': 'wan-25-preview/text-to-video', 'image-to-video': 'wan-25-preview/image-to-video' },
    wanShape,
  ),
];

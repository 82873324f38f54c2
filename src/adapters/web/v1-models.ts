/**
 * Seed A's direct model routes (`/v1/t2i/…`, `/v1/t2v/…`, `/v1/i2v/…`) as data: which v2 registry model each
 * one runs, which of the seed's aspect ratios it accepts and what becomes of them, how a seed duration snaps
 * onto what the v2 model renders. `v1Recipe` turns a checked body into the v2 request body (before
 * `validateRequest`) and says, for people, what was changed or dropped. The README's mapping table is
 * written from this file (/tmp/v1-mapping.md at the time of writing).
 *
 * Decisions:
 * - A seed field the v2 model cannot take is dropped, never refused: the seed's clients send it on every
 *   call. Image-to-video models without an aspect ratio follow the input image's shape.
 * - A duration snaps to the nearest length the v2 model renders, ties to the shorter (cheaper) one.
 * - `camera_control` (kling25) becomes a sentence at the end of the prompt: Kling 2.5 follows written camera
 *   directions well, and the person keeps the model they named (DoP, the model with catalog motions, is a
 *   different model with a different look). The prompt is clipped to make room when it must be.
 * - The seed's `veo3` and `seedance` image routes run Veo 3.1 and Seedance 1 lite; `wan25-fast` runs Wan 2.5
 *   (the v2 registry has no separate fast Wan) at its default 720p.
 */
import { PROMPT_MAX_CHARS } from '../../higgsfield/models/model-spec.js';

export type V1Family = 't2i' | 't2v' | 'i2v';
export type CameraControl = 'zoom_in' | 'zoom_out' | 'pan_left' | 'pan_right' | 'pan_up' | 'pan_down';

export const CAMERA_CONTROLS: readonly [CameraControl, ...CameraControl[]] = [
  'zoom_in',
  'zoom_out',
  'pan_left',
  'pan_right',
  'pan_up',
  'pan_down',
];

/** The sentence each camera control adds to a Kling prompt. */
export const CAMERA_PHRASES: Readonly<Record<CameraControl, string>> = {
  zoom_in: 'The camera slowly zooms in.',
  zoom_out: 'The camera slowly zooms out.',
  pan_left: 'The camera pans slowly to the left.',
  pan_right: 'The camera pans slowly to the right.',
  pan_up: 'The camera tilts slowly upward.',
  pan_down: 'The camera tilts slowly downward.',
};

const IMAGE_ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '2:3', '3:2'] as const;
const VIDEO_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4'] as const;

/** Every seed value passes unchanged. */
const PASS = 'pass' as const;
/** The v2 model takes no aspect ratio: the seed's value is dropped. */
const DROP = 'drop' as const;

export interface V1Route {
  /** The seed's path, e.g. `/v1/t2i/nano-banana`. */
  path: string;
  /** The seed's model name (the last path segment), answered as `model`. */
  name: string;
  family: V1Family;
  /** The seed's name for the request body (the OpenAPI schema id). */
  requestName: string;
  /** The v2 registry model it runs. */
  modelId: string;
  /** The seed's accepted aspect ratios, in the seed's order (the 400 detail lists them so). */
  aspectRatios: readonly string[];
  /** What becomes of an aspect ratio: passed, dropped, or mapped value by value (null: dropped). */
  aspect: typeof PASS | typeof DROP | Readonly<Record<string, string | null>>;
  /** The seed's duration field (seconds) and the lengths the v2 model renders, when the route has one. */
  duration?: { field: 'duration' | 'duration_sec'; renders: readonly number[] };
  /** Takes `camera_control` (as a prompt sentence). */
  camera?: boolean;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const V1_ROUTES: readonly V1Route[] = [
  {
    path: '/v1/t2i/nano-banana',
    name: 'nano-banana',
    family: 't2i',
    requestName: 'NanoBananaT2IRequest',
    modelId: 'nano-banana',
    aspectRatios: IMAGE_ASPECTS,
    aspect: PASS,
  },
  {
    path: '/v1/t2i/seedream4',
    name: 'seedream4',
    family: 't2i',
    requestName: 'Seedream4T2IRequest',
    modelId: 'bytedance/seedream/v4/text-to-image',
    aspectRatios: IMAGE_ASPECTS,
    aspect: PASS,
  },
  {
    path: '/v1/t2v/minimax-hailuo-02',
    name: 'minimax-hailuo-02',
    family: 't2v',
    requestName: 'MinimaxT2VRequest',
    modelId: 'minimax/hailuo-02/standard/text-to-video',
    aspectRatios: VIDEO_ASPECTS,
    aspect: DROP,
    duration: { field: 'duration', renders: [6, 10] },
  },
  {
    path: '/v1/t2v/seedance-v1-lite',
    name: 'seedance-v1-lite',
    family: 't2v',
    requestName: 'SeedanceT2VRequest',
    modelId: 'bytedance/seedance/v1/lite/text-to-video',
    aspectRatios: VIDEO_ASPECTS,
    aspect: PASS,
    duration: { field: 'duration', renders: range(2, 12) },
  },
  {
    path: '/v1/i2v/kling25',
    name: 'kling25',
    family: 'i2v',
    requestName: 'Kling25I2VRequest',
    modelId: 'kling-video/v2.5-turbo/pro/image-to-video',
    aspectRatios: VIDEO_ASPECTS,
    aspect: DROP,
    camera: true,
  },
  {
    path: '/v1/i2v/minimax',
    name: 'minimax',
    family: 'i2v',
    requestName: 'MinimaxI2VRequest',
    modelId: 'minimax/hailuo-02/standard/image-to-video',
    aspectRatios: VIDEO_ASPECTS,
    aspect: DROP,
  },
  {
    path: '/v1/i2v/seedance',
    name: 'seedance',
    family: 'i2v',
    requestName: 'I2VRequest',
    modelId: 'bytedance/seedance/v1/lite/image-to-video',
    aspectRatios: VIDEO_ASPECTS,
    aspect: PASS,
  },
  {
    path: '/v1/i2v/veo3',
    name: 'veo3',
    family: 'i2v',
    requestName: 'Veo3I2VRequest',
    modelId: 'veo3.1/image-to-video',
    aspectRatios: VIDEO_ASPECTS,
    // Veo renders 16:9 and 9:16 only: landscape and portrait keep their orientation, square is dropped.
    aspect: { '16:9': '16:9', '4:3': '16:9', '9:16': '9:16', '3:4': '9:16', '1:1': null },
  },
  {
    path: '/v1/i2v/wan25-fast',
    name: 'wan25-fast',
    family: 'i2v',
    requestName: 'Wan25FastI2VRequest',
    modelId: 'wan-25-preview/image-to-video',
    aspectRatios: VIDEO_ASPECTS,
    aspect: DROP,
    duration: { field: 'duration_sec', renders: [5, 10] },
  },
];

/** A direct route's body once its own schema has read it (prompt trimmed, aspect ratio among the seed's). */
export interface V1Body {
  prompt: string;
  aspect_ratio?: string | undefined;
  duration?: number | undefined;
  duration_sec?: number | undefined;
  camera_control?: CameraControl | undefined;
}

export interface V1Recipe {
  modelId: string;
  /** The v2 request body, prompt included, before `validateRequest` fills the defaults. */
  body: Record<string, unknown>;
  /** What was changed or dropped on the way, for people ("duration 7 s → 6 s: …"). */
  notes: string[];
}

/** The length the model renders that is nearest to `seconds`, ties to the shorter. */
export function snapDuration(seconds: number, renders: readonly number[]): number {
  let best = renders[0] ?? seconds;
  for (const length of renders) {
    if (Math.abs(length - seconds) < Math.abs(best - seconds)) best = length;
  }
  return best;
}

/** The v2 request body for a direct route's body; `imageUrl` is the input image of an image route. */
export function v1Recipe(route: V1Route, input: V1Body, imageUrl?: string): V1Recipe {
  const notes: string[] = [];
  const body: Record<string, unknown> = {};
  let prompt = input.prompt;

  if (input.aspect_ratio !== undefined) {
    const mapped = aspectFor(route, input.aspect_ratio);
    if (mapped === undefined) {
      notes.push(`aspect_ratio ${input.aspect_ratio} was dropped: this model takes no aspect ratio`);
    } else if (mapped === null) {
      notes.push(`aspect_ratio ${input.aspect_ratio} was dropped: this model renders 16:9 or 9:16 only`);
    } else {
      body.aspect_ratio = mapped;
      if (mapped !== input.aspect_ratio) notes.push(`aspect_ratio ${input.aspect_ratio} became ${mapped}`);
    }
  }

  if (route.duration) {
    const asked = input[route.duration.field];
    if (asked !== undefined) {
      const seconds = snapDuration(asked, route.duration.renders);
      body.duration = seconds;
      if (seconds !== asked) {
        notes.push(
          `${route.duration.field} ${asked} s became ${seconds} s: ${describeRenders(route.duration.renders)}`,
        );
      }
    }
  }

  if (route.camera && input.camera_control) {
    const phrase = CAMERA_PHRASES[input.camera_control];
    const room = PROMPT_MAX_CHARS - phrase.length - 1;
    if (prompt.length > room) {
      prompt = prompt.slice(0, room).trimEnd();
      notes.push(`the prompt was shortened to make room for camera_control ${input.camera_control}`);
    }
    prompt = `${prompt} ${phrase}`;
  }

  body.prompt = prompt;
  if (imageUrl !== undefined) body.image_url = imageUrl;
  return { modelId: route.modelId, body, notes };
}

/** The v2 value of a seed aspect ratio: the value, null when dropped for this value, undefined when never taken. */
function aspectFor(route: V1Route, aspect: string): string | null | undefined {
  if (route.aspect === PASS) return aspect;
  if (route.aspect === DROP) return undefined;
  return route.aspect[aspect] ?? null;
}

function describeRenders(renders: readonly number[]): string {
  const [first, ...rest] = renders;
  const last = rest.at(-1);
  if (last !== undefined && rest.length > 1 && last - (first ?? 0) === renders.length - 1) {
    return `this model renders ${first} to ${last} s`;
  }
  return `this model renders ${renders.join(' or ')} s`;
}

/** The seed's 400 detail for an aspect ratio it does not list (its exact wording, a Python list). */
export function aspectRatioDetail(route: V1Route): string {
  return `Invalid aspect_ratio provided. Must be one of [${route.aspectRatios.map((a) => `'${a}'`).join(', ')}]`;
}

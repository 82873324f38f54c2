/**
 * Turns `higgsbot generate` arguments into a validated request body, before anything is queued: the
 * model must exist, `--set key=value` values take the type the model's schema wants (Veo's "8" stays a
 * string, Kling's 10 becomes a number), and an input image is given exactly when the model needs one.
 */
import { BadInputError } from '../errors.js';
import { describeParams, getModel, type ModelSpec, validateRequest } from '../higgsfield/models/registry.js';

export function parseSets(model: ModelSpec, sets: readonly string[]): Record<string, unknown> {
  const params = new Map(describeParams(model).map((p) => [p.name, p]));
  const out: Record<string, unknown> = {};
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new BadInputError(`--set takes key=value (got "${set}")`);
    const key = set.slice(0, eq);
    const raw = set.slice(eq + 1);
    const info = params.get(key);
    out[key] = info?.type === 'string' ? raw : parseValue(raw);
  }
  return out;
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export interface GenerateInput {
  model: ModelSpec;
  prompt: string;
  params: Record<string, unknown>;
}

export function checkGenerateInput(
  modelId: string | undefined,
  prompt: string | undefined,
  sets: readonly string[],
  hasImage: boolean,
): GenerateInput {
  if (!modelId) throw new BadInputError('--model is required. Run `higgsbot models` for the list.');
  if (prompt === undefined) throw new BadInputError('--prompt is required: describe what you want to see.');
  const model = getModel(modelId);
  if (model.kind === 'image-to-video' && !hasImage) {
    throw new BadInputError(`${model.title} animates an image: give one with --image <url or file>.`);
  }
  if (model.kind !== 'image-to-video' && hasImage) {
    throw new BadInputError(`${model.title} does not take an input image; pick an image-to-video model for --image.`);
  }
  const params = parseSets(model, sets);
  const placeholder = hasImage ? { image_url: 'https://placeholder.invalid/input.png' } : {};
  // Validate now (with a stand-in for the image, uploaded only once everything else is right).
  validateRequest(model.id, { ...params, ...placeholder, prompt });
  return { model, prompt, params };
}

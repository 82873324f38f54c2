/**
 * Seed B's model vocabulary on the v2 registry: the names its client sends as `model_name` (and the seed's
 * document shows on buttons), which model of a pair serves a `mode`, and how its loose generation fields
 * (`aspect_ratio`, `duration`, `resolution`, `quality`, `seed`, `enhance_prompt`, `motion_strength`) become
 * one model's params.
 *
 * Decisions:
 * - A field is mapped only onto a model that takes it (Kling has no seed: the seed B client's `seed: 1` for
 *   Kling is dropped, not refused). `style_strength` is taken by no v2 model and is always dropped.
 * - Values are fitted to the model's own spelling where that is unambiguous (duration 6 → "6" for Veo,
 *   "1080p" → "1080" for Seedance, "768p" → "768P" for Hailuo); what still does not fit is left for
 *   `validateRequest` to refuse by name, so a person learns what the model allows.
 * - `quality` is a hint: Seedream's basic/high are 2K/4K; elsewhere it is a resolution when it spells one of
 *   the model's (and no `resolution` was given), else it is dropped.
 * - Seed B's "Seedance 1.0" (not lite) is Seedance 1 pro fast, the only pro tier in the registry.
 * - When the model differs from the option's, the option's params the new model takes are carried over where
 *   their values fit it; the others are dropped (they were chosen for another model, not by the person).
 */
import { z } from 'zod';
import type { GenerationKind } from '../../core/types.js';
import { findModel, listModels, type ModelSpec } from '../../higgsfield/models/registry.js';

const SEEDREAM = 'bytedance/seedream/v4/text-to-image';

/** Seed B's client and document names (and seed A's, which buttons may carry) → v2 registry ids. */
export const SEED_B_MODEL_NAMES: Readonly<Record<string, string>> = {
  'nano-banana': 'nano-banana',
  seedream: SEEDREAM,
  'minimax-t2v': 'minimax/hailuo-02/standard/text-to-video',
  'seedance-v1-lite-t2v': 'bytedance/seedance/v1/lite/text-to-video',
  'kling-2-5': 'kling-video/v2.5-turbo/pro/image-to-video',
  seedance: 'bytedance/seedance/v1/pro/fast/image-to-video',
  'wan-25-fast': 'wan-25-preview/image-to-video',
  minimax: 'minimax/hailuo-02/standard/image-to-video',
  'seedance-v1': 'bytedance/seedance/v1/pro/fast/text-to-video',
  // Seed A's route names, for buttons made by the /v1 side.
  seedream4: SEEDREAM,
  'minimax-hailuo-02': 'minimax/hailuo-02/standard/text-to-video',
  'seedance-v1-lite': 'bytedance/seedance/v1/lite/text-to-video',
  kling25: 'kling-video/v2.5-turbo/pro/image-to-video',
  veo3: 'veo3.1/image-to-video',
  'wan25-fast': 'wan-25-preview/image-to-video',
};

/** A seed B name or a v2 registry id → the model; undefined when it is neither. */
export function resolveModelName(name: string): ModelSpec | undefined {
  const trimmed = name.trim();
  return findModel(SEED_B_MODEL_NAMES[trimmed.toLowerCase()] ?? trimmed);
}

/** The model of the same family that makes `kind` (Kling text-to-video ↔ Kling image-to-video), if any. */
export function counterpart(model: ModelSpec, kind: GenerationKind): ModelSpec | undefined {
  if (model.kind === kind) return model;
  const family = familyOf(model);
  return listModels(kind).find((m) => familyOf(m) === family);
}

const familyOf = (model: ModelSpec) => model.title.replace(/ \(image\)$/, '');

/** The generation fields of seed B's request that may become params. */
export interface SeedBFields {
  aspect_ratio?: string | undefined;
  duration?: number | undefined;
  resolution?: string | undefined;
  quality?: string | undefined;
  seed?: number | undefined;
  enhance_prompt?: boolean | undefined;
  motion_strength?: number | undefined;
}

/** The params seed B's fields set on `model` (only those it takes), values in the model's spelling. */
export function paramsFromFields(model: ModelSpec, fields: SeedBFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (name: string, value: unknown) => {
    if (value !== undefined && takes(model, name)) out[name] = spelled(model, name, value);
  };
  set('aspect_ratio', fields.aspect_ratio);
  set('duration', fields.duration);
  set('resolution', fields.resolution);
  set('seed', fields.seed);
  if (fields.enhance_prompt !== undefined) {
    set(takes(model, 'enhance_prompt') ? 'enhance_prompt' : 'prompt_optimizer', fields.enhance_prompt);
  }
  if (fields.quality !== undefined && fields.resolution === undefined) {
    const resolution = qualityAsResolution(model, fields.quality);
    if (resolution !== undefined) out.resolution = resolution;
  }
  return out;
}

/** DoP motions with `motion_strength` applied to each (other models have no motions to strengthen). */
export function withMotionStrength(
  params: Record<string, unknown>,
  strength: number | undefined,
): Record<string, unknown> {
  const motions = params.motions;
  if (strength === undefined || !Array.isArray(motions)) return params;
  return { ...params, motions: motions.map((m: Record<string, unknown>) => ({ ...m, strength })) };
}

/** The option's params that `model` takes and accepts as they are (or fitted to its spelling). */
export function carriedParams(model: ModelSpec, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const field = model.schema.shape[name] as z.ZodType | undefined;
    if (!field) continue;
    const fitted = spelled(model, name, value);
    if (field.safeParse(fitted).success) out[name] = fitted;
  }
  return out;
}

export function takes(model: ModelSpec, name: string): boolean {
  return Object.hasOwn(model.schema.shape, name);
}

function qualityAsResolution(model: ModelSpec, quality: string): unknown {
  if (!takes(model, 'resolution')) return undefined;
  const q = quality.trim().toLowerCase();
  if (model.id === SEEDREAM) {
    if (q === 'basic' || q === 'standard') return '2K';
    if (q === 'high') return '4K';
  }
  const fitted = spelled(model, 'resolution', quality);
  return allowedValues(model, 'resolution')?.includes(fitted as string | number) ? fitted : undefined;
}

/** `value` in the model's spelling of `name` when one of its allowed values is the same thing, else as is. */
function spelled(model: ModelSpec, name: string, value: unknown): unknown {
  const allowed = allowedValues(model, name);
  if (allowed) {
    if (allowed.includes(value as string | number)) return value;
    const norm = (v: unknown) =>
      String(v)
        .trim()
        .toLowerCase()
        .replace(/(\d)p$/, '$1');
    return allowed.find((a) => norm(a) === norm(value)) ?? value;
  }
  const type = jsonSchemaOf(model).properties?.[name]?.type;
  if ((type === 'integer' || type === 'number') && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) {
    return Number(value);
  }
  return value;
}

interface JsonNode {
  type?: string;
  enum?: Array<string | number>;
  const?: string | number;
}

const schemas = new WeakMap<ModelSpec, { properties?: Record<string, JsonNode> }>();

function jsonSchemaOf(model: ModelSpec): { properties?: Record<string, JsonNode> } {
  let json = schemas.get(model);
  if (!json) {
    json = z.toJSONSchema(model.schema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, JsonNode>;
    };
    schemas.set(model, json);
  }
  return json;
}

function allowedValues(model: ModelSpec, name: string): ReadonlyArray<string | number> | undefined {
  const node = jsonSchemaOf(model).properties?.[name];
  if (!node) return undefined;
  if (node.enum) return node.enum;
  return node.const === undefined ? undefined : [node.const];
}

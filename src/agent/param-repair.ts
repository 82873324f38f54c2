/**
 * Repairs the params a recommender wrote for a model: unknown keys dropped, numbers clamped into range,
 * enum values matched loosely ("9x16" → "9:16", 7 → the nearest allowed duration), booleans coerced.
 * What cannot be repaired is dropped so the model's default applies. Inputs that are ours to fill (image
 * URLs, style ids, motions) are never taken from a recommender.
 */
import { z } from 'zod';
import type { ModelSpec } from '../higgsfield/models/registry.js';

interface Node {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  properties?: Record<string, Node>;
}

/** Fields filled by us from the request, the thread or the catalogs. */
export const INPUT_FIELDS = new Set([
  'prompt',
  'image_url',
  'end_image_url',
  'input_images',
  'image_reference_url',
  'audio_url',
  'style_id',
  'motions',
]);

const schemaCache = new WeakMap<ModelSpec, Record<string, Node>>();

function properties(model: ModelSpec): Record<string, Node> {
  let props = schemaCache.get(model);
  if (!props) {
    const json = z.toJSONSchema(model.schema, { io: 'input', unrepresentable: 'any' }) as Node;
    props = json.properties ?? {};
    schemaCache.set(model, props);
  }
  return props;
}

/** Names of the params a recommender may set for this model. */
export function tunableParams(model: ModelSpec): string[] {
  return Object.keys(properties(model)).filter((k) => !INPUT_FIELDS.has(k));
}

export interface RepairedParams {
  params: Record<string, unknown>;
  problems: string[];
}

export function repairParams(model: ModelSpec, raw: Readonly<Record<string, unknown>> | undefined): RepairedParams {
  const props = properties(model);
  const params: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (INPUT_FIELDS.has(key) || value === null || value === undefined) continue;
    const node = props[key];
    if (!node) {
      problems.push(`${model.title} has no param "${key}"`);
      continue;
    }
    const repaired = repairValue(node, value);
    if (repaired === undefined) problems.push(`${key}=${JSON.stringify(value)} is not allowed for ${model.title}`);
    else params[key] = repaired;
  }
  return { params, problems };
}

function repairValue(node: Node, value: unknown): unknown {
  if (node.enum) return matchEnum(node.enum, value);
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  if (type === 'integer' || type === 'number') {
    const n = typeof value === 'number' ? value : String(value).trim() ? Number(String(value).trim()) : Number.NaN;
    if (!Number.isFinite(n)) return undefined;
    const clamped = Math.min(node.maximum ?? n, Math.max(node.minimum ?? n, n));
    return type === 'integer' ? Math.round(clamped) : clamped;
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    const text = String(value).toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(text)) return true;
    if (['false', 'no', 'off', '0'].includes(text)) return false;
    return undefined;
  }
  if (type === 'string' && (typeof value === 'string' || typeof value === 'number')) {
    const text = String(value);
    return node.maxLength !== undefined && text.length > node.maxLength ? text.slice(0, node.maxLength) : text;
  }
  return undefined;
}

function matchEnum(allowed: readonly unknown[], value: unknown): unknown {
  const exact = allowed.find((a) => a === value);
  if (exact !== undefined) return exact;
  // "9x16", "9 / 16", "16×9" → "9:16"-style ratios; "1080" ↔ "1080p" and "2k" ↔ "2K" are the same value.
  const text = String(value)
    .trim()
    .toLowerCase()
    .replace(/(\d)\s*[x×/]\s*(\d)/g, '$1:$2')
    .replace(/\s+/g, '');
  const bare = (v: unknown) => String(v).toLowerCase().replace(/\s+/g, '').replace(/p$/, '');
  const loose = allowed.find((a) => String(a).toLowerCase() === text) ?? allowed.find((a) => bare(a) === bare(text));
  if (loose !== undefined) return loose;
  const n = Number.parseFloat(text);
  const numeric = allowed.filter((a) => Number.isFinite(Number(a)));
  if (!Number.isFinite(n) || numeric.length === 0 || numeric.length !== allowed.length) return undefined;
  return numeric.reduce((best, a) => (Math.abs(Number(a) - n) < Math.abs(Number(best) - n) ? a : best));
}

/**
 * The gate between what a recommender wrote and what a button may launch. Each raw option is checked on its
 * own, so one bad option costs only itself: unknown models dropped, params repaired, styles kept only on
 * Soul and motions only on DoP (resolved against the catalogs), input images taken only from the request or
 * the thread, prompts screened and kept to a sensible length, labels fitted to a button, duplicates removed,
 * and at most four kept. The result passes the model's own schema, as every submit does.
 */
import { z } from 'zod';
import type { ImageInput, ResultSummary } from '../core/assistant-types.js';
import type { GenerationOption } from '../core/types.js';
import { findModel, type ModelSpec, validateRequest } from '../higgsfield/models/registry.js';
import type { Catalog } from './catalog.js';
import { screenPrompt } from './content-policy.js';
import { repairParams } from './param-repair.js';

export const LABEL_MAX_CHARS = 75;
export const ENHANCED_PROMPT_MAX_CHARS = 800;
export const REASON_MAX_CHARS = 200;
export const MAX_OPTIONS = 4;
const DEFAULT_MOTION_STRENGTH = 0.5;

const motionRef = z.union([z.string(), z.object({ name: z.string(), strength: z.number().optional() })]);

/** One option as a recommender writes it (the propose tool's item schema, loosely). */
export const rawOptionSchema = z.object({
  model: z.string().min(1),
  prompt: z.string(),
  label: z.string().optional(),
  reason: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  style: z.string().optional(),
  motions: z.array(motionRef).optional(),
  image: z.string().optional(),
});
export type RawOption = z.infer<typeof rawOptionSchema>;

export interface ValidationContext {
  catalog: Catalog;
  image?: ImageInput;
  results: readonly ResultSummary[];
  /** The person's own words, used when an option's prompt is empty. */
  requestText: string;
}

export interface ValidatedOptions {
  options: GenerationOption[];
  problems: string[];
  /** Topics the screening removed from prompts. */
  flagged: string[];
}

export function validateOptions(raw: readonly unknown[], ctx: ValidationContext): ValidatedOptions {
  const options: GenerationOption[] = [];
  const problems: string[] = [];
  const flagged = new Set<string>();
  raw.forEach((item, i) => {
    const parsed = rawOptionSchema.safeParse(item);
    if (!parsed.success) {
      problems.push(
        `option ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'option'} ${x.message}`).join('; ')}`,
      );
      return;
    }
    const result = buildOption(parsed.data, ctx);
    if (typeof result === 'string') {
      problems.push(`option ${i + 1}: ${result}`);
      return;
    }
    for (const topic of result.flagged) flagged.add(topic);
    problems.push(...result.problems.map((p) => `option ${i + 1}: ${p}`));
    if (options.some((o) => sameOption(o, result.option))) {
      problems.push(`option ${i + 1}: same as an earlier option`);
      return;
    }
    options.push(result.option);
  });
  if (options.length > MAX_OPTIONS) problems.push(`${options.length} options; kept the first ${MAX_OPTIONS}`);
  return { options: options.slice(0, MAX_OPTIONS), problems, flagged: [...flagged] };
}

type Built = { option: GenerationOption; problems: string[]; flagged: string[] };

function buildOption(raw: RawOption, ctx: ValidationContext): Built | string {
  const model = findModel(raw.model.trim());
  if (!model) return `unknown model "${raw.model}"`;
  const problems: string[] = [];
  const screened = screenPrompt(raw.prompt.trim() || ctx.requestText);
  if (screened.blocked) return 'prompt refused';
  const prompt = clip(screened.text, ENHANCED_PROMPT_MAX_CHARS);
  if (!prompt) return 'empty prompt';

  const repaired = repairParams(model, raw.params);
  problems.push(...repaired.problems);
  const params: Record<string, unknown> = { ...repaired.params };
  const option: GenerationOption = {
    kind: model.kind,
    modelId: model.id,
    prompt,
    params,
    label: '',
    reason: clip(oneLine(raw.reason ?? model.strength), REASON_MAX_CHARS),
  };

  if (model.kind === 'image-to-video') {
    const image = resolveImage(raw.image, ctx);
    if (!image) return `${model.title} animates an image, and there is none to animate`;
    params.image_url = image;
  } else if (raw.image && model.id === 'nano-banana') {
    const image = resolveImage(raw.image, ctx);
    if (image) params.input_images = [{ type: 'image_url', image_url: image }];
  }

  if (raw.style) {
    if (!model.styles) problems.push(`style "${raw.style}" dropped: styles apply only to Soul`);
    else {
      const style = ctx.catalog.resolve('style', raw.style);
      if (style) {
        params.style_id = style.id;
        option.style = { id: style.id, name: style.name };
      } else problems.push(`unknown style "${raw.style}"`);
    }
  }
  if (raw.motions?.length && !model.motions) problems.push('motions dropped: camera motions apply only to DoP');
  if (model.motions) {
    const resolved = resolveMotions(raw.motions, ctx.catalog);
    if (raw.motions?.length && resolved.length === 0) {
      problems.push(`unknown motion ${raw.motions.map((m) => `"${typeof m === 'string' ? m : m.name}"`).join(', ')}`);
    }
    // No motion (or none that exists): the neutral camera move, so the button still says what it does.
    const general = resolved.length ? undefined : ctx.catalog.fallback('motion');
    if (resolved.length) option.motions = resolved;
    else if (general) option.motions = [{ id: general.id, name: general.name, strength: DEFAULT_MOTION_STRENGTH }];
  }
  if (option.motions?.length) params.motions = option.motions.map(({ id, strength }) => ({ id, strength }));

  try {
    option.params = withoutPrompt(validateRequest(model.id, { ...params, prompt }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  option.label = fitLabel(raw.label, model, option);
  return { option, problems, flagged: screened.flagged };
}

function resolveImage(ref: string | undefined, ctx: ValidationContext): string | undefined {
  const text = (ref ?? '').toLowerCase();
  const n = /\bresult\s*#?\s*(\d+)\b/.exec(text)?.[1];
  if (n) return ctx.results[Number(n) - 1]?.imageUrl;
  if (ctx.image && (!ref || text.includes('attach'))) return ctx.image.url;
  // No explicit reference: the attached image, else the newest image result of the thread.
  return ctx.image?.url ?? [...ctx.results].reverse().find((r) => r.imageUrl)?.imageUrl;
}

function resolveMotions(refs: RawOption['motions'], catalog: Catalog): NonNullable<GenerationOption['motions']> {
  const out: NonNullable<GenerationOption['motions']> = [];
  for (const ref of refs ?? []) {
    const name = typeof ref === 'string' ? ref : ref.name;
    const strength = typeof ref === 'string' ? DEFAULT_MOTION_STRENGTH : (ref.strength ?? DEFAULT_MOTION_STRENGTH);
    const motion = catalog.resolve('motion', name);
    if (motion && !out.some((m) => m.id === motion.id)) {
      out.push({ id: motion.id, name: motion.name, strength: Math.min(1, Math.max(0, strength)) });
    }
  }
  return out.slice(0, 2);
}

function fitLabel(raw: string | undefined, model: ModelSpec, option: GenerationOption): string {
  const detail = option.style?.name ?? option.motions?.map((m) => m.name).join(' + ');
  const fallback = detail ? `${model.title} · ${detail}` : model.title;
  return clip(oneLine(raw ?? '') || fallback, LABEL_MAX_CHARS);
}

function withoutPrompt(body: Record<string, unknown>): Record<string, unknown> {
  const { prompt: _prompt, ...params } = body;
  return params;
}

function sameOption(a: GenerationOption, b: GenerationOption): boolean {
  return (
    a.modelId === b.modelId &&
    a.style?.id === b.style?.id &&
    JSON.stringify(a.motions?.map((m) => m.id)) === JSON.stringify(b.motions?.map((m) => m.id)) &&
    a.prompt.toLowerCase() === b.prompt.toLowerCase()
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function clip(text: string, max: number): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/agent/catalog.js';
import {
  ENHANCED_PROMPT_MAX_CHARS,
  LABEL_MAX_CHARS,
  MAX_OPTIONS,
  type ValidationContext,
  validateOptions,
} from '../../src/agent/proposal-validation.js';
import type { ResultSummary } from '../../src/core/assistant-types.js';
import { validateRequest } from '../../src/higgsfield/models/registry.js';
import { MOTION_ENTRIES, SOUL_STYLE_ENTRIES } from '../../src/higgsfield/simulator/catalogs.js';

const CATALOG = new Catalog(
  SOUL_STYLE_ENTRIES.map(([id, name, description]) => ({ id, name, description })),
  MOTION_ENTRIES.map(([id, name, description]) => ({ id, name, description })),
);
const idOf = (kind: 'style' | 'motion', name: string) => {
  const entry = CATALOG.entries(kind).find((e) => e.name === name);
  if (!entry) throw new Error(`no ${kind} ${name}`);
  return entry.id;
};

const SOUL = 'higgsfield-ai/soul/v2/standard';
const DOP = 'higgsfield-ai/dop/turbo';
const SEEDANCE_T2V = 'bytedance/seedance/v1/pro/fast/text-to-video';
const SEEDANCE_I2V = 'bytedance/seedance/v1/pro/fast/image-to-video';
const KLING_T2V = 'kling-video/v2.5-turbo/pro/text-to-video';

function result(n: number, imageUrl?: string): ResultSummary {
  return {
    generationId: `gen-${n}`,
    option: { kind: 'text-to-image', modelId: SOUL, label: `Result ${n}`, prompt: `picture ${n}`, params: {} },
    state: 'completed',
    ...(imageUrl ? { imageUrl } : {}),
  };
}

function ctx(extra: Partial<ValidationContext> = {}): ValidationContext {
  return { catalog: CATALOG, results: [], requestText: 'a fox in the snow', ...extra };
}

/** Validates one raw option and returns what survived (or undefined) with the problems. */
function one(raw: Record<string, unknown>, context = ctx()) {
  const validated = validateOptions([raw], context);
  return { option: validated.options[0], problems: validated.problems, flagged: validated.flagged };
}

describe('validateOptions: models and params', () => {
  it('drops an option for an unknown model and says which', () => {
    const { option, problems } = one({ model: 'midjourney/v7', prompt: 'a fox' });

    expect(option).toBeUndefined();
    expect(problems).toEqual(['option 1: unknown model "midjourney/v7"']);
  });

  it('fills the model’s defaults and keeps prompt out of params', () => {
    const { option } = one({ model: SEEDANCE_T2V, prompt: 'a fox running' });

    expect(option).toMatchObject({ kind: 'text-to-video', modelId: SEEDANCE_T2V, prompt: 'a fox running' });
    expect(option?.params).toEqual({ duration: 5, resolution: '1080', aspect_ratio: '16:9', camera_fixed: false });
  });

  it('clamps an out-of-range duration into the model’s range (Seedance 99 s → 12 s)', () => {
    const { option } = one({ model: SEEDANCE_T2V, prompt: 'a fox', params: { duration: 99 } });

    expect(option?.params.duration).toBe(12);
  });

  it('moves a duration the model does not offer to the nearest one it does (Kling 7 s → 5 s, 9 s → 10 s)', () => {
    expect(one({ model: KLING_T2V, prompt: 'a fox', params: { duration: 7 } }).option?.params.duration).toBe(5);
    expect(one({ model: KLING_T2V, prompt: 'a fox', params: { duration: '9s' } }).option?.params.duration).toBe(10);
  });

  it('drops params the model does not have, with a problem naming them', () => {
    const { option, problems } = one({ model: KLING_T2V, prompt: 'a fox', params: { fps: 60, duration: 10 } });

    expect(option?.params).not.toHaveProperty('fps');
    expect(option?.params.duration).toBe(10);
    expect(problems.join(' ')).toMatch(/no param "fps"/);
  });

  it('never takes input fields (image_url, style_id, motions) from a recommender’s params', () => {
    const { option } = one({
      model: SOUL,
      prompt: 'a fox',
      params: { style_id: idOf('style', 'Anime'), image_url: 'https://evil.example/x.png' },
    });

    expect(option?.params).not.toHaveProperty('style_id');
    expect(option?.params).not.toHaveProperty('image_url');
  });

  it('produces params that pass the model’s own schema', () => {
    const { option } = one({ model: SOUL, prompt: 'a fox', style: 'Anime', params: { aspect_ratio: '9x16' } });

    expect(option?.params.aspect_ratio).toBe('9:16');
    expect(() => validateRequest(SOUL, { ...option?.params, prompt: option?.prompt })).not.toThrow();
  });
});

describe('validateOptions: styles and motions', () => {
  it('resolves a Soul style by name and sends its id', () => {
    const { option } = one({ model: SOUL, prompt: 'a fox', style: 'golden hour' });

    expect(option?.style).toEqual({ id: idOf('style', 'Golden Hour'), name: 'Golden Hour' });
    expect(option?.params.style_id).toBe(idOf('style', 'Golden Hour'));
    expect(option?.label).toContain('Golden Hour');
  });

  it('drops a style on a non-Soul model, keeping the option', () => {
    const { option, problems } = one({ model: KLING_T2V, prompt: 'a fox', style: 'Anime' });

    expect(option).toBeDefined();
    expect(option?.style).toBeUndefined();
    expect(option?.params).not.toHaveProperty('style_id');
    expect(problems.join(' ')).toMatch(/styles apply only to Soul/);
  });

  it('drops motions on a non-DoP model, keeping the option', () => {
    const { option, problems } = one({ model: SEEDANCE_T2V, prompt: 'a fox', motions: ['Zoom In'] });

    expect(option).toBeDefined();
    expect(option?.motions).toBeUndefined();
    expect(option?.params).not.toHaveProperty('motions');
    expect(problems.join(' ')).toMatch(/only to DoP/);
  });

  it('resolves DoP motions by name, keeps at most two, and clamps strength to 0..1', () => {
    const { option } = one(
      {
        model: DOP,
        prompt: 'a fox',
        motions: [{ name: 'zoom in', strength: 3 }, { name: 'Orbit', strength: -1 }, 'Static'],
      },
      ctx({ image: { url: 'https://cdn.example/fox.png' } }),
    );

    expect(option?.motions).toEqual([
      { id: idOf('motion', 'Zoom In'), name: 'Zoom In', strength: 1 },
      { id: idOf('motion', 'Orbit'), name: 'Orbit', strength: 0 },
    ]);
    expect(option?.params.motions).toEqual([
      { id: idOf('motion', 'Zoom In'), strength: 1 },
      { id: idOf('motion', 'Orbit'), strength: 0 },
    ]);
  });

  it('gives DoP the neutral motion when the motions named do not exist, and says so', () => {
    const { option, problems } = one(
      { model: DOP, prompt: 'a fox', motions: ['Moonwalk Spiral'] },
      ctx({ image: { url: 'https://cdn.example/fox.png' } }),
    );

    expect(option?.motions).toEqual([{ id: idOf('motion', 'General'), name: 'General', strength: 0.5 }]);
    expect(problems.join(' ')).toMatch(/unknown motion "Moonwalk Spiral"/);
  });
});

describe('validateOptions: input images', () => {
  it('drops an image-to-video option when there is no image to animate', () => {
    const { option, problems } = one({ model: SEEDANCE_I2V, prompt: 'a fox' });

    expect(option).toBeUndefined();
    expect(problems[0]).toMatch(/there is none to animate/);
  });

  it('animates the attached image', () => {
    const { option } = one(
      { model: SEEDANCE_I2V, prompt: 'a fox' },
      ctx({ image: { url: 'https://cdn.example/a.png' } }),
    );

    expect(option?.params.image_url).toBe('https://cdn.example/a.png');
  });

  it('never uses a URL a recommender wrote as the image, only the request’s or the thread’s', () => {
    const raw = { model: SEEDANCE_I2V, prompt: 'a fox', image: 'https://evil.example/x.png' };

    expect(one(raw).option).toBeUndefined();
    expect(one(raw, ctx({ image: { url: 'https://cdn.example/a.png' } })).option?.params.image_url).toBe(
      'https://cdn.example/a.png',
    );
    const nano = one({ model: 'nano-banana', prompt: 'a fox', image: 'https://evil.example/x.png' });
    expect(nano.option?.params).not.toHaveProperty('input_images');
  });

  it('"result 2" picks the second result’s image', () => {
    const results = [result(1, 'https://cdn.example/r1.png'), result(2, 'https://cdn.example/r2.png')];
    const { option } = one({ model: SEEDANCE_I2V, prompt: 'a fox', image: 'result 2' }, ctx({ results }));

    expect(option?.params.image_url).toBe('https://cdn.example/r2.png');
  });

  it('without a reference, takes the newest image result of the thread', () => {
    const results = [result(1, 'https://cdn.example/r1.png'), result(2, 'https://cdn.example/r2.png'), result(3)];
    const { option } = one({ model: SEEDANCE_I2V, prompt: 'a fox' }, ctx({ results }));

    expect(option?.params.image_url).toBe('https://cdn.example/r2.png');
  });

  it('gives Nano Banana the attached image as a reference', () => {
    const { option } = one(
      { model: 'nano-banana', prompt: 'the same fox in winter', image: 'attached' },
      ctx({ image: { url: 'https://cdn.example/a.png' } }),
    );

    expect(option?.params.input_images).toEqual([{ type: 'image_url', image_url: 'https://cdn.example/a.png' }]);
  });
});

describe('validateOptions: text, duplicates and count', () => {
  it('clips labels to a button’s 75 characters and prompts to 800', () => {
    const { option } = one({ model: SOUL, prompt: 'fox '.repeat(400), label: 'A very long label '.repeat(10) });

    expect(option?.label.length).toBeLessThanOrEqual(LABEL_MAX_CHARS);
    expect(option?.label.endsWith('…')).toBe(true);
    expect(option?.prompt.length).toBeLessThanOrEqual(ENHANCED_PROMPT_MAX_CHARS);
  });

  it('labels an option from its model and style when the recommender gave none', () => {
    expect(one({ model: SOUL, prompt: 'a fox', style: 'Anime' }).option?.label).toBe('Soul 2 · Anime');
  });

  it('uses the request text when a prompt is empty', () => {
    expect(one({ model: SOUL, prompt: '   ' }).option?.prompt).toBe('a fox in the snow');
  });

  it('screens prompts: a flagged word is removed and its topic reported', () => {
    const { option, flagged } = one({ model: SOUL, prompt: 'a topless dancer on stage' });

    expect(option?.prompt).not.toMatch(/topless/);
    expect(flagged).toEqual(['nudity or sexual content']);
  });

  it('removes duplicates (same model, look and prompt, in any case)', () => {
    const validated = validateOptions(
      [
        { model: SOUL, prompt: 'A fox', style: 'Anime' },
        { model: SOUL, prompt: 'a fox', style: 'anime' },
        { model: SOUL, prompt: 'a fox', style: 'Watercolor' },
      ],
      ctx(),
    );

    expect(validated.options.map((o) => o.style?.name)).toEqual(['Anime', 'Watercolor']);
    expect(validated.problems).toContain('option 2: same as an earlier option');
  });

  it('keeps at most four options', () => {
    const raw = ['Anime', 'Watercolor', 'Film Noir', 'Fantasy', 'Minimalist', 'Creatures'].map((style) => ({
      model: SOUL,
      prompt: 'a fox',
      style,
    }));
    const validated = validateOptions(raw, ctx());

    expect(validated.options).toHaveLength(MAX_OPTIONS);
    expect(validated.options.map((o) => o.style?.name)).toEqual(['Anime', 'Watercolor', 'Film Noir', 'Fantasy']);
    expect(validated.problems).toContain('6 options; kept the first 4');
  });

  it('drops malformed items with a problem and keeps the good ones', () => {
    const validated = validateOptions(
      [
        { prompt: 'no model here' },
        { model: SOUL, prompt: 42 },
        'not even an object',
        { model: KLING_T2V, prompt: 'a fox running' },
      ],
      ctx(),
    );

    expect(validated.options.map((o) => o.modelId)).toEqual([KLING_T2V]);
    expect(validated.problems.filter((p) => /^option [123]:/.test(p))).toHaveLength(3);
    expect(validated.problems[0]).toMatch(/^option 1: model/);
    expect(validated.problems[1]).toMatch(/^option 2: prompt/);
  });
});

import { describe, expect, it } from 'vitest';
import { BUILT_IN_CATALOG, Catalog, CatalogCache } from '../../src/agent/catalog.js';
import { OfflineRecommender } from '../../src/agent/offline-recommender.js';
import { LABEL_MAX_CHARS } from '../../src/agent/proposal-validation.js';
import type { MemoryTurn, Proposal, RecommendInput, ResultSummary } from '../../src/core/assistant-types.js';
import { summarizeOption } from '../../src/core/option-summary.js';
import type { GenerationOption } from '../../src/core/types.js';
import { findModel, validateRequest } from '../../src/higgsfield/models/registry.js';
import { MOTION_ENTRIES, SOUL_STYLE_ENTRIES } from '../../src/higgsfield/simulator/catalogs.js';

const CATALOG = new Catalog(
  SOUL_STYLE_ENTRIES.map(([id, name, description]) => ({ id, name, description })),
  MOTION_ENTRIES.map(([id, name, description]) => ({ id, name, description })),
);
const MOTION_IDS = new Set(CATALOG.motions.map((m) => m.id));
const ATTACHED = { url: 'https://cdn.example/x.png' };

function recommender(catalog = CATALOG): OfflineRecommender {
  return new OfflineRecommender(
    new CatalogCache({ styles: async () => [...catalog.styles], motions: async () => [...catalog.motions] }),
  );
}

function ask(input: Partial<RecommendInput> & { text: string }, catalog = CATALOG): Promise<Proposal> {
  return recommender(catalog).recommend({ memory: [], results: [], ...input });
}

/** Every option must be launchable as is: its params plus its prompt pass the model's own schema. */
function expectLaunchable(options: readonly GenerationOption[]): void {
  for (const option of options) {
    expect(findModel(option.modelId)?.kind).toBe(option.kind);
    expect(() => validateRequest(option.modelId, { ...option.params, prompt: option.prompt })).not.toThrow();
    expect(option.label.length).toBeGreaterThan(0);
    expect(option.label.length).toBeLessThanOrEqual(LABEL_MAX_CHARS);
    expect(option.reason.length).toBeGreaterThan(0);
  }
}

function shownOptions(options: readonly GenerationOption[]): MemoryTurn[] {
  return [
    { role: 'user', text: 'cinematic sunset over mountains', atMs: 1 },
    { role: 'options', key: 'set-1', options: options.map(summarizeOption), atMs: 2 },
  ];
}

function imageResult(option: GenerationOption, imageUrl: string, id = 'gen-1'): ResultSummary {
  return { generationId: id, option: summarizeOption(option), state: 'completed', imageUrl };
}

describe('offline recommender: a fresh request', () => {
  it('offers 2–4 distinct, launchable options mixing stills and video, in offline mode', async () => {
    const proposal = await ask({ text: 'cinematic sunset over mountains' });

    expect(proposal.mode).toBe('offline');
    expect(proposal.declined).toBeUndefined();
    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    expect(proposal.options.length).toBeLessThanOrEqual(4);
    const identities = proposal.options.map((o) => `${o.modelId}|${o.style?.id}|${o.prompt}`);
    expect(new Set(identities).size).toBe(identities.length);
    expect(proposal.options.some((o) => o.kind === 'text-to-image')).toBe(true);
    expect(proposal.options.some((o) => o.kind === 'text-to-video')).toBe(true);
    expect(proposal.text).toContain('cinematic sunset over mountains');
    expectLaunchable(proposal.options);
  });

  it('gives a Soul option a catalog style that fits the subject, applied by id', async () => {
    const proposal = await ask({ text: 'cinematic sunset over mountains' });

    const soul = proposal.options.filter((o) => o.modelId === 'higgsfield-ai/soul/v2/standard');
    expect(soul.length).toBeGreaterThan(0);
    const styleNames = soul.map((o) => o.style?.name);
    expect(styleNames.some((n) => n === 'Golden Hour' || n === 'Cinematic')).toBe(true);
    for (const option of soul) {
      expect(option.style).toBeDefined();
      expect(option.params.style_id).toBe(option.style?.id);
      expect(option.label).toContain(option.style?.name);
    }
  });

  it('names only styles the catalog has: with the built-in catalog every Soul option is General or unstyled', async () => {
    const proposal = await ask({ text: 'cinematic sunset over mountains' }, BUILT_IN_CATALOG);

    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    for (const option of proposal.options.filter((o) => o.modelId === 'higgsfield-ai/soul/v2/standard')) {
      expect(option.style?.name ?? 'General').toBe('General');
      expect(option.label).not.toContain('Cinematic');
    }
    expectLaunchable(proposal.options);
  });

  it('with intent "image" proposes only text-to-image options, on more than one model', async () => {
    const proposal = await ask({ text: 'cinematic sunset over mountains', intent: 'image' });

    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    expect(proposal.options.every((o) => o.kind === 'text-to-image')).toBe(true);
    expect(new Set(proposal.options.map((o) => o.modelId)).size).toBeGreaterThan(1);
    expectLaunchable(proposal.options);
  });

  it('with intent "image" for a design request does not offer Seedream twice', async () => {
    const proposal = await ask({ text: 'a vector illustration of a fox', intent: 'image' });

    expect(proposal.options.filter((o) => o.modelId === 'bytedance/seedream/v4/text-to-image')).toHaveLength(1);
    expect(proposal.options.every((o) => o.kind === 'text-to-image')).toBe(true);
  });

  it('with intent "video" proposes only text-to-video options', async () => {
    const proposal = await ask({ text: 'cinematic sunset over mountains', intent: 'video' });

    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    expect(proposal.options.every((o) => o.kind === 'text-to-video')).toBe(true);
    expectLaunchable(proposal.options);
  });

  it('turns sound words into a Veo option with audio on', async () => {
    const proposal = await ask({ text: 'waves crashing with ambient ocean sound', intent: 'video' });

    const veo = proposal.options.find((o) => o.modelId === 'veo3.1/fast');
    expect(veo?.params.generate_audio).toBe(true);
  });

  it('carries an aspect wish into every option whose model takes it', async () => {
    const proposal = await ask({ text: 'a lighthouse in a storm, vertical' });

    const withAspect = proposal.options.filter((o) => 'aspect_ratio' in o.params);
    expect(withAspect.length).toBeGreaterThan(0);
    for (const option of withAspect) expect(option.params.aspect_ratio).toBe('9:16');
  });

  it('is deterministic: the same input gives the same options', async () => {
    const input = { text: 'cinematic sunset over mountains' };
    expect(await ask(input)).toEqual(await ask(input));
  });
});

describe('offline recommender: an attached image', () => {
  it('with intent "animate" proposes only image-to-video options that animate that image', async () => {
    const proposal = await ask({ text: 'make it dance', intent: 'animate', image: ATTACHED });

    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    for (const option of proposal.options) {
      expect(option.kind).toBe('image-to-video');
      expect(option.params.image_url).toBe(ATTACHED.url);
    }
    expectLaunchable(proposal.options);
  });

  it('gives DoP options catalog motions only (the neutral one when the words name none)', async () => {
    const proposal = await ask({ text: 'make it dance', intent: 'animate', image: ATTACHED });

    const dop = proposal.options.filter((o) => o.modelId.startsWith('higgsfield-ai/dop/'));
    expect(dop.length).toBeGreaterThan(0);
    for (const option of dop) {
      expect(option.motions?.length).toBeGreaterThan(0);
      for (const motion of option.motions ?? []) expect(MOTION_IDS.has(motion.id)).toBe(true);
      expect(option.params.motions).toEqual(option.motions?.map(({ id, strength }) => ({ id, strength })));
    }
    expect(dop[0]?.motions?.[0]?.name).toBe('General');
  });

  it('picks the camera move the person named', async () => {
    const zoom = await ask({ text: 'slowly zoom in on her face', intent: 'animate', image: ATTACHED });
    const orbit = await ask({ text: 'orbit around the statue', intent: 'animate', image: ATTACHED });

    expect(zoom.options.find((o) => o.motions)?.motions?.[0]?.name).toBe('Zoom In');
    expect(orbit.options.find((o) => o.motions)?.motions?.[0]?.name).toBe('Orbit');
  });

  it('without an intent may also offer an image edit: Nano Banana with the image as reference', async () => {
    const proposal = await ask({ text: 'a cat on a sofa', image: ATTACHED });

    const edits = proposal.options.filter((o) => o.kind !== 'image-to-video');
    expect(edits).toHaveLength(1);
    expect(edits[0]?.modelId).toBe('nano-banana');
    expect(edits[0]?.params.input_images).toEqual([{ type: 'image_url', image_url: ATTACHED.url }]);
    for (const option of proposal.options.filter((o) => o.kind === 'image-to-video')) {
      expect(option.params.image_url).toBe(ATTACHED.url);
    }
    expectLaunchable(proposal.options);
  });

  it('keeps a described subject whole in the prompts (the Animate button passes the image’s prompt)', async () => {
    const description = 'a photo of the old lighthouse at dawn, soft mist over the sea';
    const proposal = await ask({ text: description, intent: 'animate', image: ATTACHED });

    for (const option of proposal.options) expect(option.prompt.startsWith(description)).toBe(true);
  });
});

describe('offline recommender: follow-ups', () => {
  async function firstRound() {
    return (await ask({ text: 'cinematic sunset over mountains' })).options;
  }

  it('"option 2 but vertical" keeps option 2’s model and prompt, in 9:16', async () => {
    const shown = await firstRound();
    const proposal = await ask({ text: 'option 2 but vertical', memory: shownOptions(shown) });

    const [first] = proposal.options;
    expect(first?.modelId).toBe(shown[1]?.modelId);
    expect(first?.prompt).toBe(shown[1]?.prompt);
    expect(first?.params.aspect_ratio).toBe('9:16');
    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    for (const option of proposal.options.filter((o) => 'aspect_ratio' in o.params)) {
      expect(option.params.aspect_ratio).toBe('9:16');
    }
    expect(proposal.text).toContain('option 2');
    expectLaunchable(proposal.options);
  });

  it('"#3 but square" reads the hash form of an option number', async () => {
    const shown = await firstRound();
    const proposal = await ask({ text: '#3 but square', memory: shownOptions(shown) });

    expect(proposal.options[0]?.modelId).toBe(shown[2]?.modelId);
    expect(proposal.options[0]?.params.aspect_ratio).toBe('1:1');
  });

  it('"warmer" changes the prompt of the option it builds on, and nothing else', async () => {
    const shown = await firstRound();
    const proposal = await ask({ text: 'warmer', memory: shownOptions(shown) });

    const [first] = proposal.options;
    expect(first?.modelId).toBe(shown[0]?.modelId);
    expect(first?.prompt).not.toBe(shown[0]?.prompt);
    expect(first?.prompt.startsWith(shown[0]?.prompt ?? '')).toBe(true);
    expect(first?.prompt).toMatch(/warm/);
    expect(first?.style).toEqual(shown[0]?.style);
    expectLaunchable(proposal.options);
  });

  it('"now animate it" animates the newest image result, with image-to-video options', async () => {
    const shown = await firstRound();
    const still = shown.find((o) => o.kind === 'text-to-image');
    if (!still) throw new Error('the first round should include a still');
    const results = [imageResult(still, 'https://cdn.example/result-1.png')];
    const proposal = await ask({ text: 'now animate it', memory: shownOptions(shown), results });

    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    for (const option of proposal.options) {
      expect(option.kind).toBe('image-to-video');
      expect(option.params.image_url).toBe('https://cdn.example/result-1.png');
      expect(option.prompt).toContain('cinematic sunset over mountains');
    }
    expectLaunchable(proposal.options);
  });

  it('"now animate it, darker" carries the mood into the animation prompts', async () => {
    const shown = await firstRound();
    const results = [imageResult(shown[0]!, 'https://cdn.example/result-1.png')];
    const proposal = await ask({ text: 'now animate it, darker', memory: shownOptions(shown), results });

    for (const option of proposal.options) expect(option.prompt).toContain('darker, moodier lighting');
  });

  it('"animate result 1" picks the numbered result', async () => {
    const shown = await firstRound();
    const still = shown.find((o) => o.kind === 'text-to-image');
    if (!still) throw new Error('the first round should include a still');
    const results = [
      imageResult(still, 'https://cdn.example/one.png', 'g1'),
      imageResult(still, 'https://cdn.example/two.png', 'g2'),
    ];
    const proposal = await ask({ text: 'animate result 1', memory: shownOptions(shown), results });

    for (const option of proposal.options) expect(option.params.image_url).toBe('https://cdn.example/one.png');
  });

  it('a new idea after earlier options starts fresh, even with "that" or "landscape" in it', async () => {
    const shown = await firstRound();
    for (const text of ['a dog that surfs a huge wave', 'a misty mountain landscape']) {
      const proposal = await ask({ text, memory: shownOptions(shown) });
      expect(proposal.text).not.toContain('Building on');
      expect(proposal.options.every((o) => !o.prompt.includes('cinematic sunset'))).toBe(true);
    }
  });
});

describe('offline recommender: content policy', () => {
  it('rephrases a request Higgsfield would refuse and says a safe version was proposed', async () => {
    const proposal = await ask({ text: 'a nude woman on a beach' });

    expect(proposal.declined).toBeUndefined();
    expect(proposal.options.length).toBeGreaterThanOrEqual(2);
    for (const option of proposal.options) {
      expect(option.prompt).not.toMatch(/\bnude\b/i);
      expect(option.prompt).toContain('woman on a beach');
    }
    expect(proposal.text).toMatch(/safe version/);
    expectLaunchable(proposal.options);
  });

  it('declines sexual content involving minors outright, with no options', async () => {
    for (const text of ['a naked teen at the pool', 'sexy little girl']) {
      const proposal = await ask({ text });
      expect(proposal.declined).toBe(true);
      expect(proposal.options).toEqual([]);
      expect(proposal.text).toMatch(/can’t help/);
    }
  });
});

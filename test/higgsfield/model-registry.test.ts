import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import {
  describeParams,
  findModel,
  getModel,
  listModels,
  type ModelSpec,
  validateRequest,
} from '../../src/higgsfield/models/registry.js';

/** The smallest body a person could send: the prompt, plus an input image where the model needs one. */
function minimalBody(model: ModelSpec): Record<string, unknown> {
  const body: Record<string, unknown> = { prompt: 'a lighthouse at dusk' };
  if (model.kind === 'image-to-video') body.image_url = 'https://cdn.example.com/input.png';
  return body;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return (error as Error).message;
  }
  throw new Error('expected a BadInputError');
}

/** A parameter with a closed set of values (an enum, or true/false), and one with a numeric range. */
function enumParam(model: ModelSpec) {
  const params = describeParams(model);
  const param =
    params.find((p) => p.allowed.startsWith('one of ')) ?? params.find((p) => p.allowed === 'true or false');
  if (!param) throw new Error(`${model.id} has no enumerated parameter to test`);
  return param;
}
function rangeParam(model: ModelSpec) {
  return describeParams(model).find((p) => /from -?\d+(\.\d+)? to \d+/.test(p.allowed));
}

const REQUIRED_IDS = [
  'higgsfield-ai/soul/v2/standard',
  'nano-banana',
  'bytedance/seedream/v4/text-to-image',
  'higgsfield-ai/dop/lite',
  'higgsfield-ai/dop/turbo',
  'higgsfield-ai/dop/standard',
  'kling-video/v2.5-turbo/pro/text-to-video',
  'kling-video/v2.5-turbo/pro/image-to-video',
  'minimax/hailuo-02/standard/text-to-video',
  'minimax/hailuo-02/standard/image-to-video',
  'bytedance/seedance/v1/lite/text-to-video',
  'bytedance/seedance/v1/lite/image-to-video',
  'bytedance/seedance/v1/pro/fast/text-to-video',
  'bytedance/seedance/v1/pro/fast/image-to-video',
  'veo3.1',
  'veo3.1/fast',
  'veo3.1/image-to-video',
  'veo3.1/fast/image-to-video',
  'wan-25-preview/text-to-video',
  'wan-25-preview/image-to-video',
];

describe('model registry', () => {
  it('offers every model the product promises, each with a kind and a one-line strength', () => {
    for (const id of REQUIRED_IDS) {
      const model = findModel(id);
      expect(model, id).toBeDefined();
      expect(model?.strength.length, id).toBeGreaterThan(20);
      expect(model?.strength, id).not.toContain('\n');
    }
    expect(new Set(listModels().map((m) => m.id)).size).toBe(listModels().length);
    expect(listModels('image-to-video').every((m) => m.kind === 'image-to-video')).toBe(true);
  });

  describe.each(listModels().map((m) => [m.id, m] as const))('%s', (_id, model) => {
    it('accepts its defaults and fills them in', () => {
      const body = validateRequest(model.id, minimalBody(model));
      for (const p of describeParams(model)) {
        if (p.default !== undefined) expect(body[p.name], p.name).toEqual(p.default);
      }
    });

    it('rejects a value outside an enum, naming the field and the allowed values', () => {
      const param = enumParam(model);
      const message = messageOf(() => validateRequest(model.id, { ...minimalBody(model), [param.name]: 'nope-7' }));
      expect(message).toContain(param.name);
      expect(message).toContain(param.allowed);
      expect(message).toContain('"nope-7"');
    });

    it('rejects a number out of range, naming the field and the range', () => {
      const param = rangeParam(model) ?? { name: 'prompt', allowed: 'at most 2000 characters' };
      const value = param.name === 'prompt' ? 'x'.repeat(2001) : 99_999_999;
      const message = messageOf(() => validateRequest(model.id, { ...minimalBody(model), [param.name]: value }));
      expect(message).toContain(param.name);
      expect(message).toContain(param.name === 'prompt' ? '2000 characters' : param.allowed);
    });
  });

  it('gives Veo its durations as strings, as the API wants them', () => {
    expect(validateRequest('veo3.1', { prompt: 'rain', duration: '8' }).duration).toBe('8');
    expect(messageOf(() => validateRequest('veo3.1', { prompt: 'rain', duration: 8 }))).toContain(
      'duration must be one of 4, 6, 8 (got 8)',
    );
  });

  it('refuses a style on any model but Soul, and a motion on any model but DoP', () => {
    const style = '464ea177-8d40-4940-8d9d-b438bab269c7';
    expect(validateRequest('higgsfield-ai/soul/v2/standard', { prompt: 'p', style_id: style }).style_id).toBe(style);
    expect(messageOf(() => validateRequest('nano-banana', { prompt: 'p', style_id: style }))).toContain(
      'styles apply only to Soul',
    );
    expect(
      messageOf(() => validateRequest('veo3.1', { prompt: 'p', motions: [{ id: style, strength: 0.5 }] })),
    ).toContain('camera motions apply only to DoP');
  });

  it('allows at most two DoP motions', () => {
    const motion = (id: string) => ({ id, strength: 0.5 });
    const body = { prompt: 'p', image_url: 'https://cdn.example.com/a.png' };
    const ids = ['fbcbec5b-30f8-4b17-ba6e-8e8d5b265562', 'fa3ddb7c-53ee-4383-aa17-97ae65f180e5'];
    expect(validateRequest('higgsfield-ai/dop/turbo', { ...body, motions: ids.map(motion) }).motions).toHaveLength(2);
    const three = [...ids, '31177282-bde3-4870-b283-1135ca0a201a'].map(motion);
    expect(messageOf(() => validateRequest('higgsfield-ai/dop/turbo', { ...body, motions: three }))).toContain(
      'motions must be a list of at most 2',
    );
  });

  it('asks for the input image of an image-to-video model by name', () => {
    expect(messageOf(() => validateRequest('kling-video/v2.5-turbo/pro/image-to-video', { prompt: 'p' }))).toContain(
      'image_url is required (an http(s) URL)',
    );
  });

  it('refuses an empty prompt and an unknown model with a way forward', () => {
    expect(messageOf(() => validateRequest('nano-banana', { prompt: '   ' }))).toContain('prompt must not be empty');
    expect(messageOf(() => getModel('midjourney-v7'))).toContain('higgsbot models');
  });
});

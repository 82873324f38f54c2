import { describe, expect, it } from 'vitest';
import { parseFollowUp, stripInstructions } from '../../src/agent/follow-up.js';
import { INPUT_FIELDS, repairParams, tunableParams } from '../../src/agent/param-repair.js';
import { getModel } from '../../src/higgsfield/models/registry.js';

const SOUL = getModel('higgsfield-ai/soul/v2/standard');
const KLING = getModel('kling-video/v2.5-turbo/pro/text-to-video');
const SEEDANCE = getModel('bytedance/seedance/v1/pro/fast/text-to-video');
const VEO = getModel('veo3.1/fast');
const SEEDREAM = getModel('bytedance/seedream/v4/text-to-image');

describe('follow-up parsing', () => {
  it('"option 2 but vertical": option index 1, 9:16, a change to earlier work', () => {
    expect(parseFollowUp('option 2 but vertical')).toMatchObject({
      optionIndex: 1,
      aspectRatio: '9:16',
      refersBack: true,
      animate: false,
    });
  });

  it('reads option numbers written as "#3", "no. 4", "choice 1" and ordinals', () => {
    expect(parseFollowUp('#3 but square')).toMatchObject({ optionIndex: 2, aspectRatio: '1:1', refersBack: true });
    expect(parseFollowUp('option #2 please').optionIndex).toBe(1);
    expect(parseFollowUp('no. 4 again').optionIndex).toBe(3);
    expect(parseFollowUp('choice 1').optionIndex).toBe(0);
    expect(parseFollowUp('the second one, darker').optionIndex).toBe(1);
    expect(parseFollowUp('3rd option in landscape').optionIndex).toBe(2);
    expect(parseFollowUp('option 0').optionIndex).toBe(0);
  });

  it('turns mood words into prompt additions', () => {
    expect(parseFollowUp('warmer').additions).toEqual(['warm golden tones']);
    expect(parseFollowUp('cooler and more detailed').additions).toEqual(['cool blue tones', 'intricate fine detail']);
    expect(parseFollowUp('make it more colourful').additions).toEqual(['vivid saturated colour']);
    expect(parseFollowUp('a fox').additions).toEqual([]);
  });

  it('reads aspect words: vertical, square, landscape and ratios', () => {
    expect(parseFollowUp('for my instagram story').aspectRatio).toBe('9:16');
    expect(parseFollowUp('as a tiktok').aspectRatio).toBe('9:16');
    expect(parseFollowUp('1:1 please').aspectRatio).toBe('1:1');
    expect(parseFollowUp('widescreen').aspectRatio).toBe('16:9');
    expect(parseFollowUp('a story about a dragon').aspectRatio).toBeUndefined();
  });

  it('recognises a wish to animate, and a numbered result', () => {
    expect(parseFollowUp('now animate it')).toMatchObject({ animate: true, wantsVideo: true, refersBack: true });
    expect(parseFollowUp('bring it to life').animate).toBe(true);
    expect(parseFollowUp('animate result 2')).toMatchObject({ animate: true, resultNumber: 2 });
    expect(parseFollowUp('an animated dragon').animate).toBe(false);
  });

  it('treats short tweaks as follow-ups', () => {
    for (const text of ['warmer', 'again', 'portrait', 'more dramatic', 'now with a red sky', 'same but at night']) {
      expect(parseFollowUp(text).refersBack, text).toBe(true);
    }
  });

  it('treats new ideas as new, even when they contain "that", "one" or a format noun', () => {
    for (const text of [
      'a dog that surfs',
      'a misty mountain landscape',
      'a portrait of a knight',
      'one red balloon over a city',
      'the first man on the moon',
    ]) {
      expect(parseFollowUp(text).refersBack, text).toBe(false);
    }
  });

  it('treats long messages as new requests', () => {
    const long = 'option 2 but with a red sky and a flock of birds over the sea at sunset in winter';
    expect(parseFollowUp(long).refersBack).toBe(false);
    expect(parseFollowUp('').refersBack).toBe(false);
  });
});

describe('stripInstructions', () => {
  it('leaves nothing of a pure instruction', () => {
    for (const text of [
      'now animate it',
      'option 2 but vertical',
      'warmer',
      'now animate it, warmer',
      'option 1 in 9:16',
      '#2 again please',
      'the second one in portrait mode',
    ]) {
      expect(stripInstructions(text), text).toBe('');
    }
  });

  it('keeps the subject that came with an instruction', () => {
    expect(stripInstructions('the second one but with a red sky')).toBe('with a red sky');
    expect(stripInstructions('animate this photo of my dog running')).toBe('my dog running');
    expect(stripInstructions('make it a video with fireworks')).toBe('with fireworks');
  });
});

describe('param repair', () => {
  it('matches enum values loosely ("9x16", "9 / 16", "16×9", "1080", "2k")', () => {
    expect(repairParams(SOUL, { aspect_ratio: '9x16' }).params).toEqual({ aspect_ratio: '9:16' });
    expect(repairParams(SOUL, { aspect_ratio: '9 / 16' }).params).toEqual({ aspect_ratio: '9:16' });
    expect(repairParams(SEEDANCE, { aspect_ratio: '16×9' }).params).toEqual({ aspect_ratio: '16:9' });
    expect(repairParams(SOUL, { resolution: '1080' }).params).toEqual({ resolution: '1080p' });
    expect(repairParams(VEO, { resolution: '1080p' }).params).toEqual({ resolution: '1080' });
    expect(repairParams(SEEDREAM, { resolution: '2k' }).params).toEqual({ resolution: '2K' });
  });

  it('moves a number to the nearest allowed value, in the enum’s own type', () => {
    expect(repairParams(KLING, { duration: 7 }).params).toEqual({ duration: 5 });
    expect(repairParams(KLING, { duration: '10 seconds' }).params).toEqual({ duration: 10 });
    expect(repairParams(VEO, { duration: 8 }).params).toEqual({ duration: '8' });
    expect(repairParams(VEO, { duration: 5 }).params).toEqual({ duration: '4' });
    expect(repairParams(SOUL, { batch_size: 3 }).params).toEqual({ batch_size: 4 });
  });

  it('clamps numbers into range and rounds integers', () => {
    expect(repairParams(SEEDANCE, { duration: 99 }).params).toEqual({ duration: 12 });
    expect(repairParams(SEEDANCE, { duration: 0 }).params).toEqual({ duration: 2 });
    expect(repairParams(SEEDANCE, { duration: '7.6' }).params).toEqual({ duration: 8 });
    expect(repairParams(KLING, { cfg_scale: 1.7 }).params).toEqual({ cfg_scale: 1 });
  });

  it('coerces booleans written as words', () => {
    expect(repairParams(VEO, { generate_audio: 'yes' }).params).toEqual({ generate_audio: true });
    expect(repairParams(SEEDANCE, { camera_fixed: 'off' }).params).toEqual({ camera_fixed: false });
  });

  it('drops what cannot be repaired, unknown params and empty values, naming each', () => {
    const repaired = repairParams(SOUL, {
      aspect_ratio: '5:1',
      fps: 30,
      seed: '',
      resolution: null,
      enhance_prompt: 'maybe',
    });
    expect(repaired.params).toEqual({});
    expect(repaired.problems).toEqual([
      'aspect_ratio="5:1" is not allowed for Soul 2',
      'Soul 2 has no param "fps"',
      'seed="" is not allowed for Soul 2',
      'enhance_prompt="maybe" is not allowed for Soul 2',
    ]);
  });

  it('keeps strings within their maximum length', () => {
    const repaired = repairParams(KLING, { negative_prompt: 'blur '.repeat(1_000) });
    expect(String(repaired.params.negative_prompt).length).toBe(2_000);
  });

  it('never takes input fields from a recommender, and does not offer them as tunable', () => {
    const repaired = repairParams(SOUL, { style_id: 'x', prompt: 'p', image_url: 'https://x', motions: [] });
    expect(repaired).toEqual({ params: {}, problems: [] });
    expect(tunableParams(SOUL)).toEqual(['aspect_ratio', 'resolution', 'batch_size', 'enhance_prompt', 'seed']);
    for (const field of tunableParams(KLING)) expect(INPUT_FIELDS.has(field)).toBe(false);
  });
});

/**
 * Estimates beside each option: recent render times (else the model's typical time) and credits, looked up
 * once for a burst of people asking at once, and asked again after a failed look-up.
 */
import { describe, expect, it } from 'vitest';
import { createOptionEstimator } from '../../src/agent/option-estimator.js';
import type { GenerationOption } from '../../src/core/types.js';

const option: GenerationOption = {
  kind: 'text-to-image',
  modelId: 'nano-banana',
  prompt: 'a red fox',
  params: { seed: 1 },
  label: 'Fox',
  reason: 'r',
};
const signal = new AbortController().signal;

describe('the option estimator', () => {
  it('shares one credits and one render-time look-up among 50 people asking at once', async () => {
    let creditCalls = 0;
    let durationCalls = 0;
    const estimator = createOptionEstimator({
      typicalDurationMs: async () => {
        durationCalls++;
        return 12_400;
      },
      provider: {
        model: () => undefined,
        estimate: async () => {
          creditCalls++;
          await new Promise((r) => setTimeout(r, 20));
          return 3;
        },
      },
    });
    const estimates = await Promise.all(
      Array.from({ length: 50 }, (_, i) => estimator.estimate({ ...option, params: { seed: i } }, signal)),
    );
    expect(new Set(estimates.map((e) => JSON.stringify(e)))).toEqual(new Set(['{"waitSeconds":12,"credits":3}']));
    expect(creditCalls).toBe(1);
    expect(durationCalls).toBe(1);
  });

  it('leaves credits out when the endpoint fails, and asks again next time', async () => {
    let calls = 0;
    const estimator = createOptionEstimator({
      typicalDurationMs: async () => undefined,
      provider: {
        model: () => undefined,
        estimate: async () => {
          calls++;
          if (calls === 1) throw new Error('503');
          return 7;
        },
      },
    });
    expect(await estimator.estimate(option, signal)).toEqual({ waitSeconds: expect.any(Number) });
    await new Promise((r) => setImmediate(r));
    expect(await estimator.estimate(option, signal)).toMatchObject({ credits: 7 });
    expect(calls).toBe(2);
  });
});

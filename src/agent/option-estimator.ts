/**
 * Expected wait and credits for an option. The wait comes from recent render times of the model (kept in
 * Redis by the workers), else the model's typical time at the provider; credits from the provider's free
 * estimate, cached for ten minutes per recipe (render times for a few seconds per model). Either part is
 * left out when it cannot be had in time.
 */
import type { OptionEstimator } from '../core/ports.js';
import type { GenerationProvider } from '../core/provider.js';
import type { GenerationOption, OptionEstimate } from '../core/types.js';

/** Recent render times move slowly; a few seconds of staleness saves a Redis read per option. */
const DURATION_TTL_MS = 5_000;

/** A render time to show before any is known, for a model the provider does not describe. */
const UNKNOWN_MODEL_SECONDS = 60;

export interface OptionEstimatorDeps {
  typicalDurationMs(modelId: string): Promise<number | undefined>;
  /** The models' typical times and the price of an option (`estimate` rejects when it cannot be had). */
  provider: Pick<GenerationProvider, 'model' | 'estimate'>;
  cacheTtlMs?: number;
}

export function createOptionEstimator(deps: OptionEstimatorDeps): OptionEstimator {
  const ttlMs = deps.cacheTtlMs ?? 600_000;
  // Promises are cached, not values: a burst of people asking at once shares one look-up per recipe.
  const creditsCache = new Map<string, { value: Promise<number | undefined>; expiresAtMs: number }>();
  const durationCache = new Map<string, { value: Promise<number | undefined>; expiresAtMs: number }>();

  function cached(
    cache: Map<string, { value: Promise<number | undefined>; expiresAtMs: number }>,
    key: string,
    forMs: number,
    load: () => Promise<number | undefined>,
  ): Promise<number | undefined> {
    const hit = cache.get(key);
    if (hit && hit.expiresAtMs > Date.now()) return hit.value;
    if (cache.size > 1_000) cache.clear();
    const value = load();
    cache.set(key, { value, expiresAtMs: Date.now() + forMs });
    // A failed look-up is not kept: the next person asks again.
    void value.then((v) => v === undefined && cache.delete(key));
    return value;
  }

  function credits(option: GenerationOption, signal: AbortSignal): Promise<number | undefined> {
    const { seed: _seed, ...params } = option.params;
    const key = `${option.modelId} ${JSON.stringify(params)}`;
    return cached(creditsCache, key, ttlMs, () => deps.provider.estimate(option, { signal }).catch(() => undefined));
  }

  return {
    async estimate(option, signal): Promise<OptionEstimate> {
      const [measuredMs, cost] = await Promise.all([
        cached(durationCache, option.modelId, DURATION_TTL_MS, () =>
          deps.typicalDurationMs(option.modelId).catch(() => undefined),
        ),
        credits(option, signal),
      ]);
      const typicalMs = (deps.provider.model(option.modelId)?.typicalSeconds ?? UNKNOWN_MODEL_SECONDS) * 1_000;
      const estimate: OptionEstimate = { waitSeconds: Math.max(1, Math.round((measuredMs ?? typicalMs) / 1_000)) };
      if (cost !== undefined) estimate.credits = cost;
      return estimate;
    },
  };
}

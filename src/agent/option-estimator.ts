/**
 * Expected wait and credits for an option. The wait comes from recent render times of the model (kept in
 * Redis by the workers), else the registry's typical time; credits from Higgsfield's free estimate
 * endpoint, cached for ten minutes per recipe (render times for a few seconds per model). Either part is
 * left out when it cannot be had in time.
 */
import type { OptionEstimator } from '../core/ports.js';
import type { GenerationOption, OptionEstimate } from '../core/types.js';
import { findModel } from '../higgsfield/models/registry.js';

/** Recent render times move slowly; a few seconds of staleness saves a Redis read per option. */
const DURATION_TTL_MS = 5_000;

export interface OptionEstimatorDeps {
  typicalDurationMs(modelId: string): Promise<number | undefined>;
  /** Credits for a request body; rejects when the endpoint does not answer. */
  credits?(modelId: string, body: Record<string, unknown>, signal: AbortSignal): Promise<number>;
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
    const fetchCredits = deps.credits;
    if (!fetchCredits) return Promise.resolve(undefined);
    const { seed: _seed, ...params } = option.params;
    const key = `${option.modelId} ${JSON.stringify(params)}`;
    return cached(creditsCache, key, ttlMs, () =>
      fetchCredits(option.modelId, { ...option.params, prompt: option.prompt }, signal).catch(() => undefined),
    );
  }

  return {
    async estimate(option, signal): Promise<OptionEstimate> {
      const [measuredMs, cost] = await Promise.all([
        cached(durationCache, option.modelId, DURATION_TTL_MS, () =>
          deps.typicalDurationMs(option.modelId).catch(() => undefined),
        ),
        credits(option, signal),
      ]);
      const typicalMs = (findModel(option.modelId)?.typicalSeconds ?? 60) * 1_000;
      const estimate: OptionEstimate = { waitSeconds: Math.max(1, Math.round((measuredMs ?? typicalMs) / 1_000)) };
      if (cost !== undefined) estimate.credits = cost;
      return estimate;
    },
  };
}

/**
 * Expected wait and credits for an option. The wait comes from recent render times of the model (kept in
 * Redis by the workers), else the registry's typical time; credits from Higgsfield's free estimate
 * endpoint, cached for ten minutes per recipe. Either part is left out when it cannot be had in time.
 */
import type { OptionEstimator } from '../core/ports.js';
import type { GenerationOption, OptionEstimate } from '../core/types.js';
import { findModel } from '../higgsfield/models/registry.js';

export interface OptionEstimatorDeps {
  typicalDurationMs(modelId: string): Promise<number | undefined>;
  /** Credits for a request body; rejects when the endpoint does not answer. */
  credits?(modelId: string, body: Record<string, unknown>, signal: AbortSignal): Promise<number>;
  cacheTtlMs?: number;
}

export function createOptionEstimator(deps: OptionEstimatorDeps): OptionEstimator {
  const cache = new Map<string, { credits: number; expiresAtMs: number }>();
  const ttlMs = deps.cacheTtlMs ?? 600_000;

  async function credits(option: GenerationOption, signal: AbortSignal): Promise<number | undefined> {
    if (!deps.credits) return undefined;
    const { seed: _seed, ...params } = option.params;
    const key = `${option.modelId} ${JSON.stringify(params)}`;
    const hit = cache.get(key);
    if (hit && hit.expiresAtMs > Date.now()) return hit.credits;
    try {
      const value = await deps.credits(option.modelId, { ...option.params, prompt: option.prompt }, signal);
      if (cache.size > 1_000) cache.clear();
      cache.set(key, { credits: value, expiresAtMs: Date.now() + ttlMs });
      return value;
    } catch {
      return undefined;
    }
  }

  return {
    async estimate(option, signal): Promise<OptionEstimate> {
      const [measuredMs, cost] = await Promise.all([
        deps.typicalDurationMs(option.modelId).catch(() => undefined),
        credits(option, signal),
      ]);
      const typicalMs = (findModel(option.modelId)?.typicalSeconds ?? 60) * 1_000;
      const estimate: OptionEstimate = { waitSeconds: Math.max(1, Math.round((measuredMs ?? typicalMs) / 1_000)) };
      if (cost !== undefined) estimate.credits = cost;
      return estimate;
    },
  };
}

/** Re-roll params: the same recipe with a fresh seed where the model's schema takes one. */
import type { GenerationOption } from '../core/types.js';
import { findModel } from '../higgsfield/models/registry.js';

export function reseed(option: GenerationOption, random: () => number = Math.random): Record<string, unknown> {
  const model = findModel(option.modelId);
  if (!model || !('seed' in model.schema.shape)) return { ...option.params };
  let seed = 1 + Math.floor(random() * 999_999);
  if (seed === option.params.seed) seed = (seed % 999_999) + 1;
  return { ...option.params, seed };
}

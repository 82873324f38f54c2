/**
 * The model registry as a few compact lines for the system prompt: id, kind, strength, and the params a
 * recommender may set with their allowed values. Derived from the registry, so it never drifts from what
 * validation accepts; kept terse because it is sent on every request.
 */
import { describeParams, listModels, type ModelSpec } from '../higgsfield/models/registry.js';
import { INPUT_FIELDS } from './param-repair.js';

const KIND = { 'text-to-image': 't2i', 'text-to-video': 't2v', 'image-to-video': 'i2v' } as const;

function paramsOf(model: ModelSpec): string {
  return describeParams(model)
    .filter((p) => !INPUT_FIELDS.has(p.name))
    .map((p) => {
      const allowed = p.allowed
        .replace(/^one of /, '')
        .replace(/^an integer from (\S+) to (\S+)$/, '$1-$2')
        .replace(/^a number from (\S+) to (\S+)$/, '$1-$2')
        .replace(/, /g, ',');
      if (p.name === 'seed' || allowed.startsWith('text')) return p.name;
      return `${p.name} ${allowed === 'true or false' ? 'bool' : allowed}`;
    })
    .join('; ');
}

let digest: string | undefined;

/** One line per model family: a text-to-video and image-to-video pair shares its strength and params. */
export function modelDigest(): string {
  if (digest) return digest;
  const families = new Map<string, ModelSpec[]>();
  for (const model of listModels()) families.set(model.strength, [...(families.get(model.strength) ?? []), model]);
  digest = [...families.values()]
    .map((models) => {
      const [first] = models as [ModelSpec, ...ModelSpec[]];
      const extra = first.styles ? ' [style]' : first.motions ? ' [motions]' : '';
      const ids = models.map((m) => `${m.id} (${KIND[m.kind]}${extra})`).join(', ');
      const shared = paramsOf(first);
      const differing = models
        .slice(1)
        .filter((m) => paramsOf(m) !== shared)
        .map((m) => `; ${KIND[m.kind]}: ${paramsOf(m)}`)
        .join('');
      return `${ids} | ${first.strength} | ${shared}${differing}`;
    })
    .join('\n');
  return digest;
}

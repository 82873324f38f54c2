/** The part of an option worth remembering in a thread: enough to resolve "option 2 but vertical". */
import type { OptionSummary } from './assistant-types.js';
import type { GenerationOption } from './types.js';

/** Params that are ours to fill (input images), not the person's choice. */
const INPUT_PARAMS = new Set([
  'image_url',
  'end_image_url',
  'input_images',
  'image_reference_url',
  'style_id',
  'motions',
]);

export function summarizeOption(option: GenerationOption): OptionSummary {
  const params = Object.fromEntries(
    Object.entries(option.params).filter(([k]) => !INPUT_PARAMS.has(k) && k !== 'prompt'),
  );
  return {
    kind: option.kind,
    modelId: option.modelId,
    label: option.label,
    prompt: option.prompt,
    params,
    ...(option.style ? { style: option.style.name } : {}),
    ...(option.motions ? { motions: option.motions.map((m) => m.name) } : {}),
  };
}

/**
 * Builds the progress event of one state change, so every place that announces one (enqueue, cancel, the
 * step processors) says it the same way.
 */
import type { GenerationSpec, GenerationState, ProgressEvent } from './types.js';

export function progressEvent(
  generationId: string,
  spec: GenerationSpec,
  state: GenerationState,
  extra: Partial<ProgressEvent> = {},
): ProgressEvent {
  return {
    generationId,
    conversation: spec.conversation,
    state,
    modelId: spec.option.modelId,
    label: spec.option.label,
    atMs: Date.now(),
    ...(state === 'queued' ? { option: spec.option, ...(spec.choiceKey ? { choiceKey: spec.choiceKey } : {}) } : {}),
    ...extra,
  };
}

/**
 * Higgsfield as core's generation provider (src/core/provider.ts): the client for the calls, the model
 * registry for the facts. A submit sends the option's params with its prompt; a cancel Higgsfield refuses
 * because the render has started (HF_CANCEL_TOO_LATE) is the answer 'too-late', not an error.
 */
import type { GenerationProvider, ModelFacts, ProviderCall } from '../core/provider.js';
import type { GenerationOption } from '../core/types.js';
import { ErrorCode, isAppError } from '../errors.js';
import type { CallSignal, HiggsfieldClient } from './client.js';
import { findModel } from './models/registry.js';

export function createHiggsfieldProvider(client: HiggsfieldClient): GenerationProvider {
  return {
    model(modelId) {
      const model = findModel(modelId);
      if (!model) return undefined;
      const facts: ModelFacts = {
        id: model.id,
        title: model.title,
        kind: model.kind,
        typicalSeconds: model.typicalSeconds,
        deadlineMs: model.deadlineMs,
      };
      return facts;
    },
    submit(option, opts) {
      return client.submit(option.modelId, body(option), {
        ...signalOf(opts),
        idempotencyKey: opts.idempotencyKey,
        ...(opts.webhookUrl ? { webhookUrl: opts.webhookUrl } : {}),
      });
    },
    status(requestId, opts) {
      return client.status(requestId, signalOf(opts));
    },
    async cancel(requestId, opts) {
      try {
        await client.cancel(requestId, signalOf(opts));
        return 'canceled';
      } catch (error) {
        if (isAppError(error, ErrorCode.HfCancelTooLate)) return 'too-late';
        throw error;
      }
    },
    upload(image, opts) {
      return client.uploadFile(image.bytes, image.contentType, { ...signalOf(opts), sizeBytes: image.sizeBytes });
    },
    async estimate(option, opts) {
      return (await client.estimate(option.modelId, body(option), signalOf(opts))).credits;
    },
    styles(opts) {
      return client.listStyles(signalOf(opts));
    },
    motions(opts) {
      return client.listMotions(signalOf(opts));
    },
  };
}

/** The request body of an option: its validated params, and its prompt. */
function body(option: Pick<GenerationOption, 'prompt' | 'params'>): Record<string, unknown> {
  return { ...option.params, prompt: option.prompt };
}

function signalOf(opts: ProviderCall | undefined): CallSignal {
  return opts?.signal ? { signal: opts.signal } : {};
}

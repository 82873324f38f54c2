/**
 * The deliver step: store the provider's outputs and post them (deliverGeneration, which posts once however
 * often it runs), then record the generation done with its assets. A failure that may pass is retried while
 * attempts are left; after that the person is told why, with the provider's own link when there is one, so
 * the result is not lost.
 */
import { AppError, toUserMessage } from '../../errors.js';
import { deliverGeneration } from '../deliver-generation.js';
import { deliveryFailedMessage } from '../failure-messages.js';
import type { ProviderOutput } from '../provider.js';
import { announce, endWithoutMedia, publisherFor } from './end-generation.js';
import type { Ended, GenerationDeps, Retry, TrackedGeneration } from './generation-ports.js';

export interface DeliverAttempt extends Pick<TrackedGeneration, 'generationId' | 'spec' | 'submittedAtMs'> {
  outputs: readonly ProviderOutput[];
  /** Attempts are left after this one. */
  mayRetry: boolean;
}

export type DeliverDecision = Ended | Retry;

export async function deliverStep(deps: GenerationDeps, attempt: DeliverAttempt): Promise<DeliverDecision> {
  const { generationId, spec, outputs } = attempt;
  await deps.records.update(generationId, { state: 'delivering' });
  await announce(deps, generationId, spec, 'delivering');
  try {
    const result = await deliverGeneration(
      {
        store: deps.store,
        download: deps.download,
        publisher: publisherFor(deps, spec),
        ledgerFor: (id) => deps.records.ledger(id),
      },
      {
        generationId,
        option: spec.option,
        conversation: spec.conversation,
        outputs,
        submittedAtMs: attempt.submittedAtMs,
        nowMs: deps.now(),
      },
    );
    await deps.records.finish(generationId, 'done', spec, result.assets);
    await announce(deps, generationId, spec, 'done', { assets: result.assets });
    return { kind: 'ended', state: 'done' };
  } catch (error) {
    const retryable = !(error instanceof AppError) || error.retryable;
    if (retryable && attempt.mayRetry) return { kind: 'retry', error };
    const message = deliveryFailedMessage(toUserMessage(error, generationId), outputs[0]?.url);
    return { kind: 'ended', state: await endWithoutMedia(deps, generationId, spec, 'error', message), error };
  }
}

/**
 * The submit step: hand a queued generation to the provider, once. Every submit carries the generation id
 * as its idempotency key, so a crash or retry gets the same request back instead of paying twice, and the
 * request id is kept with the attempt (`keepRequestId`) before anything else happens.
 *
 * Decisions: a generation canceled while queued, or waiting longer than the policy allows, ends here; the
 * provider's concurrency limit pauses all submissions (the generation stays queued, in its fair place); an
 * error that may pass is retried while attempts are left; any other error ends it with the error's words.
 * A cancel that arrived while the submit was in flight is carried out at the provider right away, and the
 * first look is then immediate, so the person hears the outcome at once.
 */
import { AppError, BadInputError, ErrorCode, isAppError, toUserMessage } from '../../errors.js';
import { queueWaitMessage } from '../failure-messages.js';
import type { GenerationSpec } from '../types.js';
import { announce, endWithoutMedia } from './end-generation.js';
import type { Ended, GenerationDeps, Retry } from './generation-ports.js';
import { firstLookInMs } from './look-timing.js';

export interface SubmitAttempt {
  generationId: string;
  spec: GenerationSpec;
  enqueuedAtMs: number;
  /** Set once the provider accepted the request (on an earlier attempt). */
  requestId?: string;
  /** Attempts are left after this one: an error that may pass is worth a retry. */
  mayRetry: boolean;
  /** Keep the provider's request id with the attempt, so a retry does not submit again. */
  keepRequestId(requestId: string): Promise<void>;
}

export type SubmitDecision =
  | Ended
  | Retry
  /** The provider's concurrency limit: submit nothing for `forMs`, then this one again. */
  | { kind: 'pause-submissions'; forMs: number }
  /** Accepted: track it, first looking at its status in `firstLookInMs`. */
  | { kind: 'submitted'; requestId: string; submittedAtMs: number; deadlineAtMs: number; firstLookInMs: number };

export async function submitStep(deps: GenerationDeps, attempt: SubmitAttempt): Promise<SubmitDecision> {
  const { generationId, spec } = attempt;
  if ((await deps.records.get(generationId))?.state === 'canceled') {
    return { kind: 'ended', state: await endWithoutMedia(deps, generationId, spec, 'canceled') };
  }
  if (deps.now() - attempt.enqueuedAtMs > deps.policy.maxQueueWaitMs) {
    const minutes = Math.round(deps.policy.maxQueueWaitMs / 60_000);
    const state = await endWithoutMedia(deps, generationId, spec, 'deadline', queueWaitMessage(minutes));
    return { kind: 'ended', state };
  }
  const model = deps.provider.model(spec.option.modelId);
  if (!model) {
    // Refused at enqueue; this one was queued before the model left the provider's list.
    const error = new BadInputError(`The model "${spec.option.modelId}" is no longer offered.`);
    return { kind: 'ended', state: await endWithoutMedia(deps, generationId, spec, 'error', error.message), error };
  }

  let requestId = attempt.requestId;
  if (!requestId) {
    try {
      const { webhookUrl } = deps.policy;
      const request = await deps.provider.submit(spec.option, {
        idempotencyKey: generationId,
        ...(webhookUrl ? { webhookUrl } : {}),
      });
      requestId = request.requestId;
    } catch (error) {
      if (isAppError(error, ErrorCode.HfConcurrencyLimit)) {
        const forMs = Math.round(deps.policy.concurrencyBackoffMs * (0.75 + deps.random() * 0.5));
        deps.logger.info({ generationId, waitMs: forMs }, 'provider concurrency limit reached: pausing submissions');
        return { kind: 'pause-submissions', forMs };
      }
      if (error instanceof AppError && error.retryable && attempt.mayRetry) return { kind: 'retry', error };
      const reason = error instanceof AppError && error.kind === 'refused' ? 'refused' : 'error';
      const state = await endWithoutMedia(deps, generationId, spec, reason, toUserMessage(error, generationId));
      return { kind: 'ended', state, error };
    }
    await attempt.keepRequestId(requestId);
  }

  const submittedAtMs = deps.now();
  await deps.records.markSubmitted(generationId, requestId, submittedAtMs);
  deps.logger.info({ generationId, requestId, modelId: model.id }, 'submitted');
  await announce(deps, generationId, spec, 'submitted');
  let firstLook = firstLookInMs(deps.policy, model.typicalSeconds, deps.random);
  if ((await deps.records.get(generationId))?.state === 'canceled') {
    // Canceled while we were submitting: cancel at the provider too (it is still queued there, or it is too
    // late and the render goes on); the first look tells which.
    await deps.provider.cancel(requestId).catch(() => undefined);
    firstLook = 0;
  }
  return {
    kind: 'submitted',
    requestId,
    submittedAtMs,
    deadlineAtMs: submittedAtMs + model.deadlineMs * deps.policy.deadlineScale,
    firstLookInMs: firstLook,
  };
}

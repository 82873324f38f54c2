/**
 * The wait step: one look at a submitted generation's status, and what follows from it. The status comes
 * from a verified webhook when one arrived, else from the provider. A status read that fails in a way that
 * may pass is simply a look without news (the next look is later); only the model's deadline ends a wait,
 * after canceling at the provider and telling the person how long it waited. The first 'in_progress' seen
 * announces 'rendering' with the time still expected.
 *
 * Once the provider is done with the request its slot is free (paused submissions may go on) and the render
 * time is measured; a completed request goes on to delivery, any other end is told to people.
 */
import { AppError, toUserMessage } from '../../errors.js';
import { failureMessage } from '../failure-messages.js';
import type { ProviderRequest } from '../provider.js';
import { announce, endWithoutMedia } from './end-generation.js';
import type { Deliver, Ended, GenerationDeps, TrackedGeneration } from './generation-ports.js';
import { nextLookInMs } from './look-timing.js';

/** A render time to expect before any has been measured, for a model the provider no longer lists. */
const UNKNOWN_MODEL_SECONDS = 60;

export type WaitDecision =
  | Ended
  | Deliver
  /** Not finished: look again in `lookAgainInMs`, keeping `keep` for that look. */
  | { kind: 'wait'; lookAgainInMs: number; keep: Pick<TrackedGeneration, 'polls' | 'lastStatus'> };

export async function waitStep(deps: GenerationDeps, generation: TrackedGeneration): Promise<WaitDecision> {
  const { generationId, spec } = generation;
  let status: ProviderRequest | undefined;
  try {
    status = await readStatus(deps, generation);
  } catch (error) {
    const state = await endWithoutMedia(deps, generationId, spec, 'error', toUserMessage(error, generationId));
    return { kind: 'ended', state, error };
  }
  if (status?.terminal) return endWait(deps, generation, status);

  const model = deps.provider.model(spec.option.modelId);
  if (deps.now() > generation.deadlineAtMs) {
    await deps.provider.cancel(generation.requestId).catch(() => undefined);
    const waitedMinutes = Math.max(1, Math.round((deps.now() - generation.submittedAtMs) / 60_000));
    const message = failureMessage('deadline', { modelTitle: model?.title ?? spec.option.modelId, waitedMinutes });
    return { kind: 'ended', state: await endWithoutMedia(deps, generationId, spec, 'deadline', message) };
  }

  const keep: Pick<TrackedGeneration, 'polls' | 'lastStatus'> = { polls: generation.polls + 1 };
  const lastStatus = status?.status ?? generation.lastStatus;
  if (lastStatus) keep.lastStatus = lastStatus;
  if (status?.status === 'in_progress' && generation.lastStatus !== 'in_progress') {
    await deps.records.update(generationId, { state: 'rendering' });
    const typicalMs = (model?.typicalSeconds ?? UNKNOWN_MODEL_SECONDS) * 1_000;
    const renderMs = (await deps.records.typicalDurationMs(spec.option.modelId)) ?? typicalMs;
    await announce(deps, generationId, spec, 'rendering', {
      estimatedWaitMs: Math.max(0, generation.submittedAtMs + renderMs - deps.now()),
    });
  }
  // A webhook that arrived during this look could not wake it: look once more before sleeping.
  const late = await deps.records.deliveredStatus(generationId);
  if (late) return endWait(deps, generation, late);
  return { kind: 'wait', lookAgainInMs: nextLookInMs(deps.policy, generation.polls, deps.random), keep };
}

async function readStatus(deps: GenerationDeps, generation: TrackedGeneration): Promise<ProviderRequest | undefined> {
  const fromWebhook = await deps.records.deliveredStatus(generation.generationId);
  if (fromWebhook) return fromWebhook;
  try {
    return await deps.provider.status(generation.requestId);
  } catch (error) {
    if (error instanceof AppError && error.retryable) {
      deps.logger.warn(
        { generationId: generation.generationId, code: error.code },
        'status read failed; looking again later',
      );
      return undefined;
    }
    throw error;
  }
}

async function endWait(
  deps: GenerationDeps,
  generation: TrackedGeneration,
  status: ProviderRequest,
): Promise<Ended | Deliver> {
  const { generationId, spec } = generation;
  await deps.records.recordDuration(spec.option.modelId, deps.now() - generation.submittedAtMs);
  await deps.slots.freed().catch(() => undefined);
  switch (status.status) {
    case 'completed':
      return { kind: 'deliver', outputs: status.outputs };
    case 'nsfw':
      return { kind: 'ended', state: await endWithoutMedia(deps, generationId, spec, 'nsfw') };
    case 'canceled':
      return { kind: 'ended', state: await endWithoutMedia(deps, generationId, spec, 'canceled') };
    default: {
      const message = failureMessage('failed', { providerReason: status.error ?? '' });
      return { kind: 'ended', state: await endWithoutMedia(deps, generationId, spec, 'failed', message) };
    }
  }
}

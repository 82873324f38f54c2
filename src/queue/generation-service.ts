/**
 * The GenerationQueue port on BullMQ: enqueue (one atomic claim decides duplicate, over the per-person cap,
 * or new — so a storm of presses of one option makes one generation and at most a note every few seconds),
 * cancel (in our queue, or at the provider while still queued there), the person's active list, and the
 * webhook entry point that advances a waiting job at once. Models and cancels go through the provider port.
 */
import { randomUUID } from 'node:crypto';
import { Job, type Queue } from 'bullmq';
import { failureMessage } from '../core/failure-messages.js';
import type { CancelOutcome, EnqueueResult, GenerationLookup, GenerationQueue, ProgressBus } from '../core/ports.js';
import { progressEvent } from '../core/progress-event.js';
import type { GenerationProvider, ProviderRequest } from '../core/provider.js';
import { type GenerationSpec, isEnded, type Platform } from '../core/types.js';
import { AppError, BadInputError, ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import type { GenerationRecords } from './generation-records.js';
import { newGenerationId, type SubmitJobData, type TrackJobData } from './jobs.js';
import type { PipelineSettings } from './pipeline-settings.js';

export interface GenerationServiceDeps {
  submitQueue: Queue<SubmitJobData>;
  trackQueue: Queue<TrackJobData>;
  records: GenerationRecords;
  provider: GenerationProvider;
  bus: ProgressBus;
  settings: PipelineSettings;
  logger: Logger;
}

/** Assumed parallel renders when estimating the wait of a queued generation. */
const ASSUMED_SLOTS = 4;
/** How long a cancel waits for a submit in flight to get the provider's request id. */
const SUBMIT_WAIT_MS = 5_000;

export class GenerationService implements GenerationQueue {
  constructor(private readonly deps: GenerationServiceDeps) {}

  async enqueue(spec: GenerationSpec): Promise<EnqueueResult> {
    const { records, submitQueue, settings, provider } = this.deps;
    const model = provider.model(spec.option.modelId);
    if (!model) throw new BadInputError(`Unknown model "${spec.option.modelId}".`);
    const generationId = newGenerationId(randomUUID());
    const now = Date.now();
    try {
      const claim = await records.claim({
        generationId,
        spec,
        maxActive: settings.maxActivePerUser,
        nowMs: now,
        choiceTtlMs: spec.choiceWindowMs ?? settings.choiceDedupeMs,
        noteEveryMs: settings.duplicateNoteEveryMs,
      });
      if (claim.kind === 'duplicate') {
        const estimate = await this.estimate(claim.generationId, spec);
        return { ...estimate, duplicate: true, ...(claim.noteDue ? {} : { quiet: true }) };
      }
      if (claim.kind === 'full') {
        throw new BadInputError(
          `You already have ${settings.maxActivePerUser} generations in progress. Wait for one to finish (or cancel one) and try again.`,
        );
      }
      const priority = Math.min(claim.activeBefore + 1, 2_000_000);
      try {
        await records.create({ generationId, spec, state: 'queued', enqueuedAtMs: now }, priority * 1e13 + now);
        await submitQueue.add('submit', { generationId, spec, enqueuedAtMs: now }, { jobId: generationId, priority });
      } catch (error) {
        await records.release(generationId, spec).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.deps.logger.warn({ err: error }, 'enqueue failed');
      throw new ServiceUnavailableError('Could not enqueue the generation', error);
    }
    const estimate = await this.estimate(generationId, spec);
    await this.deps.bus.publish(
      progressEvent(generationId, spec, 'queued', {
        position: estimate.position,
        estimatedWaitMs: estimate.estimatedWaitMs,
      }),
    );
    return { ...estimate, duplicate: false };
  }

  /** Place among generations not yet submitted, and an estimate of the time to the result. */
  async estimate(generationId: string, spec: GenerationSpec): Promise<Omit<EnqueueResult, 'duplicate'>> {
    const { records } = this.deps;
    const position = (await records.position(generationId)) ?? 0;
    const model = this.deps.provider.model(spec.option.modelId);
    const renderMs = (await records.typicalDurationMs(spec.option.modelId)) ?? (model?.typicalSeconds ?? 60) * 1_000;
    const aheadRounds = Math.ceil(Math.max(0, position - 1) / ASSUMED_SLOTS);
    return { generationId, position, estimatedWaitMs: renderMs * (1 + aheadRounds) };
  }

  async cancel(generationId: string, userId: string, asAdmin = false): Promise<CancelOutcome> {
    const { records, submitQueue, trackQueue, provider, logger } = this.deps;
    const record = await records.get(generationId);
    if (!record) return { outcome: 'not-found' };
    if (!asAdmin && record.spec.conversation.userId !== userId) return { outcome: 'not-allowed' };
    if (isEnded(record.state)) return { outcome: 'already-finished' };

    let requestId = record.requestId;
    if (!requestId) {
      const job = await submitQueue.getJob(generationId);
      const jobState = job ? await job.getState() : 'missing';
      if (jobState === 'completed') {
        // Submitted since we read the record: cancel at the provider below.
        requestId = (await records.get(generationId))?.requestId;
        if (!requestId) return { outcome: 'already-finished' };
      } else {
        const removed =
          job && jobState !== 'active'
            ? await job.remove().then(
                () => true,
                () => false,
              )
            : false;
        if (removed || !job) {
          await this.finishCanceled(generationId, record.spec);
          return { outcome: 'canceled' };
        }
        // Being submitted right now: wait (briefly) for the provider's request id and cancel there, so the
        // answer is the true one; a rendering that has already started is "too late", never "canceled".
        const latest = await this.untilSubmittedOrEnded(generationId, SUBMIT_WAIT_MS);
        requestId = latest?.requestId;
        if (!requestId) {
          if (!latest || isEnded(latest.state)) return { outcome: 'already-finished' };
          // Still not submitted: the submit step sees this flag once the provider answers, and cancels there.
          await records.update(generationId, { state: 'canceled' });
          return { outcome: 'canceled' };
        }
      }
    }
    try {
      if ((await provider.cancel(requestId)) === 'too-late') return { outcome: 'too-late' };
    } catch (error) {
      logger.warn({ err: error, generationId }, 'cancel at the provider failed');
      throw error;
    }
    const job = await trackQueue.getJob(generationId);
    await job?.promote().catch(() => undefined);
    return { outcome: 'canceled' };
  }

  /** The record once the provider's request id is on it or it has ended, else as it is after `withinMs`. */
  private async untilSubmittedOrEnded(generationId: string, withinMs: number) {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const record = await this.deps.records.get(generationId);
      if (!record || record.requestId || isEnded(record.state) || Date.now() >= deadline) return record;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async finishCanceled(generationId: string, spec: GenerationSpec): Promise<void> {
    await this.deps.records.finish(generationId, 'canceled', spec);
    await this.deps.bus.publish(
      progressEvent(generationId, spec, 'canceled', { reason: 'canceled', message: failureMessage('canceled') }),
    );
  }

  async listActive(platform: Platform, userId: string) {
    const { records } = this.deps;
    const ids = await records.activeOf(platform, userId, Date.now());
    const out = [];
    for (const id of ids) {
      const record = await records.get(id);
      if (!record) continue;
      const position = await records.position(id);
      out.push({
        generationId: id,
        modelId: record.spec.option.modelId,
        label: record.spec.option.label,
        state: record.state,
        ...(position ? { position } : {}),
      });
    }
    return out;
  }

  async lookup(generationId: string): Promise<GenerationLookup | undefined> {
    const record = await this.deps.records.get(generationId);
    if (!record) return undefined;
    return {
      generationId,
      spec: record.spec,
      state: record.state,
      ...(record.assets ? { assets: record.assets } : {}),
    };
  }

  /** A verified webhook: keep its status and wake the waiting job now instead of at its next poll. */
  async onWebhookStatus(status: ProviderRequest): Promise<void> {
    const { records, trackQueue, logger } = this.deps;
    if (!status.terminal) return;
    const generationId = await records.generationForRequest(status.requestId);
    if (!generationId) {
      logger.debug({ requestId: status.requestId }, 'webhook for an unknown request');
      return;
    }
    await records.saveDeliveredStatus(generationId, status);
    // Promote by id, without reading the job: this runs for every webhook, so it stays at two round trips.
    // A job that is not delayed (being processed right now) refuses; it re-checks for this status before it sleeps.
    await new Job<TrackJobData>(trackQueue, 'track', {} as TrackJobData, {}, generationId)
      .promote()
      .catch(() => undefined);
  }
}

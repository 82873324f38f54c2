/**
 * Everything the step processors share, and the two things every ending does: record it and tell people
 * (a progress event plus, for failures, a clear message through the conversation's publisher).
 */
import type { Queue } from 'bullmq';
import { type DeliveryDeps, WHOLE } from '../core/deliver-generation.js';
import { failureMessage } from '../core/failure-messages.js';
import type { ProgressBus, Publisher } from '../core/ports.js';
import { progressEvent } from '../core/progress-event.js';
import type { FailureReason, GenerationSpec, GenerationState, ProgressEvent } from '../core/types.js';
import type { HiggsfieldClient } from '../higgsfield/client.js';
import type { Logger } from '../log.js';
import type { GenerationRecords } from './generation-records.js';
import type { SubmitJobData, TrackJobData } from './jobs.js';
import type { PipelineSettings } from './pipeline-settings.js';

export interface PipelineContext {
  client: HiggsfieldClient;
  records: GenerationRecords;
  bus: ProgressBus;
  publishers: ReadonlyMap<string, Publisher>;
  submitQueue: Queue<SubmitJobData>;
  trackQueue: Queue<TrackJobData>;
  settings: PipelineSettings;
  /** Our webhook route's public URL; polling alone when absent. */
  webhookUrl?: string;
  download: DeliveryDeps['download'];
  store: DeliveryDeps['store'];
  logger: Logger;
}

export async function publishProgress(
  ctx: PipelineContext,
  generationId: string,
  spec: GenerationSpec,
  state: GenerationState,
  extra: Partial<ProgressEvent> = {},
): Promise<void> {
  await ctx.bus.publish(progressEvent(generationId, spec, state, extra));
}

export function publisherFor(ctx: PipelineContext, spec: GenerationSpec): Publisher {
  const publisher = ctx.publishers.get(spec.conversation.platform);
  if (!publisher) throw new Error(`No publisher for platform ${spec.conversation.platform}`);
  return publisher;
}

/** End a generation without media: record it, post the message once, publish the event. Never throws. */
export async function endWithFailure(
  ctx: PipelineContext,
  generationId: string,
  spec: GenerationSpec,
  reason: FailureReason,
  message = failureMessage(reason),
): Promise<void> {
  const state: GenerationState = reason === 'canceled' ? 'canceled' : 'failed';
  const log = ctx.logger.child({ generationId });
  try {
    await ctx.records.finish(generationId, state, spec);
    const deliveryId = `${generationId}-end`;
    const ledger = ctx.records.ledger(deliveryId);
    if ((await ledger.state(WHOLE)) !== 'done') {
      await publisherFor(ctx, spec).postFailure(
        { generationId, option: spec.option, conversation: spec.conversation, reason, message },
        deliveryId,
        ledger,
      );
      await ledger.done(WHOLE);
    }
  } catch (err) {
    log.error({ err, reason }, 'could not post the failure message');
  }
  await publishProgress(ctx, generationId, spec, state, { reason, message });
  log.info({ reason }, 'generation ended without media');
}

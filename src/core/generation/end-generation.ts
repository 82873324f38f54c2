/**
 * How a generation tells the world where it is, and how it ends without media: record the end, post the
 * failure message once (the ledger's `${generationId}-end` delivery keeps a retry from posting it twice),
 * publish the event. A message that cannot be posted is logged and the event still goes out; only an event
 * that cannot be published throws, so the step runs again (and the ledger keeps the message from repeating).
 */
import { toUserMessage } from '../../errors.js';
import { WHOLE } from '../deliver-generation.js';
import { failureMessage } from '../failure-messages.js';
import type { Publisher } from '../ports.js';
import { progressEvent } from '../progress-event.js';
import {
  type FailureReason,
  type GenerationSpec,
  type GenerationState,
  isEnded,
  type ProgressEvent,
} from '../types.js';
import type { GenerationDeps } from './generation-ports.js';

/** Publish one state change of a generation. */
export async function announce(
  deps: Pick<GenerationDeps, 'bus'>,
  generationId: string,
  spec: GenerationSpec,
  state: GenerationState,
  extra: Partial<ProgressEvent> = {},
): Promise<void> {
  await deps.bus.publish(progressEvent(generationId, spec, state, extra));
}

/** The publisher of the conversation's platform. */
export function publisherFor(deps: Pick<GenerationDeps, 'publishers'>, spec: GenerationSpec): Publisher {
  const publisher = deps.publishers.get(spec.conversation.platform);
  if (!publisher) throw new Error(`No publisher for platform ${spec.conversation.platform}`);
  return publisher;
}

/** End a generation without media and tell people why; returns the state it ended in. */
export async function endWithoutMedia(
  deps: GenerationDeps,
  generationId: string,
  spec: GenerationSpec,
  reason: FailureReason,
  message = failureMessage(reason),
): Promise<GenerationState> {
  const state: GenerationState = reason === 'canceled' ? 'canceled' : 'failed';
  try {
    await deps.records.finish(generationId, state, spec);
    const deliveryId = `${generationId}-end`;
    const ledger = deps.records.ledger(deliveryId);
    if ((await ledger.state(WHOLE)) !== 'done') {
      await publisherFor(deps, spec).postFailure(
        { generationId, option: spec.option, conversation: spec.conversation, reason, message },
        deliveryId,
        ledger,
      );
      await ledger.done(WHOLE);
    }
  } catch (err) {
    deps.logger.error({ err, generationId, reason }, 'could not post the failure message');
  }
  await announce(deps, generationId, spec, state, { reason, message });
  deps.logger.info({ generationId, reason }, 'generation ended without media');
  return state;
}

/**
 * The queue gave up on a step (its retries ran out, or it stalled too often): a generation not already
 * ended ends now, with the last error in words for people, so none ever ends in silence.
 */
export async function endAfterGivingUp(
  deps: GenerationDeps,
  generationId: string,
  spec: GenerationSpec,
  error: unknown,
): Promise<void> {
  const record = await deps.records.get(generationId).catch(() => undefined);
  if (record && isEnded(record.state)) return;
  await endWithoutMedia(deps, generationId, spec, 'error', toUserMessage(error, generationId));
}

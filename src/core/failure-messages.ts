/**
 * What people read when a generation does not end in media. Each says which thing happened (moderation,
 * a provider failure with its reason, a cancel, a deadline, no free slot, a delivery that failed) and what
 * to do next, in plain words.
 */
import { apology } from '../errors.js';
import type { FailureReason } from './types.js';

export function failureMessage(
  reason: FailureReason,
  details: { providerReason?: string; modelTitle?: string; waitedMinutes?: number } = {},
): string {
  switch (reason) {
    case 'nsfw':
      return 'Higgsfield’s moderation blocked this one (flagged as NSFW), so there is no result. Try rephrasing the prompt; blocked generations are not charged.';
    case 'failed':
      return `The generation failed at Higgsfield: ${details.providerReason?.trim() || 'no reason was given'}. Failed generations are not charged; try again or pick another option.`;
    case 'canceled':
      return 'Canceled before it started rendering. Nothing was charged.';
    case 'deadline':
      return `No result from ${details.modelTitle ?? 'the model'} after ${details.waitedMinutes ?? 'many'} minutes, so we stopped waiting. Please try again later or pick a faster model.`;
    case 'refused':
      return details.providerReason ?? 'Higgsfield refused this request.';
    case 'error':
      return details.providerReason ?? apology();
  }
}

/** A generation that never got a free slot at the provider within `minutes`. */
export function queueWaitMessage(minutes: number): string {
  return `This waited over ${minutes} minutes for a free slot at Higgsfield, so we gave up on it. Please try again later.`;
}

/** The result could not be delivered (`why`, for people); the provider's own link, when there is one. */
export function deliveryFailedMessage(why: string, providerLink?: string): string {
  return providerLink ? `${why} The result is ready at Higgsfield: ${providerLink}` : why;
}

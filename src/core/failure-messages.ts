/**
 * What people read when a generation does not end in media. Each says which thing happened (moderation,
 * a provider failure with its reason, a cancel, a deadline) and what to do next, in plain words.
 */
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
      return details.providerReason ?? 'Something went wrong on our side. Please try again.';
  }
}

/**
 * Words the chat platforms share: an option's estimate, a generation's status line, the help text. Each
 * adapter dresses them in its own markup; the wording stays the same everywhere.
 */
import type { CancelOutcome } from '../../core/ports.js';
import type { OptionEstimate, ProgressEvent } from '../../core/types.js';

export function estimateText(estimate: OptionEstimate | undefined): string {
  if (!estimate) return '';
  const wait =
    estimate.waitSeconds >= 90 ? `~${Math.round(estimate.waitSeconds / 60)} min` : `~${estimate.waitSeconds} s`;
  if (estimate.credits === undefined) return wait;
  const credits = Number.isInteger(estimate.credits) ? String(estimate.credits) : estimate.credits.toFixed(1);
  return `${wait} · ${credits} credits`;
}

function about(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = Math.max(1, Math.round(ms / 1_000));
  return s >= 90 ? `, about ${Math.round(s / 60)} min` : `, about ${s} s`;
}

/** One line on where a generation is, for a status message that is edited as it moves. */
export function statusText(
  label: string,
  event: Pick<ProgressEvent, 'state' | 'position' | 'estimatedWaitMs' | 'message'>,
): string {
  switch (event.state) {
    case 'queued':
      return `⏳ ${label}: queued (position ${event.position ?? 1}${about(event.estimatedWaitMs)})`;
    case 'submitted':
      return `⏳ ${label}: sent to Higgsfield`;
    case 'rendering':
      return `🎬 ${label}: rendering${about(event.estimatedWaitMs)}…`;
    case 'delivering':
      return `📦 ${label}: posting the result…`;
    case 'done':
      return `✅ ${label}: done`;
    case 'canceled':
      return `🚫 ${label}: canceled`;
    case 'failed':
      return `⚠️ ${label}: ${event.message ?? 'failed'}`;
  }
}

/** What the bot can do, in each platform's own commands and markup. */
export function helpText(platform: 'discord' | 'slack'): string {
  if (platform === 'slack') {
    return [
      'Tell me what you would like to see and I will propose a few options: pick one and I generate it here.',
      '• `/imagine prompt` — image ideas · `/video prompt` — video ideas',
      '• Mention me with a request (attach an image to animate it), or DM me. Reply in the thread to refine: “option 2 but vertical”, “warmer”, “now animate it”.',
      '• `/jobs` — your running generations',
      'Results come with *Re-roll* (same recipe, new seed) and *Animate* (for images).',
    ].join('\n');
  }
  return [
    'Tell me what you would like to see and I will propose a few options: pick one and I generate it here.',
    '• `/imagine prompt` — image ideas · `/video prompt` — video ideas · `/animate image` — bring a picture to life',
    '• Mention me with a request (attach an image to animate it), or DM me. Reply in the thread to refine: “option 2 but vertical”, “warmer”, “now animate it”.',
    '• `/styles query` — browse Soul styles · `/jobs` — your running generations',
    'Results come with **Re-roll** (same recipe, new seed) and **Animate** (for images).',
  ].join('\n');
}

/** The answer to a Cancel button, by outcome. */
export const CANCEL_TEXT: Record<CancelOutcome['outcome'], string> = {
  canceled: 'Canceled.',
  'too-late': 'It is already rendering at Higgsfield and can no longer be canceled.',
  'already-finished': 'It has already finished.',
  'not-allowed': 'Only the person who asked (or an admin) can cancel it.',
  'not-found': 'That generation is no longer known.',
};

export const ALREADY_QUEUED_TEXT = 'That option is already queued or done: see its status in the thread.';

/**
 * Words the chat platforms share: an option's estimate, a generation's status line, the `/jobs` list. Each
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

/** The answer to a Cancel button, by outcome. */
export const CANCEL_TEXT: Record<CancelOutcome['outcome'], string> = {
  canceled: 'Canceled.',
  'too-late': 'It is already rendering at Higgsfield and can no longer be canceled.',
  'already-finished': 'It has already finished.',
  'not-allowed': 'Only the person who asked (or an admin) can cancel it.',
  'not-found': 'That generation is no longer known.',
};

/** A person's generations in progress (`/jobs`), one line each. */
export function jobsText(
  active: ReadonlyArray<{ label: string; state: string; position?: number }>,
  name: (job: { label: string }, index: number) => string = (job) => job.label,
): string {
  if (active.length === 0) return 'You have no generations in progress.';
  const lines = active.map(
    (job, i) => `• ${name(job, i)}: ${job.state}${job.position ? ` (position ${job.position})` : ''}`,
  );
  return `Your generations in progress:\n${lines.join('\n')}`;
}

export const ALREADY_QUEUED_TEXT = 'That option is already queued or done: see its status in the thread.';

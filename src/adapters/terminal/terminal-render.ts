/**
 * How the terminal chat shows things: option sets as numbered choices with their reasons and estimates,
 * progress lines per job, results with where they were saved, and pages of history. Pure functions
 * returning lines.
 */
import type { OptionSet } from '../../core/assistant-types.js';
import type { HistoryLine } from '../../core/history-views.js';
import type { MediaAsset, ProgressEvent } from '../../core/types.js';
import { estimateText } from '../shared/message-text.js';

export function renderOptionSet(set: OptionSet, notes: readonly string[]): string[] {
  const lines = [set.text];
  set.options.forEach((option, i) => {
    const estimate = estimateText(option.estimate);
    lines.push(`  ${i + 1}) ${option.label}${estimate ? `   (${estimate})` : ''}`);
    lines.push(`     why: ${option.reason}`);
    lines.push(`     prompt: ${option.prompt}`);
  });
  for (const note of notes) lines.push(`(${note})`);
  lines.push(`Type 1-${set.options.length} to generate, or describe a change.`);
  return lines;
}

export function renderProgress(job: number, event: ProgressEvent): string | undefined {
  const about = (ms: number | undefined) =>
    ms === undefined ? '' : `, about ${Math.max(1, Math.round(ms / 1_000))} s`;
  switch (event.state) {
    case 'queued':
      return `#${job} queued (position ${event.position ?? 1}${about(event.estimatedWaitMs)})`;
    case 'submitted':
      return undefined;
    case 'rendering':
      return `#${job} rendering${about(event.estimatedWaitMs)}…`;
    case 'delivering':
      return `#${job} saving the result…`;
    case 'done':
      return undefined;
    case 'canceled':
      return `#${job} canceled${event.message ? `: ${event.message}` : ''}`;
    case 'failed':
      return `#${job} ✖ ${event.message ?? 'failed'}`;
  }
}

export function renderResult(job: number, label: string, assets: readonly MediaAsset[]): string[] {
  const lines = [`#${job} ✔ ${label}`];
  for (const asset of assets) {
    const size =
      asset.sizeBytes >= 1_048_576
        ? `${(asset.sizeBytes / 1_048_576).toFixed(1)} MB`
        : `${Math.ceil(asset.sizeBytes / 1024)} KB`;
    lines.push(`   saved: ${asset.path ?? asset.key}  (${asset.contentType}, ${size})`);
    lines.push(`   url:   ${asset.url}`);
  }
  const image = assets.some((a) => a.contentType.startsWith('image/'));
  lines.push(`   r ${job} re-roll${image ? ` · a ${job} animate` : ''}`);
  return lines;
}

/** A page of `history`, numbered from `first` (a later page continues the numbers of the one before). */
export function renderHistoryPage(
  page: { search: string; lines: readonly HistoryLine[]; nextPage?: string },
  first: number,
  nowMs: number,
): string[] {
  if (page.lines.length === 0) {
    if (first > 1) return ['That was the last page of your history.'];
    return [
      page.search
        ? `None of your generations has "${page.search}" in its prompt.`
        : 'You have no generations here yet. Describe a picture or a clip to make one.',
    ];
  }
  const lines = [
    first > 1
      ? 'Older generations:'
      : page.search
        ? `Your generations with "${page.search}", newest first:`
        : 'Your generations, newest first:',
  ];
  page.lines.forEach((line, i) => {
    lines.push(
      `  ${first + i}) ${line.label} — ${line.state}, ${whenText(line.createdAtMs, nowMs)}  id ${line.shortId}`,
    );
  });
  lines.push(`Type show N to post one again${page.nextPage ? ', more for older ones' : ''}.`);
  return lines;
}

/** When something happened, as a person says it: "5 min ago", "yesterday", "12 days ago", a date past a month. */
function whenText(atMs: number, nowMs: number): string {
  const minutes = Math.floor((nowMs - atMs) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 2) return 'yesterday';
  if (days < 31) return `${days} days ago`;
  return new Date(atMs).toISOString().slice(0, 10);
}

/**
 * How the terminal chat shows things: option sets as numbered choices with their reasons and estimates,
 * progress lines per job, and results with where they were saved. Pure functions returning lines.
 */
import type { OptionSet } from '../../core/assistant-types.js';
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

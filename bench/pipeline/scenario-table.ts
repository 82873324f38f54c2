/** One scenario's section of the pipeline report: every figure of the run as a two-column table, then notes. */
import { mb, ms, num, sec } from '../format.js';
import type { ScenarioResult } from './analyse.js';
import { type PipelineBenchSettings, TARGETS } from './scenarios.js';

export function scenarioTable(s: PipelineBenchSettings, r: ScenarioResult): string {
  const rows: Array<[string, string]> = [
    [
      'Generations offered / submitted / delivered / failed',
      `${r.offered} / ${r.submitted} / ${r.delivered} / ${r.failed}`,
    ],
    r.kind === 'trickle'
      ? ['Enqueue (evenly spaced, queue running)', `${sec(r.enqueueMs)} at ${s.tricklePerS}/s`]
      : ['Enqueue of all generations (queue paused)', sec(r.enqueueMs)],
    [r.kind === 'trickle' ? 'First enqueue → first submit' : 'Resume → first submit', sec(r.resumeToFirstSubmitMs)],
    ['First → last submit (simulator)', sec(r.submitSpreadMs)],
    ['Max generations in flight at once', `${r.maxInFlight}`],
    ['Renders reach terminal (simulator), after first submit', `${sec(r.terminals.fromMs)} – ${sec(r.terminals.toMs)}`],
    [
      '`rendering` events (a status read saw in_progress), after first submit',
      r.rendering.count > 0
        ? `${r.rendering.count}, ${sec(r.rendering.fromMs)} – ${sec(r.rendering.toMs)}`
        : 'none (no status read before the end)',
    ],
    [
      'First submit → last delivery',
      r.completionMs !== undefined
        ? sec(r.completionMs)
        : `not all delivered (${r.delivered}/${r.offered} after ${sec(r.observedMs)})`,
    ],
  ];
  if (r.projectedMs !== undefined) {
    rows.push([
      'Projected time for all N',
      `${sec(r.projectedMs)} (⌈N / ${s.concurrency}⌉ = ${Math.ceil(s.n / s.concurrency)} rounds × mean submit→delivery ${sec(r.endToEnd.mean)})`,
    ]);
  }
  rows.push(
    [`All delivered within render + 15 s (${sec(s.renderMs + TARGETS.slackMs)})`, r.withinTarget ? 'yes' : 'no'],
    [
      'Submit → delivery per generation (median / p95 / max)',
      `${sec(r.endToEnd.median)} / ${sec(r.endToEnd.p95)} / ${sec(r.endToEnd.max)}`,
    ],
    [
      'Detection delay: done − terminal (median / p95 / max)',
      `${ms(r.detection.median)} / ${ms(r.detection.p95)} / ${ms(r.detection.max)}`,
    ],
    ...(r.webhookLeg.count > 0
      ? [
          [
            '  of which terminal → webhook acknowledged by our route (median / p95 / max)',
            `${ms(r.webhookLeg.median)} / ${ms(r.webhookLeg.p95)} / ${ms(r.webhookLeg.max)}`,
          ] as [string, string],
        ]
      : []),
    [
      '  of which terminal → job starts delivering (median / p95 / max)',
      `${ms(r.pickupLeg.median)} / ${ms(r.pickupLeg.p95)} / ${ms(r.pickupLeg.max)}`,
    ],
    [
      '  of which delivering → done: download, store, post (median / p95 / max)',
      `${ms(r.deliveryLeg.median)} / ${ms(r.deliveryLeg.p95)} / ${ms(r.deliveryLeg.max)}`,
    ],
    ['Worker RSS idle → peak', `${mb(r.idleRssBytes)} → **${mb(r.peakRssBytes)} MB** (${r.rssSamples} samples)`],
    [
      'Worker RSS above idle per generation in flight (peak − idle) ÷ max in flight',
      r.maxInFlight > 0 ? `${((r.peakRssBytes - r.idleRssBytes) / r.maxInFlight / 1024).toFixed(1)} KB` : '–',
    ],
    [
      'Worker CPU from resume to end (busiest second)',
      `${num(r.workerCpuSeconds, 1)} s (${num(r.workerPeakCpuCores)} cores); benchmark process (simulator, producer, listener): ${num(r.benchCpuSeconds, 1)} s`,
    ],
    ['Redis used_memory peak increase', `${mb(r.redisPeakDeltaBytes)} MB`],
    [
      'Redis commands per submitted generation (Lua-internal calls included); Redis CPU',
      `${r.redisCommands !== undefined && r.submitted > 0 ? (r.redisCommands / r.submitted).toFixed(1) : '–'}; ${num(r.redisCpuSeconds, 1)} s`,
    ],
    [
      'Submits per generation (POST calls ÷ submitted generations)',
      `${num(r.submitsPerGeneration, 3)} (${r.submitCalls} POSTs; max ${r.maxRequestsPerGeneration} request per generation)`,
    ],
    [
      `Status reads per generation (mean / max, ${r.statusReadsOver})`,
      `${num(r.statusReads.mean)} / ${r.statusReads.max ?? '–'}`,
    ],
    ['Webhooks sent by the simulator', `${r.webhooksSent}`],
    [
      'Worker log warnings / errors',
      `${r.output.stdout.warn + r.output.stderr.warn} / ${r.output.stdout.error + r.output.stderr.error}`,
    ],
    ['Graceful stop (SIGTERM → exit)', sec(r.stopMs)],
  );
  const lines = ['| Figure | Value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
  const samples = [...r.output.stdout.samples, ...r.output.stderr.samples];
  if (samples.length > 0) lines.push('', `Log samples: ${samples.map((x) => `\`${x}\``).join(', ')}`);
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

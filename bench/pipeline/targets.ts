/**
 * The pipeline report's verdicts: each target of TARGETS (and the polling bounds) judged on the run's
 * figures. A quick run offers fewer generations than the in-flight target, so that verdict is 'n/a' there.
 */
import { mb, ms, num, sec } from '../format.js';
import type { ScenarioResult } from './analyse.js';
import { type PipelineBenchSettings, TARGETS } from './scenarios.js';

type Verdict = 'met' | 'not met' | 'n/a';

export interface TargetVerdict {
  name: string;
  verdict: Verdict;
  figure: string;
}

function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'n/a' : ok ? 'met' : 'not met';
}

export function targetVerdicts(
  s: PipelineBenchSettings,
  wh: ScenarioResult | undefined,
  poll: ScenarioResult | undefined,
): TargetVerdict[] {
  const targets: TargetVerdict[] = [];
  const add = (name: string, ok: boolean | undefined, figure: string) =>
    targets.push({ name, verdict: verdict(ok), figure });
  if (wh) {
    add(
      `${TARGETS.inFlight.toLocaleString('en')} generations in flight at once (webhooks)`,
      s.quick ? undefined : wh.maxInFlight >= TARGETS.inFlight,
      s.quick
        ? `quick run offers only ${s.n}; reached ${wh.maxInFlight}/${s.n} — run the full benchmark for this target`
        : `${wh.maxInFlight} at once`,
    );
    add(
      'Worker RSS under 300 MB during that run (webhooks)',
      wh.peakRssBytes < TARGETS.rssBytes,
      `peak ${mb(wh.peakRssBytes)} MB`,
    );
    add(
      `All delivered within render + 15 s (${sec(s.renderMs + TARGETS.slackMs)}) (webhooks)`,
      wh.withinTarget,
      wh.completionMs !== undefined ? sec(wh.completionMs) : `${wh.delivered}/${s.n} delivered`,
    );
    add(
      'Detection delay median under 300 ms (webhooks)',
      wh.detection.median !== undefined && wh.detection.median < TARGETS.detectionMedianMs,
      `median ${ms(wh.detection.median)}, p95 ${ms(wh.detection.p95)}, max ${ms(wh.detection.max)}`,
    );
    add(
      '1 submit per generation (webhooks)',
      wh.submitCalls === wh.submitted && wh.maxRequestsPerGeneration <= 1 && wh.submitted === s.n,
      `${wh.submitCalls} POSTs for ${wh.submitted} generations`,
    );
    add(
      'At most 2 status reads per generation with webhooks',
      wh.statusReads.max !== undefined && wh.statusReads.max <= 2,
      `mean ${num(wh.statusReads.mean)}, max ${wh.statusReads.max ?? '–'}`,
    );
  }
  if (poll) {
    add(
      `Polling detection delay bounded by its cap (${sec(s.pollBoundMs)} with jitter)`,
      poll.detection.max !== undefined && poll.detection.max <= s.pollBoundMs,
      `median ${ms(poll.detection.median)}, p95 ${ms(poll.detection.p95)}, max ${ms(poll.detection.max)}`,
    );
    add(
      '1 submit per generation (polling)',
      poll.submitCalls === poll.submitted && poll.maxRequestsPerGeneration <= 1 && poll.submitted === s.n,
      `${poll.submitCalls} POSTs for ${poll.submitted} generations`,
    );
    add('Worker RSS under 300 MB (polling)', poll.peakRssBytes < TARGETS.rssBytes, `peak ${mb(poll.peakRssBytes)} MB`);
    add(
      'All delivered within render + 15 s (polling, not a stated target)',
      poll.withinTarget,
      poll.completionMs !== undefined ? sec(poll.completionMs) : `${poll.delivered}/${s.n} delivered`,
    );
  }
  return targets;
}

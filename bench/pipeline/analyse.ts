/**
 * Turns what a scenario's run collected (simulator requests and webhook deliveries, progress events, RSS,
 * CPU and Redis samples, the worker's output) into the figures the report prints. Pure: it reads the
 * samples and starts nothing.
 *
 * Definitions: in flight = from the simulator creating the request to the `done` progress event; detection
 * delay = `done` event time − simulator `terminalAtMs` (so it includes the download, store and post).
 */
import type { SimRequestInfo, Simulator } from '../../src/higgsfield/simulator/index.js';
import type { Child, OutputStats } from '../child-process.js';
import type { ProcessSampler } from '../process-sampler.js';
import type { RedisSampler } from '../redis-sampler.js';
import { maxOverlap, type Summary, summarize } from '../stats.js';
import { type Kind, type PipelineBenchSettings, type Scenario, TARGETS } from './scenarios.js';
import type { Tracker } from './tracker.js';

/** What the runner collected during one scenario. */
export interface RunSamples {
  scenario: Scenario;
  sim: Simulator;
  tracker: Tracker;
  child: Child;
  rss: ProcessSampler;
  redis: RedisSampler;
  idleRssBytes: number;
  enqueueMs: number;
  /** When the burst was released (the queue resumed) or the paced enqueue began. */
  resumedAt: number;
  benchCpuStart: NodeJS.CpuUsage;
  /** The run stopped at its cap before everything finished. */
  capped: boolean;
  notes: string[];
}

export interface ScenarioResult {
  kind: Kind;
  title: string;
  offered: number;
  submitted: number;
  delivered: number;
  failed: number;
  /** The run stopped at its cap before delivering everything. */
  capped: boolean;
  idleRssBytes: number;
  peakRssBytes: number;
  rssSamples: number;
  /** Worker CPU seconds from resume to the end of the run, and its busiest second (in cores). */
  workerCpuSeconds: number | undefined;
  workerPeakCpuCores: number;
  /** The benchmark process's own CPU (simulator, producer, event listener) over the same span. */
  benchCpuSeconds: number;
  redisPeakDeltaBytes: number;
  /** Commands Redis executed during the run (Lua-internal calls included), and its CPU seconds. */
  redisCommands: number | undefined;
  redisCpuSeconds: number | undefined;
  enqueueMs: number;
  resumeToFirstSubmitMs: number | undefined;
  submitSpreadMs: number | undefined;
  maxInFlight: number;
  /** First simulator request → last `done` event (only when everything was delivered). */
  completionMs: number | undefined;
  /** First simulator request → last `done` event seen, whatever was delivered. */
  observedMs: number | undefined;
  withinTarget: boolean;
  endToEnd: Summary;
  detection: Summary;
  /** terminal → webhook acknowledged by our route (webhooks only). */
  webhookLeg: Summary;
  /** terminal → the job starts delivering (`delivering` event): detection proper. */
  pickupLeg: Summary;
  /** `delivering` → `done`: download, store, post. */
  deliveryLeg: Summary;
  /** `rendering` events (a status read saw in_progress): count and first/last, relative to the first submit. */
  rendering: { count: number; fromMs: number | undefined; toMs: number | undefined };
  /** First and last terminal instant at the simulator, relative to the first submit. */
  terminals: { fromMs: number | undefined; toMs: number | undefined };
  submitCalls: number;
  submitsPerGeneration: number | undefined;
  maxRequestsPerGeneration: number;
  statusReads: Summary;
  statusReadsOver: string;
  webhooksSent: number;
  projectedMs: number | undefined;
  stopMs: number;
  exitCode: number | null | undefined;
  output: { stdout: OutputStats; stderr: OutputStats };
  notes: string[];
}

function relativeSpan(
  origin: number | undefined,
  times: number[],
): { count: number; fromMs: number | undefined; toMs: number | undefined } {
  if (origin === undefined || times.length === 0) return { count: times.length, fromMs: undefined, toMs: undefined };
  return { count: times.length, fromMs: Math.min(...times) - origin, toMs: Math.max(...times) - origin };
}

/** The simulator's requests grouped by generation (their idempotency key). */
function requestsByGeneration(requests: SimRequestInfo[]): Map<string, SimRequestInfo[]> {
  const byGeneration = new Map<string, SimRequestInfo[]>();
  for (const request of requests) {
    const key = request.idempotencyKey ?? `no-key:${request.id}`;
    const list = byGeneration.get(key) ?? [];
    list.push(request);
    byGeneration.set(key, list);
  }
  return byGeneration;
}

export function analyse(s: PipelineBenchSettings, run: RunSamples): Omit<ScenarioResult, 'stopMs' | 'exitCode'> {
  const { scenario, sim, tracker, rss, redis } = run;
  const { kind, n } = scenario;
  const notes = [...run.notes];
  const benchCpu = process.cpuUsage(run.benchCpuStart);
  const requests = sim.requests();
  const stats = sim.stats();
  const byGeneration = requestsByGeneration(requests);
  const created = requests.map((r) => r.createdAtMs);
  const firstSubmit = created.length ? Math.min(...created) : undefined;
  const lastCreated = created.length ? Math.max(...created) : undefined;
  const doneTimes = [...tracker.doneAt.values()];
  const lastDelivery = doneTimes.length ? Math.max(...doneTimes) : undefined;
  const intervals: Array<{ start: number; end: number | undefined }> = [];
  const detection: number[] = [];
  const endToEnd: number[] = [];
  const statusReads: number[] = [];
  const webhookLeg: number[] = [];
  const pickupLeg: number[] = [];
  const deliveryLeg: number[] = [];
  const hookAck = new Map<string, number>();
  for (const delivery of sim.webhookDeliveries()) {
    if (delivery.deliveredAtMs !== null && !hookAck.has(delivery.requestId)) {
      hookAck.set(delivery.requestId, delivery.deliveredAtMs);
    }
  }
  for (const [generationId, list] of byGeneration) {
    const start = Math.min(...list.map((r) => r.createdAtMs));
    const done = tracker.doneAt.get(generationId);
    const failed = tracker.failed.has(generationId);
    intervals.push({ start, end: done ?? (failed ? start : undefined) });
    const reads = list.reduce((sum, r) => sum + r.statusReads, 0);
    // The naive run is stopped while many are still polling: count reads of finished generations only.
    if (kind !== 'naive' || done !== undefined) statusReads.push(reads);
    if (done === undefined) continue;
    endToEnd.push(done - start);
    const request = list.find((r) => r.terminalAtMs !== undefined);
    const terminal = request?.terminalAtMs;
    if (request === undefined || terminal === undefined) continue;
    detection.push(done - terminal);
    const ack = hookAck.get(request.id);
    if (ack !== undefined) webhookLeg.push(ack - terminal);
    const delivering = tracker.deliveringAt.get(generationId);
    if (delivering !== undefined) {
      pickupLeg.push(delivering - terminal);
      deliveryLeg.push(done - delivering);
    }
  }
  const submitCalls = stats.calls.filter((c) => c.method === 'POST' && c.path === `/${s.model}`).length;
  const submittedGenerations = byGeneration.size;
  const delivered = tracker.doneAt.size;
  const completionMs =
    delivered === n && firstSubmit !== undefined && lastDelivery !== undefined ? lastDelivery - firstSubmit : undefined;
  const observedMs = firstSubmit !== undefined && lastDelivery !== undefined ? lastDelivery - firstSubmit : undefined;
  const e2e = summarize(endToEnd);
  const projectedMs =
    run.capped && kind === 'naive' && e2e.mean !== undefined ? Math.ceil(n / s.concurrency) * e2e.mean : undefined;
  if (tracker.failed.size > 0) {
    const reasons = [...new Set(tracker.failed.values())].slice(0, 3).join(' | ');
    notes.push(`${tracker.failed.size} generations failed: ${reasons}`);
  }
  return {
    kind,
    title: scenario.title,
    offered: n,
    submitted: submittedGenerations,
    delivered,
    failed: tracker.failed.size,
    capped: run.capped,
    idleRssBytes: run.idleRssBytes,
    peakRssBytes: rss.peakBytes,
    rssSamples: rss.samples,
    workerCpuSeconds: rss.cpuSeconds(),
    workerPeakCpuCores: rss.peakCpuCores,
    benchCpuSeconds: (benchCpu.user + benchCpu.system) / 1e6,
    redisPeakDeltaBytes: Math.max(0, redis.peakBytes - redis.baselineBytes),
    redisCommands: redis.commands,
    redisCpuSeconds: redis.cpuSeconds,
    enqueueMs: run.enqueueMs,
    resumeToFirstSubmitMs: firstSubmit !== undefined ? firstSubmit - run.resumedAt : undefined,
    submitSpreadMs: firstSubmit !== undefined && lastCreated !== undefined ? lastCreated - firstSubmit : undefined,
    maxInFlight: maxOverlap(intervals),
    completionMs,
    observedMs,
    withinTarget: completionMs !== undefined && completionMs <= s.renderMs + TARGETS.slackMs,
    endToEnd: e2e,
    detection: summarize(detection),
    rendering: relativeSpan(firstSubmit, [...tracker.renderingAt.values()]),
    terminals: relativeSpan(
      firstSubmit,
      requests.map((r) => r.terminalAtMs).filter((t): t is number => t !== undefined),
    ),
    webhookLeg: summarize(webhookLeg),
    pickupLeg: summarize(pickupLeg),
    deliveryLeg: summarize(deliveryLeg),
    submitCalls,
    submitsPerGeneration: submittedGenerations > 0 ? submitCalls / submittedGenerations : undefined,
    maxRequestsPerGeneration: Math.max(0, ...[...byGeneration.values()].map((l) => l.length)),
    statusReads: summarize(statusReads),
    statusReadsOver: kind === 'naive' ? 'delivered generations' : 'all submitted generations',
    webhooksSent: sim.webhookDeliveries().length,
    projectedMs,
    output: { stdout: run.child.stdout, stderr: run.child.stderr },
    notes,
  };
}

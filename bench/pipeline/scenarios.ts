/**
 * What the pipeline benchmark runs: its settings (counts, render time, concurrency, deadlines), the four
 * scenarios and the generations each one offers. Data only: nothing here starts anything.
 *
 *   1. webhooks — the real worker with HIGGSFIELD_WEBHOOK_URL/SECRET (the webhook advances the job);
 *   2. trickle  — the same at low load (a few hundred generations arriving at 20/s), for context: it
 *                 separates the per-generation path from queueing under the burst;
 *   3. polling  — the real worker without webhooks (delayed-job polling, 2 s ×1.5 to a 10 s cap);
 *   4. naive    — bench/pipeline/naive-worker.ts: a BullMQ processor that submits, then sleeps 2 s + GETs
 *                 status until terminal, then downloads, at the same concurrency (stopped at 3× render time).
 */
import type { GenerationSpec } from '../../src/core/types.js';
import { DEFAULT_PIPELINE_SETTINGS } from '../../src/queue/pipeline-settings.js';
import { sec } from '../format.js';

export type Kind = 'webhooks' | 'trickle' | 'polling' | 'naive';

export interface PipelineBenchSettings {
  quick: boolean;
  /** Generations per burst scenario. */
  n: number;
  /** The low-load webhook run: this many generations arriving at `tricklePerS`. */
  trickleN: number;
  tricklePerS: number;
  /** The simulator's fixed render (in_progress) time. */
  renderMs: number;
  /** Extra wait past the target (render + 15 s) before a scenario stops waiting and reports what it has. */
  graceMs: number;
  /** WORKER_CONCURRENCY of the worker under test and of the naive worker. */
  concurrency: number;
  /** USER_MAX_ACTIVE: generations are spread over `users` people with this many each. */
  perUser: number;
  users: number;
  naivePollMs: number;
  /** The naive run stops this long after its first submit (3× render). */
  naiveCapMs: number;
  /** Enqueues in flight at once while the producer fills the queue. */
  enqueueParallelism: number;
  model: string;
  /** The whole benchmark is stopped (everything cleaned up) after this long. */
  hardTimeoutMs: number;
  /** Our polling policy, and its bound with jitter. */
  poll: typeof DEFAULT_PIPELINE_SETTINGS.poll;
  pollBoundMs: number;
}

/** The targets the run is judged against (bench/RESULTS.md "Targets"). */
export const TARGETS = {
  inFlight: 5_000,
  /** All delivered within render + this. */
  slackMs: 15_000,
  rssBytes: 300 * 1_048_576,
  detectionMedianMs: 300,
} as const;

/** Full: N=5000, render 20 s (a few minutes). Quick: N=1000, render 8 s (about a minute and a half). */
export function pipelineBenchSettings(quick: boolean): PipelineBenchSettings {
  const n = quick ? 1_000 : 5_000;
  const renderMs = quick ? 8_000 : 20_000;
  const perUser = 100;
  const poll = DEFAULT_PIPELINE_SETTINGS.poll;
  return {
    quick,
    n,
    trickleN: quick ? 100 : 200,
    tricklePerS: 20,
    renderMs,
    graceMs: quick ? 6_000 : 30_000,
    concurrency: 500,
    perUser,
    users: Math.ceil(n / perUser),
    naivePollMs: 2_000,
    naiveCapMs: 3 * renderMs,
    enqueueParallelism: 50,
    model: 'nano-banana',
    hardTimeoutMs: quick ? 120_000 : 600_000,
    poll,
    pollBoundMs: poll.maxMs * (1 + poll.jitterRatio),
  };
}

export interface Scenario {
  kind: Kind;
  title: string;
  /** Generations offered. */
  n: number;
  /** The product's worker (`higgsbot start --role worker`) or the naive comparison. */
  worker: 'ours' | 'naive';
  /** The worker is given HIGGSFIELD_WEBHOOK_URL/SECRET (ours only). */
  webhooks: boolean;
  /**
   * `burst`: all n enqueued while the queue is paused (the worker up and idle), then the queue is resumed,
   * so the worker is offered the whole burst at once. `paced`: evenly spaced with the queue running.
   */
  arrival: { kind: 'burst' } | { kind: 'paced'; perSecond: number };
  /** The run stops waiting this long after its first submit. */
  capMs: number;
  /** Said under the scenario's table whatever the run measured. */
  notes: string[];
}

export function pipelineScenarios(s: PipelineBenchSettings): Scenario[] {
  const ourCapMs = s.renderMs + TARGETS.slackMs + s.graceMs;
  const naiveNotes =
    s.renderMs % s.naivePollMs === 0
      ? [
          `The render time is a multiple of the ${sec(s.naivePollMs)} poll interval, so the naive poll lands just after the terminal instant: its detection delay and status reads are best cases (an unaligned render time adds about ${sec(s.naivePollMs / 2)} of median delay and half a read).`,
        ]
      : [];
  return [
    {
      kind: 'webhooks',
      title: 'Ours, webhooks (+ safety-net polling), whole burst at once',
      n: s.n,
      worker: 'ours',
      webhooks: true,
      arrival: { kind: 'burst' },
      capMs: ourCapMs,
      notes: [],
    },
    {
      kind: 'trickle',
      title: `Ours, webhooks, low load (context): ${s.trickleN} generations arriving at ${s.tricklePerS}/s`,
      n: s.trickleN,
      worker: 'ours',
      webhooks: true,
      arrival: { kind: 'paced', perSecond: s.tricklePerS },
      capMs: ourCapMs + (s.trickleN * 1_000) / s.tricklePerS,
      notes: [],
    },
    {
      kind: 'polling',
      title: 'Ours, polling only, whole burst at once',
      n: s.n,
      worker: 'ours',
      webhooks: false,
      arrival: { kind: 'burst' },
      capMs: ourCapMs,
      notes: [],
    },
    {
      kind: 'naive',
      title: `Naive: poll inside the processor (every ${s.naivePollMs / 1_000} s), whole burst at once`,
      n: s.n,
      worker: 'naive',
      webhooks: false,
      arrival: { kind: 'burst' },
      capMs: s.naiveCapMs,
      notes: naiveNotes,
    },
  ];
}

/** Generation `i` of a run: one 64×64 image, from one of `users` people (`perUser` generations each). */
export function makeSpec(s: PipelineBenchSettings, i: number): GenerationSpec {
  const user = i % s.users;
  return {
    option: {
      kind: 'text-to-image',
      modelId: s.model,
      prompt: `bench image ${i}: a small lighthouse at dusk`,
      params: {},
      label: `bench ${i}`,
      reason: 'benchmark',
    },
    conversation: {
      platform: 'terminal',
      workspaceId: 'local',
      channelId: 'bench',
      threadId: 'bench',
      userId: `bench-user-${user}`,
    },
  };
}

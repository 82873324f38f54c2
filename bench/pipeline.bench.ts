/**
 * Generation-pipeline benchmark against the built-in Higgsfield simulator (fixed render time, no account
 * limit), one worker process (`node bin/higgsbot.js start --role worker`, compiled dist/):
 *
 *   1. webhooks  — the real worker with HIGGSFIELD_WEBHOOK_URL/SECRET (webhook advances the job);
 *   2. trickle   — the same at low load (a few hundred generations arriving at 20/s), for context: it
 *                  separates the per-generation path from queueing under the burst;
 *   3. polling   — the real worker without webhooks (delayed-job polling, 2 s ×1.5 to a 10 s cap);
 *   4. naive     — bench/naive-worker.ts: a BullMQ processor that submits, then sleeps 2 s + GETs status
 *                  until terminal, then downloads, at the same concurrency (capped at 3× render time).
 *
 * Each scenario gets its own simulator, key prefix (`bench-<hex>-<scenario>`), media folder and worker
 * process. In the burst scenarios all jobs are enqueued while the queue is paused (the worker is up and
 * idle), then the queue is resumed, so the worker is offered the whole burst at once. Figures: worker RSS (VmRSS every 250 ms),
 * generations in flight at once (simulator request created → `done` event), first submit → last delivery,
 * detection delay (`done` event atMs − simulator terminalAtMs), Higgsfield calls per generation.
 *
 *   npx tsx bench/pipeline.bench.ts            full: N=5000, render 20 s (a few minutes)
 *   npx tsx bench/pipeline.bench.ts --quick    N=1000, render 8 s (under 90 s)
 *   add --build to force `npm run build` (otherwise it runs only when dist/ is older than src/)
 *
 * Writes bench/RESULTS.md and prints the same. Only 127.0.0.1 is ever contacted.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import type { GenerationSpec, ProgressEvent } from '../src/core/types.js';
import { HiggsfieldClient } from '../src/higgsfield/client.js';
import {
  SIMULATOR_CREDENTIALS,
  type SimRequestInfo,
  type Simulator,
  startSimulator,
} from '../src/higgsfield/simulator/index.js';
import { WEBHOOK_PATH } from '../src/http/webhook-route.js';
import { silentLogger } from '../src/log.js';
import { createPipeline } from '../src/queue/create-pipeline.js';
import { DEFAULT_PIPELINE_SETTINGS } from '../src/queue/pipeline-settings.js';
import { createRedisProgressBus } from '../src/queue/progress-bus.js';
import { createRedis } from '../src/queue/redis.js';
import { writeResultsSection } from './results-file.js';
import {
  type Child,
  deleteKeys,
  freePort,
  maxOverlap,
  mb,
  ms,
  NAIVE_QUEUE,
  type NaiveJobData,
  num,
  type OutputStats,
  ProcessSampler,
  RedisSampler,
  ratio,
  Scope,
  type Summary,
  sec,
  spawnChild,
  summarize,
  waitFor,
} from './support.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, build: { type: 'boolean', default: false } },
});
const QUICK = flags.quick === true;
const N = QUICK ? 1_000 : 5_000;
/** The low-load webhook run: this many generations arriving at TRICKLE_PER_S, for context. */
const TRICKLE_N = QUICK ? 100 : 200;
const TRICKLE_PER_S = 20;
const RENDER_MS = QUICK ? 8_000 : 20_000;
/** Extra wait past the target (render + 15 s) before a scenario stops waiting and reports what it has. */
const GRACE_MS = QUICK ? 6_000 : 30_000;
const TARGET_IN_FLIGHT = 5_000;
const TARGET_SLACK_MS = 15_000;
const TARGET_RSS_BYTES = 300 * 1_048_576;
const TARGET_DETECTION_MEDIAN_MS = 300;
const CONCURRENCY = 500;
const PER_USER = 100;
const USERS = Math.ceil(N / PER_USER);
const NAIVE_POLL_MS = 2_000;
const NAIVE_CAP_MS = 3 * RENDER_MS;
const ENQUEUE_PARALLELISM = 50;
const MODEL = 'nano-banana';
const HARD_TIMEOUT_MS = QUICK ? 120_000 : 600_000;
const RUN_ID = `bench-${randomBytes(4).toString('hex')}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POLL = DEFAULT_PIPELINE_SETTINGS.poll;
const POLL_BOUND_MS = POLL.maxMs * (1 + POLL.jitterRatio);

if (!/^redis:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/\d*)?$/.test(REDIS_URL)) {
  console.error(`REDIS_URL must point at 127.0.0.1 (got ${REDIS_URL}); this benchmark talks to loopback only.`);
  process.exit(2);
}

type Kind = 'webhooks' | 'trickle' | 'polling' | 'naive';

interface ScenarioResult {
  kind: Kind;
  title: string;
  offered: number;
  submitted: number;
  delivered: number;
  failed: number;
  /** The naive run stopped at its cap before delivering everything. */
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

/** Progress events, first time seen per generation and state. */
class Tracker {
  readonly submittedAt = new Map<string, number>();
  readonly doneAt = new Map<string, number>();
  readonly deliveringAt = new Map<string, number>();
  readonly renderingAt = new Map<string, number>();
  readonly failed = new Map<string, string>();
  events = 0;

  on(event: ProgressEvent): void {
    this.events++;
    const id = event.generationId;
    if (event.state === 'submitted' && !this.submittedAt.has(id)) this.submittedAt.set(id, event.atMs);
    if (event.state === 'done' && !this.doneAt.has(id)) this.doneAt.set(id, event.atMs);
    if (event.state === 'delivering' && !this.deliveringAt.has(id)) this.deliveringAt.set(id, event.atMs);
    if (event.state === 'rendering' && !this.renderingAt.has(id)) this.renderingAt.set(id, event.atMs);
    if ((event.state === 'failed' || event.state === 'canceled') && !this.failed.has(id)) {
      this.failed.set(id, event.message ?? event.state);
    }
  }

  get finished(): number {
    return this.doneAt.size + this.failed.size;
  }

  firstSubmit(): number | undefined {
    let first: number | undefined;
    for (const at of this.submittedAt.values()) first = first === undefined ? at : Math.min(first, at);
    return first;
  }
}

function makeSpec(i: number): GenerationSpec {
  const user = i % USERS;
  return {
    option: {
      kind: 'text-to-image',
      modelId: MODEL,
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

// ---------------------------------------------------------------------------------------------------------
// Shutdown: every scenario registers its clean-ups in a Scope; Ctrl-C and the hard timeout close them all.

const scopes: Scope[] = [];
let aborting: Promise<void> | undefined;
let abortStartedAt = 0;

class Aborted extends Error {}

/** Throws once an abort has begun, so no new scenario starts (or spawns) while clean-up runs. */
function checkRunning(): void {
  if (aborting) throw new Aborted('aborted');
}

function forget(scope: Scope): void {
  const index = scopes.indexOf(scope);
  if (index >= 0) scopes.splice(index, 1);
}

async function closeEverything(): Promise<string[]> {
  const problems: string[] = [];
  for (let round = 0; round < 100 && scopes.length > 0; round++) {
    const scope = scopes.pop()!;
    problems.push(...(await scope.close()));
  }
  try {
    const leftover = await deleteKeys(REDIS_URL, RUN_ID);
    if (leftover > 0) problems.push(`deleted ${leftover} leftover keys under ${RUN_ID}`);
  } catch (err) {
    problems.push(`final key clean-up: ${err instanceof Error ? err.message : String(err)}`);
  }
  return problems;
}

/**
 * Cleans up once and exits. Under `npx tsx` one Ctrl-C arrives twice (the terminal signals the whole
 * process group and tsx relays it), so a repeat within 3 s is ignored; a later one forces the exit.
 */
function abort(reason: string, code: number): Promise<void> {
  if (aborting) {
    if (Date.now() - abortStartedAt > 3_000) {
      console.error('second interrupt: exiting without finishing the clean-up');
      process.exit(code);
    }
    return aborting;
  }
  abortStartedAt = Date.now();
  aborting = (async () => {
    console.error(`\n${reason}: stopping child processes and cleaning up…`);
    const problems = await closeEverything();
    for (const problem of problems) console.error(`  clean-up: ${problem}`);
    process.exit(code);
  })();
  return aborting;
}

process.on('SIGINT', () => void abort('interrupted', 130));
process.on('SIGTERM', () => void abort('terminated', 143));
const hardTimer = setTimeout(
  () => void abort(`hard timeout of ${HARD_TIMEOUT_MS / 1000} s reached`, 1),
  HARD_TIMEOUT_MS,
);
hardTimer.unref();

// ---------------------------------------------------------------------------------------------------------

const startedAt = Date.now();
function log(message: string): void {
  const t = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  console.log(`[${t} s] ${message}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  const stack = [dir];
  for (let guard = 0; stack.length > 0 && guard < 10_000; guard++) {
    const current = stack.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function ensureBuilt(): string {
  const entry = join(ROOT, 'dist/src/cli.js');
  const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(join(ROOT, 'src'));
  if (!flags.build && !stale) return 'dist/ up to date (not rebuilt)';
  log('building dist/ (npm run build)…');
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 180_000 });
  if (result.status !== 0) throw new Error(`npm run build failed (status ${result.status})`);
  return `built with npm run build in ${sec(Date.now() - started)}`;
}

async function waitForWorkers(queues: Array<Queue<unknown>>, child: Child): Promise<void> {
  const ok = await waitFor(
    async () => {
      if (child.exitCode() !== undefined) return true;
      for (const queue of queues) if ((await queue.getWorkersCount()) === 0) return false;
      return true;
    },
    30_000,
    100,
  );
  if (!ok || child.exitCode() !== undefined) {
    throw new Error(
      `${child.name} did not become ready (exit ${child.exitCode()}):\n${child.stdout.tail}\n${child.stderr.tail}`,
    );
  }
}

interface RunContext {
  kind: Kind;
  n: number;
  sim: Simulator;
  tracker: Tracker;
  child: Child;
  rss: ProcessSampler;
  redis: RedisSampler;
  idleRssBytes: number;
  enqueueMs: number;
  resumedAt: number;
  benchCpuStart: NodeJS.CpuUsage;
}

/** Waits for the first submit, then until all n finished or the scenario's deadline. */
async function waitForRun(ctx: RunContext, capMs: number): Promise<{ capped: boolean; notes: string[] }> {
  const { tracker, child, n } = ctx;
  const notes: string[] = [];
  const started = await waitFor(() => tracker.submittedAt.size > 0 || child.exitCode() !== undefined, 30_000, 50);
  if (!started || tracker.submittedAt.size === 0) {
    notes.push(`no generation was submitted within 30 s of resuming (worker exit ${child.exitCode()})`);
    return { capped: false, notes };
  }
  const deadline = (tracker.firstSubmit() ?? Date.now()) + capMs;
  let lastLog = Date.now();
  await waitFor(
    () => {
      if (Date.now() - lastLog >= 5_000) {
        lastLog = Date.now();
        log(
          `  ${ctx.kind}: submitted ${tracker.submittedAt.size}, delivered ${tracker.doneAt.size}, failed ${tracker.failed.size}, RSS ${mb(ctx.rss.lastBytes)} MB`,
        );
      }
      return tracker.finished >= n || child.exitCode() !== undefined;
    },
    Math.max(0, deadline - Date.now()),
    50,
  );
  if (child.exitCode() !== undefined) notes.push(`${child.name} exited early with code ${child.exitCode()}`);
  const capped = tracker.finished < n;
  if (capped) notes.push(`stopped waiting ${sec(capMs)} after the first submit with ${tracker.finished}/${n} finished`);
  return { capped, notes };
}

function analyse(ctx: RunContext, capped: boolean, notes: string[], title: string): Omit<ScenarioResult, 'stopMs'> {
  const { sim, tracker, rss, redis, n } = ctx;
  const benchCpu = process.cpuUsage(ctx.benchCpuStart);
  const requests = sim.requests();
  const stats = sim.stats();
  const byGeneration = new Map<string, SimRequestInfo[]>();
  for (const request of requests) {
    const key = request.idempotencyKey ?? `no-key:${request.id}`;
    const list = byGeneration.get(key) ?? [];
    list.push(request);
    byGeneration.set(key, list);
  }
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
    if (ctx.kind !== 'naive' || done !== undefined) statusReads.push(reads);
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
  const submitCalls = stats.calls.filter((c) => c.method === 'POST' && c.path === `/${MODEL}`).length;
  const submittedGenerations = byGeneration.size;
  const delivered = tracker.doneAt.size;
  const completionMs =
    delivered === n && firstSubmit !== undefined && lastDelivery !== undefined ? lastDelivery - firstSubmit : undefined;
  const observedMs = firstSubmit !== undefined && lastDelivery !== undefined ? lastDelivery - firstSubmit : undefined;
  const e2e = summarize(endToEnd);
  const projectedMs =
    capped && ctx.kind === 'naive' && e2e.mean !== undefined ? Math.ceil(n / CONCURRENCY) * e2e.mean : undefined;
  if (tracker.failed.size > 0) {
    const reasons = [...new Set(tracker.failed.values())].slice(0, 3).join(' | ');
    notes.push(`${tracker.failed.size} generations failed: ${reasons}`);
  }
  return {
    kind: ctx.kind,
    title,
    offered: n,
    submitted: submittedGenerations,
    delivered,
    failed: tracker.failed.size,
    capped,
    idleRssBytes: ctx.idleRssBytes,
    peakRssBytes: rss.peakBytes,
    rssSamples: rss.samples,
    workerCpuSeconds: rss.cpuSeconds(),
    workerPeakCpuCores: rss.peakCpuCores,
    benchCpuSeconds: (benchCpu.user + benchCpu.system) / 1e6,
    redisPeakDeltaBytes: Math.max(0, redis.peakBytes - redis.baselineBytes),
    redisCommands: redis.commands,
    redisCpuSeconds: redis.cpuSeconds,
    enqueueMs: ctx.enqueueMs,
    resumeToFirstSubmitMs: firstSubmit !== undefined ? firstSubmit - ctx.resumedAt : undefined,
    submitSpreadMs: firstSubmit !== undefined && lastCreated !== undefined ? lastCreated - firstSubmit : undefined,
    maxInFlight: maxOverlap(intervals),
    completionMs,
    observedMs,
    withinTarget: completionMs !== undefined && completionMs <= RENDER_MS + TARGET_SLACK_MS,
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
    statusReadsOver: ctx.kind === 'naive' ? 'delivered generations' : 'all submitted generations',
    webhooksSent: sim.webhookDeliveries().length,
    projectedMs,
    exitCode: undefined,
    output: { stdout: ctx.child.stdout, stderr: ctx.child.stderr },
    notes,
  };
}

function relativeSpan(
  origin: number | undefined,
  times: number[],
): { count: number; fromMs: number | undefined; toMs: number | undefined } {
  if (origin === undefined || times.length === 0) return { count: times.length, fromMs: undefined, toMs: undefined };
  return { count: times.length, fromMs: Math.min(...times) - origin, toMs: Math.max(...times) - origin };
}

/** Enqueues n generations: as fast as possible, or `perSecond` evenly spaced. Returns the time taken. */
async function enqueueAll(n: number, add: (i: number) => Promise<unknown>, perSecond?: number): Promise<number> {
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: ENQUEUE_PARALLELISM }, async () => {
      while (next < n) {
        const i = next++;
        if (perSecond !== undefined) {
          const due = started + (i * 1_000) / perSecond;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        }
        await add(i);
      }
    }),
  );
  return Date.now() - started;
}

async function startSim(scope: Scope): Promise<Simulator> {
  const sim = await startSimulator({ queuedMs: 0, inProgressMs: RENDER_MS, maxConcurrent: Number.POSITIVE_INFINITY });
  scope.defer('simulator', () => sim.close());
  return sim;
}

async function stopChild(child: Child): Promise<number> {
  const started = Date.now();
  await child.stop(10_000);
  return Date.now() - started;
}

const TITLES: Record<Kind, string> = {
  webhooks: 'Ours, webhooks (+ safety-net polling), whole burst at once',
  trickle: `Ours, webhooks, low load (context): ${TRICKLE_N} generations arriving at ${TRICKLE_PER_S}/s`,
  polling: 'Ours, polling only, whole burst at once',
  naive: `Naive: poll inside the processor (every ${NAIVE_POLL_MS / 1_000} s), whole burst at once`,
};

async function runPipelineScenario(kind: 'webhooks' | 'trickle' | 'polling'): Promise<ScenarioResult> {
  const trickle = kind === 'trickle';
  const n = trickle ? TRICKLE_N : N;
  checkRunning();
  const scope = new Scope();
  scopes.push(scope);
  const prefix = `${RUN_ID}-${kind}`;
  scope.defer('redis keys', async () => void (await deleteKeys(REDIS_URL, prefix)));
  try {
    const sim = await startSim(scope);
    const mediaDir = await mkdtemp(join(os.tmpdir(), `${prefix}-`));
    scope.defer('media dir', () => rm(mediaDir, { recursive: true, force: true }));
    const client = new HiggsfieldClient({
      baseUrl: sim.url,
      credentials: SIMULATOR_CREDENTIALS,
      logger: silentLogger(),
    });
    const pipeline = createPipeline({
      redisUrl: REDIS_URL,
      client,
      logger: silentLogger(),
      settings: { prefix, maxActivePerUser: PER_USER },
    });
    scope.defer('producer pipeline', () => pipeline.close());
    await pipeline.ready();
    const tracker = new Tracker();
    const unsubscribe = await pipeline.bus.subscribe((event) => tracker.on(event));
    scope.defer('progress subscription', unsubscribe);
    if (!trickle) await pipeline.submitQueue.pause();

    const port = await freePort();
    const webhookEnv =
      kind !== 'polling'
        ? {
            HIGGSFIELD_WEBHOOK_URL: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
            HIGGSFIELD_WEBHOOK_SECRET: sim.webhookSecret,
          }
        : {};
    checkRunning();
    const child = spawnChild(
      `worker (${kind})`,
      ['bin/higgsbot.js', 'start', '--role', 'worker'],
      {
        PATH: process.env.PATH,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        HIGGSFIELD_BASE_URL: sim.url,
        HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
        MEDIA_DIR: mediaDir,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        USER_MAX_ACTIVE: String(PER_USER),
        WORKER_CONCURRENCY: String(CONCURRENCY),
        ...webhookEnv,
      },
      ROOT,
    );
    scope.defer('worker process', () => child.stop(10_000));
    const rss = new ProcessSampler(child.pid, 250);
    scope.defer('rss sampler', () => rss.stop());
    await waitForWorkers([pipeline.submitQueue, pipeline.trackQueue] as Array<Queue<unknown>>, child);
    await new Promise((r) => setTimeout(r, 500));
    const idleRssBytes = rss.sample();
    log(`${kind}: worker pid ${child.pid} ready, idle RSS ${mb(idleRssBytes)} MB; enqueueing ${n}…`);

    const add = (i: number) => pipeline.service.enqueue(makeSpec(i));
    const redis = new RedisSampler(REDIS_URL);
    scope.defer('redis sampler', () => redis.stop());
    let ctx: RunContext;
    let capMs = RENDER_MS + TARGET_SLACK_MS + GRACE_MS;
    let enqueued: Promise<number> | undefined;
    if (trickle) {
      await redis.start();
      rss.markCpu();
      const resumedAt = Date.now();
      const benchCpuStart = process.cpuUsage();
      enqueued = enqueueAll(n, add, TRICKLE_PER_S);
      capMs += (n * 1_000) / TRICKLE_PER_S;
      ctx = { kind, n, sim, tracker, child, rss, redis, idleRssBytes, enqueueMs: 0, resumedAt, benchCpuStart };
    } else {
      const enqueueMs = await enqueueAll(n, add);
      await redis.start();
      log(`${kind}: enqueued ${n} in ${sec(enqueueMs)}; resuming the queue`);
      rss.markCpu();
      const resumedAt = Date.now();
      const benchCpuStart = process.cpuUsage();
      await pipeline.submitQueue.resume();
      ctx = { kind, n, sim, tracker, child, rss, redis, idleRssBytes, enqueueMs, resumedAt, benchCpuStart };
    }
    const { capped, notes } = await waitForRun(ctx, capMs);
    if (enqueued) ctx.enqueueMs = await enqueued;
    rss.sample();
    rss.stop();
    await redis.finish();
    const result = analyse(ctx, capped, notes, TITLES[kind]);
    const exitBefore = child.exitCode();
    const stopMs = await stopChild(child);
    log(`${kind}: done (worker stopped in ${sec(stopMs)})`);
    return { ...result, stopMs, exitCode: exitBefore ?? child.exitCode() };
  } finally {
    for (const problem of await scope.close()) console.error(`  clean-up (${kind}): ${problem}`);
    forget(scope);
  }
}

async function runNaiveScenario(): Promise<ScenarioResult> {
  checkRunning();
  const scope = new Scope();
  scopes.push(scope);
  const prefix = `${RUN_ID}-naive`;
  scope.defer('redis keys', async () => void (await deleteKeys(REDIS_URL, prefix)));
  try {
    const sim = await startSim(scope);
    const mediaDir = await mkdtemp(join(os.tmpdir(), `${prefix}-`));
    scope.defer('media dir', () => rm(mediaDir, { recursive: true, force: true }));
    const producer = createRedis(REDIS_URL, 'worker');
    producer.on('error', () => {});
    scope.defer('producer connection', () => void producer.disconnect());
    const queue = new Queue<NaiveJobData>(NAIVE_QUEUE, { connection: producer, prefix });
    scope.defer('naive queue', () => queue.close());
    const bus = createRedisProgressBus({
      publisher: producer,
      subscriberFactory: () => {
        const sub = createRedis(REDIS_URL, 'worker');
        sub.on('error', () => {});
        return sub;
      },
      channel: `${prefix}:progress`,
      logger: silentLogger(),
    });
    const tracker = new Tracker();
    const unsubscribe = await bus.subscribe((event) => tracker.on(event));
    scope.defer('progress subscription', unsubscribe);
    await queue.pause();

    checkRunning();
    const child = spawnChild(
      'naive worker',
      ['--import', 'tsx', 'bench/naive-worker.ts'],
      {
        PATH: process.env.PATH,
        REDIS_URL,
        NAIVE_PREFIX: prefix,
        HIGGSFIELD_BASE_URL: sim.url,
        HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
        MEDIA_DIR: mediaDir,
        WORKER_CONCURRENCY: String(CONCURRENCY),
        NAIVE_POLL_MS: String(NAIVE_POLL_MS),
      },
      ROOT,
    );
    scope.defer('naive worker process', () => child.stop(10_000));
    const rss = new ProcessSampler(child.pid, 250);
    scope.defer('rss sampler', () => rss.stop());
    await waitForWorkers([queue as Queue<unknown>], child);
    await new Promise((r) => setTimeout(r, 500));
    const idleRssBytes = rss.sample();
    log(`naive: worker pid ${child.pid} ready, idle RSS ${mb(idleRssBytes)} MB; enqueueing ${N}…`);

    const enqueueStarted = Date.now();
    for (let from = 0; from < N; from += 500) {
      const batch = [];
      for (let i = from; i < Math.min(N, from + 500); i++) {
        const generationId = `gen-${RUN_ID}-naive-${i}`;
        batch.push({ name: 'naive', data: { generationId, spec: makeSpec(i) }, opts: { jobId: generationId } });
      }
      await queue.addBulk(batch);
    }
    const enqueueMs = Date.now() - enqueueStarted;
    const redis = new RedisSampler(REDIS_URL);
    scope.defer('redis sampler', () => redis.stop());
    await redis.start();
    log(`naive: enqueued ${N} in ${sec(enqueueMs)}; resuming the queue (cap ${sec(NAIVE_CAP_MS)} after first submit)`);
    rss.markCpu();
    const resumedAt = Date.now();
    const benchCpuStart = process.cpuUsage();
    await queue.resume();
    const ctx: RunContext = {
      kind: 'naive',
      n: N,
      sim,
      tracker,
      child,
      rss,
      redis,
      idleRssBytes,
      enqueueMs,
      resumedAt,
      benchCpuStart,
    };
    const { capped, notes } = await waitForRun(ctx, NAIVE_CAP_MS);
    rss.sample();
    rss.stop();
    await redis.finish();
    if (RENDER_MS % NAIVE_POLL_MS === 0) {
      notes.push(
        `The render time is a multiple of the ${sec(NAIVE_POLL_MS)} poll interval, so the naive poll lands just after the terminal instant: its detection delay and status reads are best cases (an unaligned render time adds about ${sec(NAIVE_POLL_MS / 2)} of median delay and half a read).`,
      );
    }
    const result = analyse(ctx, capped, notes, TITLES.naive);
    const exitBefore = child.exitCode();
    const stopMs = await stopChild(child);
    log(`naive: done (worker stopped in ${sec(stopMs)})`);
    return { ...result, stopMs, exitCode: exitBefore ?? child.exitCode() };
  } finally {
    for (const problem of await scope.close()) console.error(`  clean-up (naive): ${problem}`);
    forget(scope);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report

function scenarioTable(r: ScenarioResult): string {
  const rows: Array<[string, string]> = [
    [
      'Generations offered / submitted / delivered / failed',
      `${r.offered} / ${r.submitted} / ${r.delivered} / ${r.failed}`,
    ],
    r.kind === 'trickle'
      ? ['Enqueue (evenly spaced, queue running)', `${sec(r.enqueueMs)} at ${TRICKLE_PER_S}/s`]
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
      `${sec(r.projectedMs)} (⌈N / ${CONCURRENCY}⌉ = ${Math.ceil(N / CONCURRENCY)} rounds × mean submit→delivery ${sec(r.endToEnd.mean)})`,
    ]);
  }
  rows.push(
    [`All delivered within render + 15 s (${sec(RENDER_MS + TARGET_SLACK_MS)})`, r.withinTarget ? 'yes' : 'no'],
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
  if (samples.length > 0) lines.push('', `Log samples: ${samples.map((s) => `\`${s}\``).join(', ')}`);
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

type Verdict = 'met' | 'not met' | 'n/a';

function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'n/a' : ok ? 'met' : 'not met';
}

function report(results: ScenarioResult[], buildNote: string, redisVersion: string): string {
  const get = (kind: Kind) => results.find((r) => r.kind === kind);
  const wh = get('webhooks');
  const poll = get('polling');
  const naive = get('naive');
  const cpus = os.cpus();
  const lines: string[] = [];
  lines.push(
    '# Pipeline benchmark results',
    '',
    `Generated by \`npx tsx bench/pipeline.bench.ts${QUICK ? ' --quick' : ''}\` (full run: \`npx tsx bench/pipeline.bench.ts\`; quick: \`--quick\`).`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 1_073_741_824).toFixed(1)} GB RAM, ${os.platform()} ${os.release()}`,
    `- Node ${process.version}; Redis ${redisVersion} on 127.0.0.1; ${buildNote}`,
    `- Mode: ${QUICK ? '**quick**' : 'full'}; run id \`${RUN_ID}\``,
    '',
    '## Parameters',
    '',
    `- Generations per scenario N = ${N} (\`${MODEL}\`, one 64×64 PNG each), over ${USERS} users × ${PER_USER} (USER_MAX_ACTIVE=${PER_USER})`,
    `- Simulator: queued 0 ms, render (in_progress) ${sec(RENDER_MS)} fixed, no account concurrency limit, in the benchmark process`,
    `- Worker under test: one process, \`node bin/higgsbot.js start --role worker\` (compiled dist/), WORKER_CONCURRENCY=${CONCURRENCY} (track), submit concurrency ${DEFAULT_PIPELINE_SETTINGS.submitConcurrency} (default, not configurable by env), LOG_LEVEL=warn, local media store`,
    `- Polling policy (ours): first poll ${sec(POLL.baseMs)}, ×${POLL.factor}, cap ${sec(POLL.maxMs)} + up to ${POLL.jitterRatio * 100} % jitter (bound ${sec(POLL_BOUND_MS)}); with webhooks the safety-net poll starts at ${sec(DEFAULT_PIPELINE_SETTINGS.pollWithWebhook.baseMs)}`,
    `- Naive comparison: \`node --import tsx bench/naive-worker.ts\`, same concurrency (${CONCURRENCY}), submit then \`sleep(${NAIVE_POLL_MS} ms) + GET status\` until terminal, then download; stopped ${sec(NAIVE_CAP_MS)} (3× render) after its first submit`,
    '- Burst scenarios: all N jobs are enqueued while the queue is paused with the worker up and idle; then the queue is resumed (the whole burst is offered at once, so up to N renders finish within a few seconds of each other)',
    `- Low-load context scenario: ${TRICKLE_N} generations enqueued at ${TRICKLE_PER_S}/s with the queue running (webhooks on), to separate the per-generation path from queueing under the burst`,
    `- Everything (Redis, the benchmark process with the simulator, the worker) shares this machine's ${os.cpus().length} CPUs`,
    '- In flight = from the simulator creating the request to the `done` progress event; detection delay = `done` event time − simulator `terminalAtMs` (so it includes the download, store and post)',
    '',
  );
  for (const r of results) lines.push(`## ${r.title}`, '', scenarioTable(r), '');

  lines.push('## Ratios', '', '| Comparison | Ratio | Figures |', '| --- | --- | --- |');
  const naiveTime = naive ? (naive.completionMs ?? naive.projectedMs) : undefined;
  const naiveTimeLabel = naive?.completionMs !== undefined ? 'measured' : 'projected';
  for (const ours of [wh, poll]) {
    if (!ours || !naive) continue;
    const name = ours.kind;
    lines.push(
      `| Completion time, naive / ${name} | ${ratio(naiveTime, ours.completionMs ?? ours.observedMs)} | ${sec(naiveTime)} (${naiveTimeLabel}) vs ${sec(ours.completionMs ?? ours.observedMs)} |`,
      `| Peak RSS, naive / ${name} | ${ratio(naive.peakRssBytes, ours.peakRssBytes)} | ${mb(naive.peakRssBytes)} MB vs ${mb(ours.peakRssBytes)} MB (idle ${mb(naive.idleRssBytes)} vs ${mb(ours.idleRssBytes)} MB) |`,
      `| Status reads per generation, naive / ${name} | ${ratio(naive.statusReads.mean, ours.statusReads.mean)} | ${num(naive.statusReads.mean)} vs ${num(ours.statusReads.mean)} |`,
    );
  }
  if (wh && poll) {
    lines.push(
      `| Detection delay median, polling / webhooks | ${ratio(poll.detection.median, wh.detection.median)} | ${ms(poll.detection.median)} vs ${ms(wh.detection.median)} |`,
    );
  }
  if (naive && wh) {
    const perGen = (r: ScenarioResult) =>
      r.maxInFlight > 0 ? (r.peakRssBytes - r.idleRssBytes) / r.maxInFlight / 1024 : undefined;
    lines.push(
      `| Max in flight at once, ${wh.kind} / naive | ${ratio(wh.maxInFlight, naive.maxInFlight)} | ${wh.maxInFlight} vs ${naive.maxInFlight} |`,
      `| RSS above idle per generation in flight, naive / ${wh.kind} | ${ratio(perGen(naive), perGen(wh))} | ${num(perGen(naive), 1)} KB vs ${num(perGen(wh), 1)} KB |`,
    );
  }
  lines.push('');

  lines.push('## Targets', '');
  const targets: Array<[string, Verdict, string]> = [];
  if (wh) {
    const inFlightOk = QUICK ? undefined : wh.maxInFlight >= TARGET_IN_FLIGHT;
    targets.push([
      `${TARGET_IN_FLIGHT.toLocaleString('en')} generations in flight at once (webhooks)`,
      verdict(inFlightOk),
      QUICK
        ? `quick run offers only ${N}; reached ${wh.maxInFlight}/${N} — run the full benchmark for this target`
        : `${wh.maxInFlight} at once`,
    ]);
    targets.push([
      'Worker RSS under 300 MB during that run (webhooks)',
      verdict(wh.peakRssBytes < TARGET_RSS_BYTES),
      `peak ${mb(wh.peakRssBytes)} MB`,
    ]);
    targets.push([
      `All delivered within render + 15 s (${sec(RENDER_MS + TARGET_SLACK_MS)}) (webhooks)`,
      verdict(wh.withinTarget),
      wh.completionMs !== undefined ? sec(wh.completionMs) : `${wh.delivered}/${N} delivered`,
    ]);
    targets.push([
      'Detection delay median under 300 ms (webhooks)',
      verdict(wh.detection.median !== undefined && wh.detection.median < TARGET_DETECTION_MEDIAN_MS),
      `median ${ms(wh.detection.median)}, p95 ${ms(wh.detection.p95)}, max ${ms(wh.detection.max)}`,
    ]);
    targets.push([
      '1 submit per generation (webhooks)',
      verdict(wh.submitCalls === wh.submitted && wh.maxRequestsPerGeneration <= 1 && wh.submitted === N),
      `${wh.submitCalls} POSTs for ${wh.submitted} generations`,
    ]);
    targets.push([
      'At most 2 status reads per generation with webhooks',
      verdict(wh.statusReads.max !== undefined && wh.statusReads.max <= 2),
      `mean ${num(wh.statusReads.mean)}, max ${wh.statusReads.max ?? '–'}`,
    ]);
  }
  if (poll) {
    targets.push([
      `Polling detection delay bounded by its cap (${sec(POLL_BOUND_MS)} with jitter)`,
      verdict(poll.detection.max !== undefined && poll.detection.max <= POLL_BOUND_MS),
      `median ${ms(poll.detection.median)}, p95 ${ms(poll.detection.p95)}, max ${ms(poll.detection.max)}`,
    ]);
    targets.push([
      '1 submit per generation (polling)',
      verdict(poll.submitCalls === poll.submitted && poll.maxRequestsPerGeneration <= 1 && poll.submitted === N),
      `${poll.submitCalls} POSTs for ${poll.submitted} generations`,
    ]);
    targets.push([
      'Worker RSS under 300 MB (polling)',
      verdict(poll.peakRssBytes < TARGET_RSS_BYTES),
      `peak ${mb(poll.peakRssBytes)} MB`,
    ]);
    targets.push([
      `All delivered within render + 15 s (polling, not a stated target)`,
      verdict(poll.withinTarget),
      poll.completionMs !== undefined ? sec(poll.completionMs) : `${poll.delivered}/${N} delivered`,
    ]);
  }
  lines.push('| Target | Verdict | Figure |', '| --- | --- | --- |');
  for (const [name, v, figure] of targets) lines.push(`| ${name} | **${v}** | ${figure} |`);
  lines.push('');
  for (const [name, v, figure] of targets) lines.push(`- ${name}: **${v}** (${figure})`);
  const low = get('trickle');
  if (low) {
    lines.push(
      '',
      `Context (not a target): with webhooks at a steady ${TRICKLE_PER_S}/s the detection delay was median ${ms(low.detection.median)}, p95 ${ms(low.detection.p95)}, max ${ms(low.detection.max)} (terminal → delivering median ${ms(low.pickupLeg.median)}, delivering → done median ${ms(low.deliveryLeg.median)}).`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

async function redisVersion(): Promise<string> {
  const redis = createRedis(REDIS_URL, 'probe');
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  log(`pipeline benchmark (${QUICK ? 'quick' : 'full'}): N=${N}, render ${sec(RENDER_MS)}, run id ${RUN_ID}`);
  const version = await redisVersion();
  const buildNote = ensureBuilt();
  const results: ScenarioResult[] = [];
  results.push(await runPipelineScenario('webhooks'));
  results.push(await runPipelineScenario('trickle'));
  results.push(await runPipelineScenario('polling'));
  results.push(await runNaiveScenario());
  const text = report(results, buildNote, version);
  await writeResultsSection(join(ROOT, 'bench/RESULTS.md'), 'pipeline', text);
  console.log(`\n${text}`);
  log('wrote bench/RESULTS.md');
}

try {
  await main();
  const problems = await closeEverything();
  for (const problem of problems) console.error(`clean-up: ${problem}`);
  clearTimeout(hardTimer);
  process.exit(0);
} catch (err) {
  if (aborting) {
    await aborting;
  } else {
    console.error(err);
    await abort('benchmark failed', 1);
  }
}

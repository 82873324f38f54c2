/**
 * Runs one scenario of the pipeline benchmark, start to finish, inside a scope that always cleans up: its
 * own simulator, key prefix (`bench-<hex>-<scenario>`), media folder and worker process; the producer
 * enqueues the generations (a burst on a paused queue, or paced with the queue running) while the samplers
 * record the worker's RSS and CPU and Redis; then it waits, bounded by the scenario's cap, for every
 * generation to finish, and hands the samples to analyse(). Everything started is stopped again, whatever
 * happens, and an abort (Ctrl-C, the hard timeout) stops it between steps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { deleteBenchKeys } from '../bench-keys.js';
import type { Child } from '../child-process.js';
import { mb, sec } from '../format.js';
import { createBenchDatabase } from '../postgres.js';
import { ProcessSampler } from '../process-sampler.js';
import { RedisSampler } from '../redis-sampler.js';
import type { Scope } from '../scope.js';
import { sleep, waitFor } from '../waits.js';
import { analyse, type ScenarioResult } from './analyse.js';
import { naiveProducer, ourProducer, type Producer } from './producers.js';
import type { RunControl } from './run-control.js';
import type { PipelineBenchSettings, Scenario } from './scenarios.js';
import { Tracker } from './tracker.js';
import { spawnWorker, stopWorker, waitForWorkers } from './workers.js';

/** What every scenario of one run shares. */
export interface BenchRun {
  settings: PipelineBenchSettings;
  /** `bench-<hex>`: every key of the run starts with it. */
  runId: string;
  redisUrl: string;
  /** The repository root, where the worker processes start. */
  root: string;
  control: RunControl;
}

async function startSim(scope: Scope, renderMs: number): Promise<Simulator> {
  const sim = await startSimulator({ queuedMs: 0, inProgressMs: renderMs, maxConcurrent: Number.POSITIVE_INFINITY });
  scope.defer('simulator', () => sim.close());
  return sim;
}

/** Waits for the first submit (30 s at most), then until all n finished or `capMs` after that first submit. */
export async function waitForRun(
  run: BenchRun,
  scenario: Scenario,
  samples: { tracker: Tracker; child: Child; rss: ProcessSampler },
): Promise<{ capped: boolean; notes: string[] }> {
  const { tracker, child, rss } = samples;
  const { n, capMs } = scenario;
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
        run.control.log(
          `  ${scenario.kind}: submitted ${tracker.submittedAt.size}, delivered ${tracker.doneAt.size}, failed ${tracker.failed.size}, RSS ${mb(rss.lastBytes)} MB`,
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

export function runScenario(run: BenchRun, scenario: Scenario): Promise<ScenarioResult> {
  const { settings: s, control, redisUrl } = run;
  const { kind, n } = scenario;
  return control.withScope(kind, async (scope) => {
    const prefix = `${run.runId}-${kind}`;
    scope.defer('redis keys', async () => void (await deleteBenchKeys(redisUrl, prefix)));
    const sim = await startSim(scope, s.renderMs);
    const mediaDir = await mkdtemp(join(os.tmpdir(), `${prefix}-`));
    scope.defer('media dir', () => rm(mediaDir, { recursive: true, force: true }));
    const producer: Producer =
      scenario.worker === 'ours'
        ? await ourProducer(scope, { settings: s, redisUrl, prefix, sim })
        : naiveProducer(scope, { settings: s, redisUrl, prefix, runId: run.runId });
    const tracker = new Tracker();
    const unsubscribe = await producer.bus.subscribe((event) => tracker.on(event));
    scope.defer('progress subscription', unsubscribe);
    const burst = scenario.arrival.kind === 'burst';
    if (burst) await producer.pause();

    control.checkRunning();
    // `start --role worker` keeps history, as deployed: a database of its own for this run.
    const database = scenario.worker === 'ours' ? await createBenchDatabase(kind) : undefined;
    if (database) scope.defer('history database', () => database.drop());
    const child = await spawnWorker({
      scenario,
      settings: s,
      sim,
      redisUrl,
      prefix,
      mediaDir,
      root: run.root,
      ...(database ? { databaseUrl: database.url } : {}),
    });
    scope.defer('worker process', () => child.stop(10_000));
    const rss = new ProcessSampler(child.pid, 250);
    scope.defer('rss sampler', () => rss.stop());
    await waitForWorkers(producer.queues, child);
    await sleep(500);
    const idleRssBytes = rss.sample();
    control.log(`${kind}: worker pid ${child.pid} ready, idle RSS ${mb(idleRssBytes)} MB; enqueueing ${n}…`);

    const redis = new RedisSampler(redisUrl);
    scope.defer('redis sampler', () => redis.stop());
    let enqueueMs = 0;
    let enqueued: Promise<number> | undefined;
    if (scenario.arrival.kind === 'burst') {
      enqueueMs = await producer.enqueue(n);
      await redis.start();
      const cap = scenario.worker === 'naive' ? ` (cap ${sec(scenario.capMs)} after first submit)` : '';
      control.log(`${kind}: enqueued ${n} in ${sec(enqueueMs)}; resuming the queue${cap}`);
    } else {
      await redis.start();
    }
    rss.markCpu();
    const resumedAt = Date.now();
    const benchCpuStart = process.cpuUsage();
    if (scenario.arrival.kind === 'burst') {
      await producer.resume();
    } else {
      enqueued = producer.enqueue(n, scenario.arrival.perSecond);
      // Awaited after the wait below; until then a failure must not go unhandled.
      enqueued.catch(() => undefined);
    }

    const { capped, notes } = await waitForRun(run, scenario, { tracker, child, rss });
    if (enqueued) enqueueMs = await enqueued;
    rss.sample();
    rss.stop();
    await redis.finish();
    const { result, stopMs, exitCode } = await analyseAndStop(run, kind, {
      scenario,
      sim,
      tracker,
      child,
      rss,
      redis,
      idleRssBytes,
      enqueueMs,
      resumedAt,
      benchCpuStart,
      capped,
      notes: [...notes, ...scenario.notes],
    });
    return { ...result, stopMs, exitCode };
  });
}

/** A run's figures from what was sampled, then the worker stopped (its exit code kept from before the stop). */
export async function analyseAndStop(run: BenchRun, label: string, inputs: Parameters<typeof analyse>[1]) {
  const result = analyse(run.settings, inputs);
  const exitBefore = inputs.child.exitCode();
  const stopMs = await stopWorker(inputs.child);
  run.control.log(`${label}: done (worker stopped in ${sec(stopMs)})`);
  return { result, stopMs, exitCode: exitBefore ?? inputs.child.exitCode() };
}

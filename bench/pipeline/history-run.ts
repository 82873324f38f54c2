/**
 * One run of the history comparison (bench/pipeline-history.bench.ts): the pipeline benchmark's webhook burst
 * (its simulator, producer, tracker and samplers) against bench/pipeline/history-worker.ts, without history or
 * with it writing to a fresh PostgreSQL database. Everything runs inside a scope that always cleans up: the
 * simulator, key prefix (`bench-<hex>-history-<mode>`), work folder, database and worker process.
 *
 * Marks and windows. The baseline is taken with the worker up and idle, the queue paused and nothing enqueued
 * (after 2 s of quiet, so the database's counters have been reported): worker CPU, the worker's own counts of
 * Redis commands and PostgreSQL statements (SIGUSR2, history-worker.ts), Redis INFO, `pg_stat_database`. The
 * burst is then enqueued — before the mark would miss the history feed writing the `queued` events, which it
 * does while the queue is still paused — and released. The end mark is taken when every generation was
 * delivered and, with history, once every one is complete in the database (`done`, recipe and asset rows),
 * each wait bounded. The database's counters are read once the worker has stopped and its connections are
 * gone (minus the poller's own queries).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/higgsfield/simulator/index.js';
import { deleteBenchKeys } from '../bench-keys.js';
import { type Child, type OutputStats, spawnChild } from '../child-process.js';
import { mb, sec } from '../format.js';
import { adminClient, assertLoopbackPostgres, createBenchDatabase } from '../postgres.js';
import { ProcessSampler } from '../process-sampler.js';
import { RedisSampler } from '../redis-sampler.js';
import { sleep, waitFor } from '../waits.js';
import type { ScenarioResult } from './analyse.js';
import {
  BackendCpuSampler,
  backendsGone,
  counterDelta,
  type DatabaseCounters,
  databaseCounters,
  HistoryProgress,
} from './history-database.js';
import type { WorkerCounts } from './history-worker.js';
import { ourProducer } from './producers.js';
import { analyseAndStop, type BenchRun, waitForRun } from './runner.js';
import type { PipelineBenchSettings, Scenario } from './scenarios.js';
import { Tracker } from './tracker.js';
import { ourWorkerEnv, waitForWorkers } from './workers.js';

export const HISTORY_WORKER_SCRIPT = 'bench/pipeline/history-worker.ts';

export type HistoryMode = 'without' | 'with';

export interface HistorySettings extends PipelineBenchSettings {
  /** With history: how long past the delivery wait the run waits for the database to hold everything. */
  historyCapMs: number;
  /** How often the database is polled for complete generations. */
  historyPollMs: number;
}

export interface HistoryRunResult {
  mode: HistoryMode;
  /** The pipeline benchmark's own figures of the run (analyse.ts). */
  pipeline: Omit<ScenarioResult, 'stopMs' | 'exitCode'>;
  /** Baseline → end mark. */
  windowMs: number;
  workerCpuSeconds: number | undefined;
  /** Redis commands the worker sent between the marks, by name (client side). */
  workerRedis: Record<string, number>;
  workerRedisTotal: number;
  /** Progress events the benchmark's own listener heard (one stream entry each). */
  progressEvents: number;
  pg?: {
    /** Statements the worker sent between the marks (client side, BEGIN and COMMIT included). */
    statements: number;
    /** pg_stat_database deltas for the database, baseline → worker stopped, the poller's queries subtracted. */
    counters: DatabaseCounters;
    pollerQueries: number;
    backendCpuSeconds: number;
    backends: number;
  };
  history?: {
    complete: number;
    /** First submit → every generation complete in the database (to the poll interval). */
    completeMs: number | undefined;
    /** Last `done` event → every generation complete in the database. */
    lagMs: number | undefined;
    maxBacklog: number;
    rows: { generations: number; states: number; assets: number; conversations: number };
  };
  stopMs: number;
  exitCode: number | null | undefined;
  output: { stdout: OutputStats; stderr: OutputStats };
  notes: string[];
}

/** Asks the worker for its counts (SIGUSR2) and reads its answer, the `seq`-th (5 s at most). */
async function workerCounts(child: Child, file: string, seq: number): Promise<WorkerCounts> {
  process.kill(child.pid, 'SIGUSR2');
  let counts: WorkerCounts | undefined;
  await waitFor(
    () => {
      if (!existsSync(file)) return false;
      try {
        const read = JSON.parse(readFileSync(file, 'utf8')) as WorkerCounts;
        if (read.seq === seq) counts = read;
      } catch {
        // being replaced: read again
      }
      return counts !== undefined;
    },
    5_000,
    20,
  );
  if (!counts) throw new Error(`${child.name} did not write its counts (exit ${child.exitCode()})`);
  return counts;
}

function redisDelta(from: WorkerCounts, to: WorkerCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, count] of Object.entries(to.redis)) {
    const delta = count - (from.redis[name] ?? 0);
    if (delta > 0) out[name] = delta;
  }
  return out;
}

export function runHistoryScenario(run: BenchRun, scenario: Scenario, mode: HistoryMode): Promise<HistoryRunResult> {
  const { control, redisUrl } = run;
  const s = run.settings as HistorySettings;
  const { n } = scenario;
  const label = `history ${mode}`;
  return control.withScope(label, async (scope) => {
    const prefix = `${run.runId}-history-${mode}`;
    scope.defer('redis keys', async () => void (await deleteBenchKeys(redisUrl, prefix)));
    const sim = await startSimulator({
      queuedMs: 0,
      inProgressMs: s.renderMs,
      maxConcurrent: Number.POSITIVE_INFINITY,
    });
    scope.defer('simulator', () => sim.close());
    const work = await mkdtemp(join(os.tmpdir(), `${prefix}-`));
    scope.defer('work dir', () => rm(work, { recursive: true, force: true }));
    const mediaDir = join(work, 'media');
    await mkdir(mediaDir);
    const countsFile = join(work, 'counts.json');

    let databaseUrl: string | undefined;
    let databaseName = '';
    if (mode === 'with') {
      const db = await createBenchDatabase('pipeline_history');
      scope.defer('history database', () => db.drop());
      assertLoopbackPostgres(db.url);
      databaseUrl = db.url;
      databaseName = db.name;
      control.log(`${label}: database ${db.name}`);
    }
    const admin = mode === 'with' ? await adminClient() : undefined;
    if (admin) scope.defer('admin connection', () => admin.end().catch(() => undefined));

    const producer = await ourProducer(scope, { settings: s, redisUrl, prefix, sim });
    const tracker = new Tracker();
    const unsubscribe = await producer.bus.subscribe((event) => tracker.on(event));
    scope.defer('progress subscription', unsubscribe);
    await producer.pause();

    control.checkRunning();
    const env = {
      ...(await ourWorkerEnv({ scenario, settings: s, sim, redisUrl, prefix, mediaDir })),
      BENCH_HISTORY: mode === 'with' ? '1' : '0',
      BENCH_COUNTS_FILE: countsFile,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    const child = spawnChild(`worker (${label})`, ['--import', 'tsx', HISTORY_WORKER_SCRIPT], env, run.root);
    scope.defer('worker process', () => child.stop(10_000));
    const rss = new ProcessSampler(child.pid, 250);
    scope.defer('rss sampler', () => rss.stop());
    await waitForWorkers(producer.queues, child);
    // Quiet, so the database has the counters of the worker's start (migrations, retention) before the baseline.
    await sleep(2_000);
    const idleRssBytes = rss.sample();

    // Baseline.
    const before = await workerCounts(child, countsFile, 1);
    const redis = new RedisSampler(redisUrl);
    scope.defer('redis sampler', () => redis.stop());
    await redis.start();
    const pgBefore = admin ? await databaseCounters(admin, databaseName) : undefined;
    const progress =
      databaseUrl !== undefined ? new HistoryProgress(databaseUrl, n, () => tracker.doneAt.size) : undefined;
    let backendCpu: BackendCpuSampler | undefined;
    if (progress && admin) {
      await progress.connect();
      scope.defer('history poller', () => progress.close());
      backendCpu = new BackendCpuSampler(admin, databaseName, new Set(progress.pid ? [progress.pid] : []));
      const sampler = backendCpu;
      scope.defer('backend cpu sampler', () => sampler.stop());
      await backendCpu.start();
    }
    rss.markCpu();
    const baselineAt = Date.now();
    const benchCpuStart = process.cpuUsage();
    control.log(`${label}: worker pid ${child.pid} ready, idle RSS ${mb(idleRssBytes)} MB; enqueueing ${n}…`);

    const enqueueMs = await producer.enqueue(n);
    control.log(`${label}: enqueued ${n} in ${sec(enqueueMs)}; resuming the queue`);
    progress?.start(s.historyPollMs);
    const resumedAt = Date.now();
    await producer.resume();

    const { capped, notes } = await waitForRun(run, scenario, { tracker, child, rss });
    if (progress) {
      const delivered = tracker.doneAt.size;
      control.log(`${label}: ${delivered} delivered; waiting for the history database (${progress.complete} so far)…`);
      let lastLog = Date.now();
      const all = await waitFor(
        () => {
          if (Date.now() - lastLog >= 5_000) {
            lastLog = Date.now();
            control.log(`  ${label}: ${progress.complete}/${n} complete in the history database`);
          }
          return progress.completeAt !== undefined || child.exitCode() !== undefined;
        },
        s.historyCapMs,
        s.historyPollMs,
      );
      if (!all || progress.completeAt === undefined) {
        notes.push(
          `stopped waiting for the history database ${sec(s.historyCapMs)} after the delivery wait, with ${progress.complete}/${n} complete`,
        );
      }
    }

    // End mark.
    rss.sample();
    const after = await workerCounts(child, countsFile, 2);
    await backendCpu?.sample();
    const endAt = Date.now();
    rss.stop();
    await redis.finish();
    await progress?.stop();
    const {
      result: pipeline,
      stopMs,
      exitCode,
    } = await analyseAndStop(run, label, {
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

    const result: HistoryRunResult = {
      mode,
      pipeline,
      windowMs: endAt - baselineAt,
      workerCpuSeconds: rss.cpuSeconds(),
      workerRedis: redisDelta(before, after),
      workerRedisTotal: Object.values(redisDelta(before, after)).reduce((a, b) => a + b, 0),
      progressEvents: tracker.events,
      stopMs,
      exitCode,
      output: { stdout: child.stdout, stderr: child.stderr },
      notes: pipeline.notes,
    };
    if (progress && admin && pgBefore && backendCpu) {
      await backendCpu.stop();
      const rows = await progress.rows();
      await progress.close();
      if (!(await backendsGone(admin, databaseName))) {
        result.notes.push('connections to the history database were still open 10 s after the worker stopped');
      }
      const counters = counterDelta(pgBefore, await databaseCounters(admin, databaseName));
      counters.xacts -= progress.queries;
      const firstSubmit = Math.min(...sim.requests().map((r) => r.createdAtMs));
      const lastDone = Math.max(...tracker.doneAt.values());
      const completeAt = progress.completeAt;
      result.pg = {
        statements: after.pgStatements - before.pgStatements,
        counters,
        pollerQueries: progress.queries,
        backendCpuSeconds: backendCpu.cpuSeconds,
        backends: backendCpu.backends,
      };
      result.history = {
        complete: progress.complete,
        completeMs: completeAt !== undefined && Number.isFinite(firstSubmit) ? completeAt - firstSubmit : undefined,
        lagMs: completeAt !== undefined && Number.isFinite(lastDone) ? completeAt - lastDone : undefined,
        maxBacklog: progress.maxBacklog,
        rows,
      };
    }
    return result;
  });
}

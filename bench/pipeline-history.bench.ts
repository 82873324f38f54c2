/**
 * The cost of history in the pipeline benchmark (issue 12): the pipeline benchmark's webhook burst run twice,
 * without history and with it (the history feed in the worker process writing to a fresh PostgreSQL database,
 * dropped afterwards), with per generation: worker CPU, Redis commands (sent by the worker, and processed by
 * the server), PostgreSQL statements, transactions and rows, and the time until every generation is complete
 * in the history database. How a run goes: bench/pipeline/history-run.ts; the worker:
 * bench/pipeline/history-worker.ts; the report: bench/pipeline/history-report.ts.
 *
 *   npx tsx bench/pipeline-history.bench.ts            full: N=2000, render 20 s (2–3 minutes); writes the
 *                                                      `pipeline-history` section of bench/RESULTS.md
 *   npx tsx bench/pipeline-history.bench.ts --quick    N=500, render 8 s (about a minute); prints only
 *   BENCH_RESULTS_FILE=<path> writes the section there instead (quick runs included); BENCH_POSTGRES_URL: the
 *   admin database (default postgres://postgres@127.0.0.1:5432/postgres)
 *
 * Bounded: each wait has a cap and the whole run a hard timeout, after which everything is stopped, the keys
 * deleted and the database dropped. Importing this file only defines main(). Only 127.0.0.1 is contacted.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isEntry } from './entry.js';
import { assertLoopbackRedis, REDIS_URL, ROOT } from './environment.js';
import { sec } from './format.js';
import { historyReport } from './pipeline/history-report.js';
import { type HistorySettings, runHistoryScenario } from './pipeline/history-run.js';
import { redisVersion } from './pipeline/preflight.js';
import { RunControl } from './pipeline/run-control.js';
import type { BenchRun } from './pipeline/runner.js';
import { pipelineBenchSettings, pipelineScenarios } from './pipeline/scenarios.js';
import { adminClient, assertLoopbackPostgres, POSTGRES_ADMIN_URL } from './postgres.js';
import { recordResults } from './results-file.js';

/** The pipeline benchmark's settings at a moderate count, with the history waits. */
function historySettings(quick: boolean): HistorySettings {
  const base = pipelineBenchSettings(quick);
  const n = quick ? 500 : 2_000;
  return {
    ...base,
    n,
    users: Math.ceil(n / base.perUser),
    hardTimeoutMs: quick ? 240_000 : 420_000,
    historyCapMs: quick ? 45_000 : 90_000,
    historyPollMs: 250,
  };
}

async function postgresVersion(): Promise<string> {
  const client = await adminClient();
  try {
    return (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? '?';
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values: flags } = parseArgs({ args: argv, options: { quick: { type: 'boolean', default: false } } });
  const settings = historySettings(flags.quick === true);
  try {
    assertLoopbackRedis(REDIS_URL);
    assertLoopbackPostgres(POSTGRES_ADMIN_URL);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  const scenario = pipelineScenarios(settings).find((s) => s.kind === 'webhooks');
  if (!scenario) throw new Error('the pipeline scenarios have no webhook burst');
  const runId = `bench-${randomBytes(4).toString('hex')}`;
  const control = new RunControl({ redisUrl: REDIS_URL, runId, hardTimeoutMs: settings.hardTimeoutMs });
  control.start();
  const run: BenchRun = { settings, runId, redisUrl: REDIS_URL, root: ROOT, control };
  try {
    control.log(
      `pipeline history benchmark (${settings.quick ? 'quick' : 'full'}): N=${settings.n}, render ${sec(settings.renderMs)}, run id ${runId}, hard timeout ${sec(settings.hardTimeoutMs)}`,
    );
    const versions = { redisVersion: await redisVersion(REDIS_URL), postgresVersion: await postgresVersion() };
    const without = await runHistoryScenario(run, scenario, 'without');
    const withIt = await runHistoryScenario(run, scenario, 'with');
    const text = historyReport({ settings, scenario, runId, ...versions }, without, withIt);
    console.log(`\n${text}`);
    control.log(await recordResults('pipeline-history', text, { quick: settings.quick }));
  } catch (err) {
    await control.finish(err);
    return;
  }
  await control.finish();
}

if (isEntry(import.meta.url)) await main();

/**
 * Generation-pipeline benchmark against the built-in Higgsfield simulator (fixed render time, no account
 * limit): our worker process with webhooks, at low load, and with polling only, against a naive "poll inside
 * the processor" worker at the same concurrency. What each scenario does: bench/pipeline/scenarios.ts; how a
 * scenario runs and is cleaned up: bench/pipeline/runner.ts; the figures: bench/pipeline/analyse.ts and
 * bench/pipeline/report.ts. Figures: worker RSS (VmRSS every 250 ms), generations in flight at once
 * (simulator request created → `done` event), first submit → last delivery, detection delay (`done` event
 * atMs − simulator terminalAtMs), Higgsfield calls per generation.
 *
 *   npx tsx bench/pipeline.bench.ts            full: N=5000, render 20 s (a few minutes); writes bench/RESULTS.md
 *   npx tsx bench/pipeline.bench.ts --quick    N=1000, render 8 s (about 90 s); prints only
 *   add --build to force `npm run build` (otherwise it runs only when dist/ is older than src/);
 *   BENCH_RESULTS_FILE=<path> writes the section to that file instead (quick runs included)
 *
 * Importing this file only defines main(); the run starts when node is started with this file. Only
 * 127.0.0.1 is ever contacted.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isEntry } from './entry.js';
import { assertLoopbackRedis, REDIS_URL, ROOT } from './environment.js';
import { sec } from './format.js';
import type { ScenarioResult } from './pipeline/analyse.js';
import { ensureBuilt, redisVersion } from './pipeline/preflight.js';
import { pipelineReport } from './pipeline/report.js';
import { RunControl } from './pipeline/run-control.js';
import { type BenchRun, runScenario } from './pipeline/runner.js';
import { pipelineBenchSettings, pipelineScenarios } from './pipeline/scenarios.js';
import { recordResults } from './results-file.js';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values: flags } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, build: { type: 'boolean', default: false } },
  });
  const settings = pipelineBenchSettings(flags.quick === true);
  try {
    assertLoopbackRedis(REDIS_URL);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  const runId = `bench-${randomBytes(4).toString('hex')}`;
  const control = new RunControl({ redisUrl: REDIS_URL, runId, hardTimeoutMs: settings.hardTimeoutMs });
  control.start();
  const run: BenchRun = { settings, runId, redisUrl: REDIS_URL, root: ROOT, control };
  try {
    control.log(
      `pipeline benchmark (${settings.quick ? 'quick' : 'full'}): N=${settings.n}, render ${sec(settings.renderMs)}, run id ${runId}`,
    );
    const version = await redisVersion(REDIS_URL);
    const buildNote = ensureBuilt(ROOT, flags.build === true, (message) => control.log(message));
    const results: ScenarioResult[] = [];
    for (const scenario of pipelineScenarios(settings)) results.push(await runScenario(run, scenario));
    const text = pipelineReport({ settings, runId, redisVersion: version, buildNote }, results);
    console.log(`\n${text}`);
    control.log(await recordResults('pipeline', text, { quick: settings.quick }));
  } catch (err) {
    await control.finish(err);
    return;
  }
  await control.finish();
}

if (isEntry(import.meta.url)) await main();

/**
 * `higgsbot doctor`: validate the configuration, reach every configured service concurrently, print a
 * checklist. Exit 0 when nothing failed, 1 otherwise; skipped services do not fail the run.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { silentLogger } from '../log.js';
import {
  type CheckResult,
  type CheckStatus,
  checkAnthropic,
  checkDiscord,
  checkHiggsfield,
  checkMedia,
  checkRedis,
  checkSlack,
} from './doctor-checks.js';
import { type CliIo, ExitCode, line } from './io.js';

const MARK: Record<CheckStatus, string> = { ok: '✔', warn: '!', fail: '✖', skip: '–' };

export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  let results: CheckResult[];
  try {
    const config = loadConfig(io.env);
    const logger = silentLogger();
    const groups = await Promise.all([
      checkRedis(config),
      checkHiggsfield(config, logger),
      checkMedia(config),
      checkAnthropic(config),
      checkDiscord(config),
      checkSlack(config),
    ]);
    results = [{ name: 'Configuration', status: 'ok', detail: 'all variables valid' }, ...groups.flat()];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    results = error.issues.map((i) => ({
      name: 'Configuration',
      status: 'fail' as const,
      detail: `${i.variable}: ${i.problem}. Expected: ${i.expected}`,
    }));
  }

  const failed = results.filter((r) => r.status === 'fail').length;
  if (values.json) {
    line(io.stdout, JSON.stringify({ ok: failed === 0, checks: results }, null, 2));
  } else {
    const width = Math.max(...results.map((r) => r.name.length));
    for (const r of results) line(io.stdout, `${MARK[r.status]} ${r.name.padEnd(width)}  ${r.detail}`);
    line(io.stdout);
    line(io.stdout, failed === 0 ? 'All configured services are ready.' : `${failed} check(s) failed.`);
  }
  return failed === 0 ? ExitCode.Ok : ExitCode.Error;
}

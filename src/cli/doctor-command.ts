/**
 * `higgsbot doctor`: validate the configuration, reach every configured service concurrently, print a
 * checklist. Exit 0 when nothing failed, 1 otherwise; skipped services do not fail the run.
 */
import { parseArgs } from 'node:util';
import { createPlatforms } from '../app/container.js';
import { type Config, loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { createMediaStore } from '../media/create-media-store.js';
import { PLATFORMS } from '../platforms.js';
import {
  type CheckResult,
  type CheckStatus,
  checkAnthropic,
  checkHiggsfield,
  checkMedia,
  checkRedis,
} from './doctor-checks.js';
import { type CliIo, discard, ExitCode, line } from './io.js';

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
      checkPlatforms(config, logger),
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

/** Each chat platform's own checks (its adapter knows how to reach it); a platform not configured is skipped. */
async function checkPlatforms(config: Config, logger: Logger): Promise<CheckResult[]> {
  const adapters = await createPlatforms(config, {
    store: createMediaStore(config.media),
    logger,
    console: { output: discard() },
    runtime: { redisUrl: config.redisUrl, keyPrefix: config.queue.prefix, role: 'bot' },
  });
  const groups = await Promise.all(
    PLATFORMS.map(async (entry): Promise<CheckResult[]> => {
      const adapter = adapters.find((a) => a.id === entry.id);
      if (!adapter) return [{ name: title(entry.id), status: 'skip', detail: entry.unconfigured }];
      return adapter.check();
    }),
  );
  return groups.flat();
}

const title = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

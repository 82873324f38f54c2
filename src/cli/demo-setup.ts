/**
 * What `higgsbot chat` sets up before its app, for the terminal chat and the web chat (`--web`) alike: with
 * `--simulate`, the built-in Higgsfield simulator, a queue prefix and a history folder of the demo's own
 * (beside a real bot's, never in it), the offline recommender and quick polls; a private Redis when none
 * answers (`--simulate` only, and only when `redis-server` is installed); and where logs go — warnings and
 * worse to stderr as one readable line each, or everything at the configured level to `--log-file` as pino
 * JSON, never JSON into the terminal. Without `--simulate` it is the configured Higgsfield, Claude and Redis.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { AppOptions } from '../app/container.js';
import { type Config, loadConfig } from '../config.js';
import { BadInputError } from '../errors.js';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../higgsfield/simulator/index.js';
import { createLogger, type Logger } from '../log.js';
import { HOW_TO_GET_REDIS, type PrivateRedis, redisAnswers, startPrivateRedis } from '../queue/private-redis.js';
import { type CliIo, line } from './io.js';

const DEMO_SUFFIX = '-demo';

export interface DemoOptions {
  simulate: boolean;
  /** How long a simulated render takes (`--render-ms`). */
  renderMs: number;
  /** Variables set (or, with undefined, unset) on top of the environment and of the demo's own. */
  overrides?: Readonly<Record<string, string | undefined>>;
}

export interface DemoSetup {
  config: Config;
  /** What the demo asks of createApp: the offline recommender and quick polls with `--simulate`. */
  appOptions: Pick<AppOptions, 'offlineOnly' | 'settings'>;
  /** A line saying what answers: the simulator, or the configured Higgsfield and recommender. */
  mode: string;
  /** Stops the simulator and the private Redis, when they were started. */
  close(): Promise<void>;
}

/** `--render-ms` as a whole number of milliseconds. */
export function parseRenderMs(value: string | undefined): number {
  const renderMs = Number(value);
  if (value === undefined || !Number.isInteger(renderMs) || renderMs < 0) {
    throw new BadInputError(`--render-ms must be a whole number of milliseconds (got "${value}")`);
  }
  return renderMs;
}

/**
 * The demo's configuration and what it started, or undefined (said on stderr) when no Redis answers and none
 * could be started. What it started is stopped again when anything after that fails.
 */
export async function prepareDemo(io: CliIo, options: DemoOptions): Promise<DemoSetup | undefined> {
  let sim: Simulator | undefined;
  let privateRedis: PrivateRedis | undefined;
  const close = async () => {
    await sim?.close();
    privateRedis?.stop();
  };
  try {
    const overrides: Record<string, string | undefined> = {};
    if (options.simulate) {
      sim = await startSimulator({ queuedMs: 300, inProgressMs: options.renderMs });
      Object.assign(overrides, {
        HIGGSFIELD_BASE_URL: sim.url,
        HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
        HF_API_KEY: undefined,
        HF_API_SECRET: undefined,
        HIGGSFIELD_WEBHOOK_URL: undefined,
        HIGGSFIELD_WEBHOOK_SECRET: undefined,
      });
      // The demo's queue lives beside a real bot's on the same Redis, never in it; its history likewise.
      const base = loadConfig(io.env, { overrides: { ...overrides, ...options.overrides } });
      overrides.QUEUE_PREFIX = `${base.queue.prefix}${DEMO_SUFFIX}`;
      overrides.DATA_DIR = join(base.history.dataDir, 'demo');
      overrides.DATABASE_URL = undefined;
    }
    Object.assign(overrides, options.overrides);
    let config = loadConfig(io.env, { require: ['higgsfield'], overrides });
    if (!(await redisAnswers(config.redisUrl))) {
      privateRedis = options.simulate ? await startPrivateRedis() : undefined;
      if (!privateRedis) {
        line(io.stderr, `Redis is not reachable at ${config.redisUrl}. ${HOW_TO_GET_REDIS}`);
        await close();
        return undefined;
      }
      config = loadConfig(io.env, {
        require: ['higgsfield'],
        overrides: { ...overrides, REDIS_URL: privateRedis.url },
      });
    }
    const mode = options.simulate
      ? 'simulated Higgsfield, offline recommender'
      : config.anthropic.apiKey
        ? `Higgsfield at ${config.higgsfield.baseUrl}, Claude (${config.anthropic.model})`
        : `Higgsfield at ${config.higgsfield.baseUrl}, offline recommender (no ANTHROPIC_API_KEY)`;
    const appOptions: DemoSetup['appOptions'] = options.simulate
      ? { offlineOnly: true, settings: { poll: { baseMs: 400, factor: 1.5, maxMs: 2_000, jitterRatio: 0.2 } } }
      : {};
    return { config, appOptions, mode, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The demo's logger: to `logFile` at the configured level, else warnings and worse to stderr as lines. */
export function demoLogger(config: Config, io: CliIo, logFile?: WriteStream): Logger {
  return logFile
    ? createLogger({ level: config.logLevel, destination: logFile })
    : createLogger({
        level: config.logLevel === 'info' ? 'warn' : config.logLevel,
        destination: io.stderr,
        format: 'line',
      });
}

/** Appends to `path`; a path that cannot be written is the person's to fix, said before anything starts. */
export async function openLogFile(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) =>
      reject(new BadInputError(`--log-file ${path} cannot be written: ${error.message}`)),
    );
  });
  return stream;
}

/** Closes a log file once what was written to it is flushed. */
export async function closeLogFile(stream: WriteStream | undefined): Promise<void> {
  if (stream) await new Promise((resolve) => stream.end(resolve));
}

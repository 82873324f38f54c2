/**
 * `higgsbot chat [--simulate] [--log-file path]`: the terminal chat. With `--simulate` it needs no account and
 * no setup: it starts the built-in Higgsfield simulator, uses the offline recommender, keeps its queue apart
 * from a real bot's (its own key prefix), and starts a private Redis when none answers and `redis-server` is
 * installed. stdout carries the conversation only; logs (warn and up) go to stderr as one readable line each,
 * or to `--log-file` as pino JSON, never as JSON into the terminal.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type App, createApp } from '../app/container.js';
import { loadConfig } from '../config.js';
import { BadInputError } from '../errors.js';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../higgsfield/simulator/index.js';
import { createLogger } from '../log.js';
import { HOW_TO_GET_REDIS, type PrivateRedis, redisAnswers, startPrivateRedis } from '../queue/private-redis.js';
import { closeAll } from '../shutdown.js';
import { type CliIo, discard, ExitCode, line } from './io.js';

const DEMO_SUFFIX = '-demo';
/** Longest the chat waits for its connections to close once the conversation is over. */
const CLOSE_GRACE_MS = 5_000;

export async function chatCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      simulate: { type: 'boolean', default: false },
      'render-ms': { type: 'string', default: '3000' },
      'log-file': { type: 'string' },
    },
  });
  const renderMs = Number(values['render-ms']);
  if (!Number.isInteger(renderMs) || renderMs < 0) {
    throw new BadInputError(`--render-ms must be a whole number of milliseconds (got "${values['render-ms']}")`);
  }
  const simulate = values.simulate ?? false;
  let sim: Simulator | undefined;
  let privateRedis: PrivateRedis | undefined;
  let logFile: WriteStream | undefined;
  try {
    const overrides: Record<string, string | undefined> = {};
    if (simulate) {
      sim = await startSimulator({ queuedMs: 300, inProgressMs: renderMs });
      Object.assign(overrides, {
        HIGGSFIELD_BASE_URL: sim.url,
        HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
        HF_API_KEY: undefined,
        HF_API_SECRET: undefined,
        HIGGSFIELD_WEBHOOK_URL: undefined,
        HIGGSFIELD_WEBHOOK_SECRET: undefined,
      });
      // The demo's queue lives beside a real bot's on the same Redis, never in it; its history likewise.
      const base = loadConfig(io.env, { overrides });
      overrides.QUEUE_PREFIX = `${base.queue.prefix}${DEMO_SUFFIX}`;
      overrides.DATA_DIR = join(base.history.dataDir, 'demo');
      overrides.DATABASE_URL = undefined;
    }
    let config = loadConfig(io.env, { require: ['higgsfield'], overrides });
    if (!(await redisAnswers(config.redisUrl))) {
      privateRedis = simulate ? await startPrivateRedis() : undefined;
      if (!privateRedis) {
        line(io.stderr, `Redis is not reachable at ${config.redisUrl}. ${HOW_TO_GET_REDIS}`);
        return ExitCode.Error;
      }
      config = loadConfig(io.env, {
        require: ['higgsfield'],
        overrides: { ...overrides, REDIS_URL: privateRedis.url },
      });
    }
    if (values['log-file'] !== undefined) logFile = await openLogFile(values['log-file']);
    // A file is for whoever runs it (the configured level); the terminal shows a person warnings and worse.
    const logger = logFile
      ? createLogger({ level: config.logLevel, destination: logFile })
      : createLogger({
          level: config.logLevel === 'info' ? 'warn' : config.logLevel,
          destination: io.stderr,
          format: 'line',
        });
    const stdin = io.stdin ?? process.stdin;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    // The reader of our output has gone (`higgsbot chat | head`): leave as Ctrl-C would.
    io.signal?.addEventListener('abort', onSignal, { once: true });
    const mode = simulate
      ? 'simulated Higgsfield, offline recommender'
      : config.anthropic.apiKey
        ? `Higgsfield at ${config.higgsfield.baseUrl}, Claude (${config.anthropic.model})`
        : `Higgsfield at ${config.higgsfield.baseUrl}, offline recommender (no ANTHROPIC_API_KEY)`;
    let app: App | undefined;
    try {
      app = await createApp({
        config,
        logger,
        role: 'all',
        startPlatforms: ['terminal'],
        console: {
          // The chat shows results from the progress events; the publisher's own lines would repeat them.
          output: discard(),
          chat: {
            input: stdin,
            output: io.stdout,
            interactive: stdin.isTTY === true,
            signal: stop.signal,
            conversation: {
              platform: 'terminal',
              workspaceId: 'local',
              channelId: 'chat',
              threadId: `chat-${process.pid}-${Date.now()}`,
              userId: `cli-${userInfo().username}`,
            },
            banner: [
              `higgsbot chat — ${mode}. Results are saved under ${config.media.s3 ? `s3://${config.media.s3.bucket}` : config.media.dir}.`,
              'Describe what you would like to see; "help" lists the commands.',
            ],
          },
        },
        ...(simulate
          ? { offlineOnly: true, settings: { poll: { baseMs: 400, factor: 1.5, maxMs: 2_000, jitterRatio: 0.2 } } }
          : {}),
      });
      await app.platforms.find((p) => p.id === 'terminal')?.finished;
    } finally {
      process.off('SIGINT', onSignal);
      io.signal?.removeEventListener('abort', onSignal);
      if (app) await closeAll(app.closers, logger, CLOSE_GRACE_MS);
    }
    return ExitCode.Ok;
  } finally {
    await sim?.close();
    privateRedis?.stop();
    if (logFile) await new Promise((resolve) => logFile?.end(resolve));
  }
}

/** Appends to `path`; a path that cannot be written is the person's to fix, said before anything starts. */
async function openLogFile(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) =>
      reject(new BadInputError(`--log-file ${path} cannot be written: ${error.message}`)),
    );
  });
  return stream;
}

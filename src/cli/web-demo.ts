/**
 * `higgsbot chat --web [--simulate] [--port N] [--render-ms N] [--log-file path]` (`npm run demo -- --web`): the
 * web chat in a browser, served on this machine only (127.0.0.1), port 8080 unless `--port` says otherwise
 * (`--port 0`: any free port). It runs the whole bot in one process — web platform only, no terminal chat, no
 * Discord or Slack — prints one line, `Higgsbot web chat: http://127.0.0.1:<port>/`, on stdout once the page
 * and the API answer, and runs until SIGINT or SIGTERM (or until nobody reads its output), then closes
 * everything and exits 0.
 *
 * With `--simulate` (the demo) it needs nothing set up, like the terminal demo (demo-setup.ts): the built-in
 * simulator, the offline recommender, history in DATA_DIR/demo, a private Redis if none answers; every request
 * without a key acts as the person `demo` (WEB_ANONYMOUS_USER=demo: fine on 127.0.0.1, never on a public
 * address); PUBLIC_URL is its own address with a MEDIA_LINK_SECRET made afresh for the run, so results are
 * served from the page's own origin by /media; and the rate limit is 600 requests a minute (the page makes
 * several requests per action).
 *
 * Without `--simulate` it is the configured bot (Higgsfield and Claude keys, Redis, history): people sign in
 * with keys from `higgsbot api-keys create`, unless WEB_ANONYMOUS_USER is configured; PUBLIC_URL is its own
 * address (with a fresh secret) only when none is configured.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { type App, createApp } from '../app/container.js';
import { loadConfig } from '../config.js';
import { BadInputError } from '../errors.js';
import { freeLoopbackPort } from '../queue/private-redis.js';
import { closeAll } from '../shutdown.js';
import { closeLogFile, type DemoSetup, demoLogger, openLogFile, prepareDemo } from './demo-setup.js';
import { type CliIo, discard, ExitCode, line } from './io.js';

/** The only address the web chat listens on. */
const HOST = '127.0.0.1';
const DEFAULT_PORT = 8080;
const DEMO_PERSON = 'demo';
const DEMO_RATE_LIMIT = '600';
/** Longest the web chat waits for its connections to close once it is told to stop. */
const CLOSE_GRACE_MS = 5_000;

export interface WebDemoOptions {
  simulate: boolean;
  renderMs: number;
  /** `--port`: a port number, 0 for any free one; default 8080. */
  port?: string;
  /** `--log-file`. */
  logFile?: string;
}

export async function webDemo(io: CliIo, options: WebDemoOptions): Promise<number> {
  const port = await listenPort(options.port);
  const url = `http://${HOST}:${port}`;
  const overrides: Record<string, string | undefined> = { WEB_ENABLED: 'true', HTTP_PORT: String(port) };
  const ownLinks = { PUBLIC_URL: url, MEDIA_LINK_SECRET: randomBytes(32).toString('hex') };
  if (options.simulate) {
    Object.assign(overrides, ownLinks, { WEB_ANONYMOUS_USER: DEMO_PERSON, WEB_RATE_LIMIT_PER_MINUTE: DEMO_RATE_LIMIT });
  } else if (!loadConfig(io.env).media.signedLinks) {
    Object.assign(overrides, ownLinks);
  }

  // Listened for from here on: a stop asked for while starting ends the chat once it has started.
  const stopped = stopSignal(io.signal);
  let demo: DemoSetup | undefined;
  let logFile: Awaited<ReturnType<typeof openLogFile>> | undefined;
  try {
    demo = await prepareDemo(io, { simulate: options.simulate, renderMs: options.renderMs, overrides });
    if (!demo) return ExitCode.Error;
    if (options.logFile !== undefined) logFile = await openLogFile(options.logFile);
    const logger = demoLogger(demo.config, io, logFile);
    let app: App | undefined;
    let code: number = ExitCode.Ok;
    try {
      app = await createApp({
        config: demo.config,
        logger,
        role: 'all',
        console: { output: discard() },
        http: true,
        httpHost: HOST,
        startPlatforms: ['web'],
        ...demo.appOptions,
      });
      line(io.stdout, `Higgsbot web chat: ${app.httpUrl ?? url}/`);
      line(io.stderr, `(${demo.mode}; Ctrl-C stops it)`);
      await stopped.promise;
    } finally {
      if (app) code = await closeAll(app.closers, logger, CLOSE_GRACE_MS);
    }
    return code;
  } finally {
    stopped.dispose();
    await demo?.close();
    await closeLogFile(logFile);
  }
}

/** The port to listen on: `--port` (0 picks a free one), checked free before anything starts. */
async function listenPort(value: string | undefined): Promise<number> {
  const port = value === undefined ? DEFAULT_PORT : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new BadInputError(`--port must be a port number from 0 to 65535 (got "${value}")`);
  }
  if (port === 0) return freeLoopbackPort();
  if (!(await isFree(port))) {
    throw new BadInputError(
      `Port ${port} on ${HOST} is taken: choose another with --port N (--port 0 picks a free one).`,
    );
  }
  return port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** Resolves on SIGINT, SIGTERM or `signal` (nobody reads our output any more), whichever comes first. */
function stopSignal(signal: AbortSignal | undefined): { promise: Promise<void>; dispose(): void } {
  let stop = () => {};
  const promise = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  signal?.addEventListener('abort', stop, { once: true });
  return {
    promise,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
    },
  };
}

/**
 * The web benchmark's server under test and what it stands on: one `higgsbot start --role all` process from
 * a fresh build (dist/ rebuilt when older than src/), serving the web API on a free port, against the
 * Higgsfield simulator in this process, a fresh PostgreSQL database (its history: chats, keys, generations),
 * Redis on 127.0.0.1 under a prefix of this run's own, a temporary media folder and no ANTHROPIC_API_KEY (the
 * offline recommender). API keys are made as an operator makes them, with the built CLI
 * (`higgsbot api-keys create --user <name>`) on the same database. Everything started is registered on the
 * caller's Scope, so the database is dropped and the keys deleted however the run ends.
 * Non-obvious decisions:
 * - the server runs with `--inspect=127.0.0.1:<port>` so the benchmark can read its heap and take a CPU
 *   profile (bench/web-inspector.ts); nothing is attached while latency is measured;
 * - the rate limit is set to its highest allowed value (WEB_RATE_LIMIT_PER_MINUTE=100000): the limiter runs on
 *   every request (one Redis call) but never refuses within a run.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { text as readText } from 'node:stream/consumers';
import { type Simulator, startSimulator } from '../src/higgsfield/simulator/index.js';
import { freePort } from '../test/doubles/index.js';
import { deleteBenchKeys } from './bench-keys.js';
import { type Child, spawnChild } from './child-process.js';
import { assertLoopbackRedis, REDIS_URL, ROOT } from './environment.js';
import { ensureBuilt } from './pipeline/preflight.js';
import { type BenchDatabase, createBenchDatabase } from './postgres.js';
import type { Scope } from './scope.js';
import { simulatorCredentialsEnv } from './simulator-pipeline.js';
import { waitFor } from './waits.js';

export const RATE_LIMIT_PER_MINUTE = 100_000;

export interface WebRig {
  origin: string;
  server: Child;
  inspectPort: number;
  sim: Simulator;
  database: BenchDatabase;
  /** The server's QUEUE_PREFIX: its Redis keys, and the web event log's, start with it. */
  prefix: string;
  buildNote: string;
  /** A new API key (its secret) for `user`, made by the built CLI. */
  newKey(user: string): Promise<string>;
}

/** Runs the built CLI once with `args` and the server's environment; resolves with its stdout. */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, ['bin/higgsbot.js', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const [out, err, code] = await Promise.all([
      readText(child.stdout),
      readText(child.stderr),
      new Promise<number | null>((resolve) => child.once('exit', resolve)),
    ]);
    if (code !== 0) throw new Error(`higgsbot ${args.join(' ')} exited with ${code}: ${(err || out).slice(-500)}`);
    return out;
  } finally {
    clearTimeout(timer);
  }
}

export interface WebRigOptions {
  /** Names the run's database, key prefix and media folder (default `web`). */
  name?: string;
  /** Variables on top of the rig's own, given the server's origin (e.g. PUBLIC_URL, WEB_ANONYMOUS_USER). */
  env?: (origin: string) => NodeJS.ProcessEnv;
}

export async function startWebRig(
  scope: Scope,
  log: (line: string) => void,
  options: WebRigOptions = {},
): Promise<WebRig> {
  const name = options.name ?? 'web';
  assertLoopbackRedis(REDIS_URL);
  const buildNote = ensureBuilt(ROOT, false, log);
  const prefix = `bench-${name}${randomBytes(4).toString('hex')}`;
  scope.defer('redis keys', async () => void (await deleteBenchKeys(REDIS_URL, prefix)));
  const database = await createBenchDatabase(name);
  scope.defer('drop the benchmark database', () => database.drop());
  // A generation takes a quarter of a second in the simulator: the reads scenario needs one done.
  const sim = await startSimulator({ queuedMs: 0, inProgressMs: 250, maxConcurrent: Number.POSITIVE_INFINITY });
  scope.defer('simulator', () => sim.close());
  const mediaDir = await mkdtemp(`${tmpdir()}/higgsbot-bench-${name}-`);
  scope.defer('media dir', () => rm(mediaDir, { recursive: true, force: true }));
  const httpPort = await freePort();
  const inspectPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    HF_CREDENTIALS: simulatorCredentialsEnv(),
    HIGGSFIELD_BASE_URL: sim.url,
    DATABASE_URL: database.url,
    MEDIA_DIR: mediaDir,
    HTTP_PORT: String(httpPort),
    WEB_ENABLED: 'true',
    WEB_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
    LOG_LEVEL: 'warn',
    ...options.env?.(`http://127.0.0.1:${httpPort}`),
  };
  const server = await startBuiltServer(scope, env, [`--inspect=127.0.0.1:${inspectPort}`]);
  const origin = `http://127.0.0.1:${httpPort}`;
  return {
    origin,
    server,
    inspectPort,
    sim,
    database,
    prefix,
    buildNote,
    async newKey(user) {
      const out = await cli(['api-keys', 'create', '--user', user], env);
      const secret = /hb_[a-z0-9]{10}_[A-Za-z0-9_-]{32,128}/.exec(out)?.[0];
      if (!secret) throw new Error(`higgsbot api-keys create printed no key: ${out.slice(0, 300)}`);
      return secret;
    },
  };
}

/**
 * `higgsbot start --role all` from the build, with exactly `env` (HTTP_PORT among it) and `nodeArgs` before the
 * script; resolves once its /readyz answers 200, stopped when the scope ends.
 */
export async function startBuiltServer(
  scope: Scope,
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): Promise<Child> {
  const server = spawnChild('server', [...nodeArgs, 'bin/higgsbot.js', 'start', '--role', 'all'], env, ROOT);
  scope.defer('server process', () => server.stop());
  const origin = `http://127.0.0.1:${env.HTTP_PORT}`;
  const ready = async () => {
    if (server.exitCode() !== undefined) return true;
    const res = await fetch(`${origin}/readyz`).catch(() => undefined);
    await res?.body?.cancel();
    return res?.status === 200;
  };
  if (!(await waitFor(ready, 60_000, 100)) || server.exitCode() !== undefined) {
    throw new Error(
      `the server did not start (exit ${server.exitCode()}): ${server.stderr.tail || server.stdout.tail}`,
    );
  }
  return server;
}

/** `items.map(work)`, at most `concurrency` at a time, in order. */
export async function inBatches<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!, i);
  });
  await Promise.all(lanes);
  return results;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/core/types.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { createPipeline, type Pipeline } from '../../src/queue/create-pipeline.js';
import { spec } from '../support/pipeline-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

let sim: Simulator;
let pipeline: Pipeline;
let prefix: string;
let mediaDir: string;
/** A worker process alone shares history with bots, so it needs a real PostgreSQL. */
let database: TestDatabase;
const events: ProgressEvent[] = [];
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--role', 'worker'], {
    env: {
      PATH: process.env.PATH,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      HIGGSFIELD_BASE_URL: sim.url,
      HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
      MEDIA_DIR: mediaDir,
      DATABASE_URL: database.url,
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${events.map((e) => e.state)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  database = await createTestDatabase('worker_restart');
  sim = await startSimulator({ queuedMs: 100, inProgressMs: 2_500 });
  prefix = testPrefix('restart');
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-restart-'));
  const client = new HiggsfieldClient({ baseUrl: sim.url, credentials: SIMULATOR_CREDENTIALS, logger: silentLogger() });
  const provider = createHiggsfieldProvider(client);
  pipeline = createPipeline({ redisUrl: redisUrl(), provider, logger: silentLogger(), settings: { prefix } });
  await pipeline.ready();
  await pipeline.bus.subscribe((e) => events.push(e));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await pipeline.close();
  await sim.close();
  await deleteKeys(redisUrl(), prefix);
  await rm(mediaDir, { recursive: true, force: true });
  await database.drop();
});

it('finishes a generation whose worker was killed mid-wait, after a restart, with exactly one submit', async () => {
  const first = startWorkerProcess();
  const { generationId } = await pipeline.service.enqueue(spec('higgsfield-ai/soul/v2/standard', 'survive a crash'));
  await until(() => events.some((e) => e.generationId === generationId && e.state === 'submitted'), 15_000, 'submit');

  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  expect(sim.request(sim.requests()[0]?.id ?? '')?.status).not.toBe('completed');

  const second = startWorkerProcess();
  let output = '';
  second.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await until(() => events.some((e) => e.generationId === generationId && e.state === 'done'), 20_000, 'done');

  const done = events.find((e) => e.generationId === generationId && e.state === 'done');
  const path = done?.assets?.[0]?.path ?? '';
  expect((await readFile(path)).subarray(1, 4).toString()).toBe('PNG');
  expect(sim.stats().requestsCreated).toBe(1);
  expect(
    sim.stats().calls.filter((c) => c.method === 'POST' && c.path === '/higgsfield-ai/soul/v2/standard'),
  ).toHaveLength(1);
  await until(() => output.includes('saved:'), 5_000, 'the worker to print the result');
  expect(output).toContain(path);
}, 60_000);

/**
 * The worker under test, in a process of its own started from the repository root: the product's worker
 * (`node bin/higgsbot.js start --role worker`, compiled dist/, LOG_LEVEL=warn, local media store), with the
 * webhook variables when the scenario has webhooks, or the naive comparison worker
 * (`node --import tsx bench/pipeline/naive-worker.ts`). Both get the same concurrency and simulator.
 */
import type { Queue } from 'bullmq';
import type { Simulator } from '../../src/higgsfield/simulator/index.js';
import { WEBHOOK_PATH } from '../../src/http/webhook-route.js';
import { freePort } from '../../test/doubles/index.js';
import { type Child, spawnChild } from '../child-process.js';
import { simulatorCredentialsEnv } from '../simulator-pipeline.js';
import { waitFor } from '../waits.js';
import type { PipelineBenchSettings, Scenario } from './scenarios.js';

export const NAIVE_WORKER_SCRIPT = 'bench/pipeline/naive-worker.ts';

interface WorkerOptions {
  scenario: Scenario;
  settings: PipelineBenchSettings;
  sim: Simulator;
  redisUrl: string;
  prefix: string;
  mediaDir: string;
  /** The history database of `start --role worker` (it shares history, so it needs one); naive workers ignore it. */
  databaseUrl?: string;
}

function commonEnv(options: WorkerOptions): NodeJS.ProcessEnv {
  const { settings: s, sim, redisUrl, mediaDir } = options;
  return {
    PATH: process.env.PATH,
    REDIS_URL: redisUrl,
    HIGGSFIELD_BASE_URL: sim.url,
    HF_CREDENTIALS: simulatorCredentialsEnv(),
    MEDIA_DIR: mediaDir,
    WORKER_CONCURRENCY: String(s.concurrency),
  };
}

/**
 * The environment of our worker (`start --role worker` and the history comparison's worker): a free HTTP port,
 * the webhook variables pointing at it when the scenario has webhooks.
 */
export async function ourWorkerEnv(options: WorkerOptions): Promise<NodeJS.ProcessEnv> {
  const { scenario, settings: s, sim, prefix } = options;
  const port = await freePort();
  const webhookEnv = scenario.webhooks
    ? {
        HIGGSFIELD_WEBHOOK_URL: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
        HIGGSFIELD_WEBHOOK_SECRET: sim.webhookSecret,
      }
    : {};
  return {
    ...commonEnv(options),
    QUEUE_PREFIX: prefix,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
    USER_MAX_ACTIVE: String(s.perUser),
    ...webhookEnv,
  };
}

export async function spawnWorker(options: WorkerOptions & { root: string }): Promise<Child> {
  const { scenario, settings: s, prefix, root } = options;
  if (scenario.worker === 'naive') {
    return spawnChild(
      'naive worker',
      ['--import', 'tsx', NAIVE_WORKER_SCRIPT],
      { ...commonEnv(options), NAIVE_PREFIX: prefix, NAIVE_POLL_MS: String(s.naivePollMs) },
      root,
    );
  }
  return spawnChild(
    `worker (${scenario.kind})`,
    ['bin/higgsbot.js', 'start', '--role', 'worker'],
    await ourWorkerEnv(options),
    root,
  );
}

/** Waits (30 s at most) until every queue has a worker, or the child exited; throws if it is not ready. */
export async function waitForWorkers(queues: Array<Queue<unknown>>, child: Child): Promise<void> {
  const ok = await waitFor(
    async () => {
      if (child.exitCode() !== undefined) return true;
      for (const queue of queues) if ((await queue.getWorkersCount()) === 0) return false;
      return true;
    },
    30_000,
    100,
  );
  if (!ok || child.exitCode() !== undefined) {
    throw new Error(
      `${child.name} did not become ready (exit ${child.exitCode()}):\n${child.stdout.tail}\n${child.stderr.tail}`,
    );
  }
}

/** Stops the child (SIGTERM, SIGKILL after 10 s); returns how long it took. */
export async function stopWorker(child: Child): Promise<number> {
  const started = Date.now();
  await child.stop(10_000);
  return Date.now() - started;
}

/**
 * The benchmark's comparison: a "naive" BullMQ worker whose processor does the whole generation in one
 * go — submit, then `sleep(poll) + status GET` until terminal, then download the image into a local
 * file — holding its worker slot for the whole render. It uses the project's own Higgsfield client,
 * download and local media store, so only the waiting strategy differs from the real pipeline.
 *
 * Started by the pipeline benchmark's runner as `node --import tsx bench/pipeline/naive-worker.ts` with
 * REDIS_URL, NAIVE_PREFIX, HIGGSFIELD_BASE_URL, HF_CREDENTIALS, MEDIA_DIR, WORKER_CONCURRENCY,
 * NAIVE_POLL_MS. Publishes `submitted` / `delivering` / `done` / `failed` progress events on the product's
 * progress bus (the Redis stream `<prefix>:progress`; it was pub/sub until the bus moved to a stream, which
 * left the naive run hearing nothing).
 * Stops on SIGTERM/SIGINT (force-closing the worker: active jobs are abandoned, this is a benchmark).
 * Everything starts in main(), run only when this file is the script node was started with.
 */
import { type Job, Worker } from 'bullmq';
import type { MediaAsset, ProgressEvent } from '../../src/core/types.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createLogger } from '../../src/log.js';
import { downloadToStore } from '../../src/media/download.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { createRedisProgressBus } from '../../src/queue/progress-bus.js';
import { createRedis } from '../../src/queue/redis.js';
import { sleep } from '../../src/retry.js';
import { isEntry } from '../entry.js';
import { NAIVE_QUEUE, type NaiveJobData } from './naive-job.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`naive-worker: ${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = required('NAIVE_PREFIX');
  const [keyId = '', keySecret = ''] = required('HF_CREDENTIALS').split(':');
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 500);
  const pollMs = Number(process.env.NAIVE_POLL_MS ?? 2_000);
  /** Bounds the polling loop: 10 minutes of polls at most (the image models' deadline). */
  const maxPolls = Math.ceil(600_000 / pollMs);
  const logger = createLogger({ level: 'warn' });
  const client = new HiggsfieldClient({
    baseUrl: required('HIGGSFIELD_BASE_URL'),
    credentials: { keyId, keySecret },
    logger,
  });
  const store = createLocalMediaStore({ dir: required('MEDIA_DIR') });
  const publisher = createRedis(redisUrl, 'worker');
  publisher.on('error', (err) => logger.warn({ err }, 'redis error'));
  // The product's own progress bus (a Redis stream), so the producer hears these events as it hears ours.
  const bus = createRedisProgressBus({
    publisher,
    subscriberFactory: () => createRedis(redisUrl, 'worker'),
    channel: `${prefix}:progress`,
    logger,
  });

  async function publish(data: NaiveJobData, state: ProgressEvent['state'], extra: Partial<ProgressEvent> = {}) {
    const event: ProgressEvent = {
      generationId: data.generationId,
      conversation: data.spec.conversation,
      state,
      modelId: data.spec.option.modelId,
      atMs: Date.now(),
      ...extra,
    };
    await bus.publish(event);
  }

  async function processJob(job: Job<NaiveJobData>): Promise<string> {
    const { generationId, spec } = job.data;
    const submitted = await client.submit(
      spec.option.modelId,
      { ...spec.option.params, prompt: spec.option.prompt },
      { idempotencyKey: generationId },
    );
    await publish(job.data, 'submitted');
    let status = submitted;
    for (let polls = 0; !status.terminal; polls++) {
      if (polls >= maxPolls) throw new Error(`still ${status.status} after ${polls} polls`);
      await sleep(pollMs);
      status = await client.status(submitted.requestId);
    }
    if (status.status !== 'completed') {
      await publish(job.data, 'failed', { message: status.error ?? status.status });
      return status.status;
    }
    await publish(job.data, 'delivering');
    const assets: MediaAsset[] = [];
    for (const [index, output] of status.outputs.entries()) {
      assets.push(
        await downloadToStore({
          url: output.url,
          store,
          key: `${generationId}-${index}.png`,
          maxBytes: 64 * 1024 * 1024,
          allowedTypes: ['image/'],
        }),
      );
    }
    await publish(job.data, 'done', { assets });
    return 'done';
  }

  const worker = new Worker<NaiveJobData>(NAIVE_QUEUE, processJob, {
    connection: createRedis(redisUrl, 'worker'),
    prefix,
    concurrency,
  });
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  worker.on('failed', (job, err) => {
    logger.warn({ generationId: job?.data.generationId, err }, 'naive job failed');
    if (job) void publish(job.data, 'failed', { message: err.message }).catch(() => undefined);
  });

  let stopping = false;
  async function stop(): Promise<void> {
    if (stopping) process.exit(1);
    stopping = true;
    await worker.close(true).catch(() => undefined);
    publisher.disconnect();
    process.exit(0);
  }
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  await worker.waitUntilReady();
  console.log('naive-worker ready');
}

if (isEntry(import.meta.url)) await main();

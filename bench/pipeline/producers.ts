/**
 * The producer side of a scenario, in the benchmark process: what enqueues the generations and hears their
 * progress. For our worker it is the product's own pipeline (bench/simulator-pipeline.ts, the benchmarks'
 * one `createPipeline` call) enqueueing through the generation service, as the bot does; for the naive
 * worker, a plain BullMQ queue and the same Redis progress bus. Everything opened is deferred to the scope.
 */
import { Queue } from 'bullmq';
import type { ProgressBus } from '../../src/core/ports.js';
import type { Simulator } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { createRedisProgressBus } from '../../src/queue/progress-bus.js';
import { createRedis } from '../../src/queue/redis.js';
import type { Scope } from '../scope.js';
import { simulatorPipeline } from '../simulator-pipeline.js';
import { sleep } from '../waits.js';
import { NAIVE_QUEUE, type NaiveJobData } from './naive-job.js';
import { makeSpec, type PipelineBenchSettings } from './scenarios.js';

export interface Producer {
  /** The queues a worker must be consuming before the run starts. */
  queues: Array<Queue<unknown>>;
  bus: ProgressBus;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Enqueues generations 0 … n−1: as fast as it can, or `perSecond` evenly spaced. Returns the time taken. */
  enqueue(n: number, perSecond?: number): Promise<number>;
}

interface ProducerOptions {
  settings: PipelineBenchSettings;
  redisUrl: string;
  /** The scenario's key prefix. */
  prefix: string;
}

/** Runs `add(i)` for i = 0 … n−1, `parallelism` at a time, optionally paced at `perSecond`. */
async function enqueueAll(
  n: number,
  parallelism: number,
  add: (i: number) => Promise<unknown>,
  perSecond?: number,
): Promise<number> {
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallelism }, async () => {
      while (next < n) {
        const i = next++;
        if (perSecond !== undefined) {
          const due = started + (i * 1_000) / perSecond;
          if (due > Date.now()) await sleep(due - Date.now());
        }
        await add(i);
      }
    }),
  );
  return Date.now() - started;
}

/** The product's pipeline as the producer: `service.enqueue`, as the bot enqueues a chosen option. */
export async function ourProducer(scope: Scope, options: ProducerOptions & { sim: Simulator }): Promise<Producer> {
  const { settings: s } = options;
  const pipeline = simulatorPipeline({
    sim: options.sim,
    redisUrl: options.redisUrl,
    settings: { prefix: options.prefix, maxActivePerUser: s.perUser },
  });
  scope.defer('producer pipeline', () => pipeline.close());
  await pipeline.ready();
  return {
    queues: [pipeline.submitQueue, pipeline.trackQueue] as Array<Queue<unknown>>,
    bus: pipeline.bus,
    pause: () => pipeline.submitQueue.pause(),
    resume: () => pipeline.submitQueue.resume(),
    enqueue: (n, perSecond) =>
      enqueueAll(n, s.enqueueParallelism, (i) => pipeline.service.enqueue(makeSpec(s, i)), perSecond),
  };
}

/** A plain BullMQ queue of whole generations, for the naive worker; enqueued in bulk, 500 a call. */
export function naiveProducer(scope: Scope, options: ProducerOptions & { runId: string }): Producer {
  const { settings: s, redisUrl, prefix } = options;
  const producer = createRedis(redisUrl, 'worker');
  producer.on('error', () => {});
  scope.defer('producer connection', () => void producer.disconnect());
  const queue = new Queue<NaiveJobData>(NAIVE_QUEUE, { connection: producer, prefix });
  scope.defer('naive queue', () => queue.close());
  const bus = createRedisProgressBus({
    publisher: producer,
    subscriberFactory: () => {
      const sub = createRedis(redisUrl, 'worker');
      sub.on('error', () => {});
      return sub;
    },
    channel: `${prefix}:progress`,
    logger: silentLogger(),
  });
  return {
    queues: [queue as Queue<unknown>],
    bus,
    pause: () => queue.pause(),
    resume: () => queue.resume(),
    async enqueue(n, perSecond) {
      if (perSecond !== undefined) throw new Error('the naive producer enqueues bursts only');
      const started = Date.now();
      for (let from = 0; from < n; from += 500) {
        const batch = [];
        for (let i = from; i < Math.min(n, from + 500); i++) {
          const generationId = `gen-${options.runId}-naive-${i}`;
          batch.push({ name: 'naive', data: { generationId, spec: makeSpec(s, i) }, opts: { jobId: generationId } });
        }
        await queue.addBulk(batch);
      }
      return Date.now() - started;
    },
  };
}

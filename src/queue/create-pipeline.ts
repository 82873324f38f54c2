/**
 * Builds the generation pipeline on one Redis: the two queues, the records, the progress bus and the
 * service; workers are started separately (only worker roles run them). Producers fail fast when Redis is
 * down, so a person hears "try again" at once; workers retry their connection forever.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DownloadMedia } from '../core/deliver-generation.js';
import type { MediaStore, ProgressBus, Publisher } from '../core/ports.js';
import type { GenerationProvider } from '../core/provider.js';
import { isConnectionError } from '../errors.js';
import type { Logger } from '../log.js';
import { GenerationRecords } from './generation-records.js';
import { GenerationService } from './generation-service.js';
import { type GenerationWorkers, startGenerationWorkers } from './generation-worker.js';
import { SUBMIT_QUEUE, type SubmitJobData, TRACK_QUEUE, type TrackJobData } from './jobs.js';
import type { PipelineContext } from './pipeline-context.js';
import { DEFAULT_PIPELINE_SETTINGS, type PipelineSettings } from './pipeline-settings.js';
import { createRedisProgressBus } from './progress-bus.js';
import { createRedis, watchRedis } from './redis.js';

export interface PipelineOptions {
  redisUrl: string;
  provider: GenerationProvider;
  logger: Logger;
  settings?: Partial<PipelineSettings>;
}

/** What only worker processes need: where results are posted and kept, and our webhook's public URL. */
export interface WorkerExtras {
  publishers: ReadonlyMap<string, Publisher>;
  download: DownloadMedia;
  store: MediaStore;
  /** Our webhook route's public URL; polling alone when absent. */
  webhookUrl?: string;
}

export interface Pipeline {
  service: GenerationService;
  records: GenerationRecords;
  bus: ProgressBus;
  submitQueue: Queue<SubmitJobData>;
  trackQueue: Queue<TrackJobData>;
  settings: PipelineSettings;
  /** Resolves once Redis answers; rejects quickly when it does not. */
  ready(): Promise<void>;
  startWorkers(extras: WorkerExtras): GenerationWorkers;
  close(): Promise<void>;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const settings: PipelineSettings = { ...DEFAULT_PIPELINE_SETTINGS, ...options.settings };
  const logger = options.logger.child({ module: 'pipeline' });
  const connections: Redis[] = [];
  const open = (role: 'worker' | 'producer', name: string) => {
    const redis = watchRedis(createRedis(options.redisUrl, role), logger, name);
    connections.push(redis);
    return redis;
  };
  const producer = open('producer', 'queue-producer');
  const jobDefaults = {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.retryDelayMs },
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  const submitQueue = new Queue<SubmitJobData>(SUBMIT_QUEUE, {
    connection: producer,
    prefix: settings.prefix,
    defaultJobOptions: jobDefaults,
  });
  const trackQueue = new Queue<TrackJobData>(TRACK_QUEUE, {
    connection: producer,
    prefix: settings.prefix,
    defaultJobOptions: jobDefaults,
  });
  // BullMQ reports connection trouble as 'error' events (and prints them when nobody listens); the
  // connection watcher has already logged the outage once, so only other errors are logged here.
  for (const queue of [submitQueue, trackQueue]) {
    queue.on('error', (err) => {
      if (!isConnectionError(err)) logger.error({ err, queue: queue.name }, 'queue error');
    });
  }
  const records = new GenerationRecords(producer, `${settings.prefix}:gen`);
  const busOn = (publisher: Redis) =>
    createRedisProgressBus({
      publisher,
      subscriberFactory: () => open('worker', 'progress-subscriber'),
      channel: `${settings.prefix}:progress`,
      logger,
    });
  const bus = busOn(producer);
  const service = new GenerationService({
    submitQueue,
    trackQueue,
    records,
    provider: options.provider,
    bus,
    settings,
    logger,
  });
  const workers: GenerationWorkers[] = [];

  return {
    service,
    records,
    bus,
    submitQueue,
    trackQueue,
    settings,
    async ready() {
      if (producer.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('Redis did not answer within 5 s')), 5_000);
          producer.once('ready', () => {
            clearTimeout(timer);
            resolve();
          });
          producer.once('end', () => {
            clearTimeout(timer);
            reject(new Error('Redis connection ended'));
          });
        });
      }
    },
    startWorkers(extras) {
      // Workers write records and events on a connection that waits out a Redis blip (and resends what was
      // in flight) instead of failing fast: a write that fails after an upload would make the step repeat it.
      const patient = open('worker', 'worker-records');
      const ctx: PipelineContext = {
        generation: {
          provider: options.provider,
          records: new GenerationRecords(patient, `${settings.prefix}:gen`),
          bus: busOn(patient),
          publishers: extras.publishers,
          store: extras.store,
          download: extras.download,
          // A request that ended frees a slot at the provider: submissions paused for one may go on now.
          slots: { freed: () => submitQueue.removeRateLimitKey().then(() => undefined) },
          policy: {
            deadlineScale: settings.deadlineScale,
            maxQueueWaitMs: settings.maxQueueWaitMs,
            concurrencyBackoffMs: settings.concurrencyBackoffMs,
            poll: settings.poll,
            pollWithWebhook: settings.pollWithWebhook,
            ...(extras.webhookUrl ? { webhookUrl: extras.webhookUrl } : {}),
          },
          logger,
          now: Date.now,
          random: Math.random,
        },
        trackQueue,
        settings,
        logger,
      };
      const started = startGenerationWorkers(ctx, () => open('worker', 'worker'));
      workers.push(started);
      return started;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([submitQueue.close(), trackQueue.close()]);
      for (const redis of connections) redis.disconnect();
    },
  };
}

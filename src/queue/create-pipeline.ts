/**
 * Builds the generation pipeline on one Redis: the two queues, the records, the progress bus and the
 * service; workers are started separately (only worker roles run them). Producers fail fast when Redis is
 * down, so a person hears "try again" at once; workers retry their connection forever.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProgressBus } from '../core/ports.js';
import type { HiggsfieldClient } from '../higgsfield/client.js';
import type { Logger } from '../log.js';
import { GenerationRecords } from './generation-records.js';
import { GenerationService } from './generation-service.js';
import { type GenerationWorkers, startGenerationWorkers } from './generation-worker.js';
import { SUBMIT_QUEUE, type SubmitJobData, TRACK_QUEUE, type TrackJobData } from './jobs.js';
import type { PipelineContext } from './pipeline-context.js';
import { DEFAULT_PIPELINE_SETTINGS, type PipelineSettings } from './pipeline-settings.js';
import { createRedisProgressBus } from './progress-bus.js';
import { createRedis } from './redis.js';

export interface PipelineOptions {
  redisUrl: string;
  client: HiggsfieldClient;
  logger: Logger;
  settings?: Partial<PipelineSettings>;
}

export type WorkerExtras = Pick<PipelineContext, 'publishers' | 'download' | 'store'> & { webhookUrl?: string };

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
  const open = (role: 'worker' | 'producer') => {
    const redis = createRedis(options.redisUrl, role);
    redis.on('error', (err) => logger.debug({ err, role }, 'redis connection error'));
    connections.push(redis);
    return redis;
  };
  const producer = open('producer');
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
  const records = new GenerationRecords(producer, `${settings.prefix}:gen`);
  const bus = createRedisProgressBus({
    publisher: producer,
    subscriberFactory: () => open('worker'),
    channel: `${settings.prefix}:progress`,
    logger,
  });
  const service = new GenerationService({
    submitQueue,
    trackQueue,
    records,
    client: options.client,
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
      const ctx: PipelineContext = {
        client: options.client,
        records,
        bus,
        submitQueue,
        trackQueue,
        settings,
        logger,
        publishers: extras.publishers,
        download: extras.download,
        store: extras.store,
        ...(extras.webhookUrl ? { webhookUrl: extras.webhookUrl } : {}),
      };
      const started = startGenerationWorkers(ctx, () => open('worker'));
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

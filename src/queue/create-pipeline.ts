/**
 * Builds the generation pipeline on one Redis: the two queues, the records, the progress bus and the
 * service; workers are started separately (only worker roles run them). Producers fail fast when Redis is
 * down, so a person hears "try again" at once; workers retry their connection forever.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProgressBus } from '../core/ports.js';
import type { MessageRef } from '../core/types.js';
import { isConnectionError } from '../errors.js';
import type { HiggsfieldClient } from '../higgsfield/client.js';
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
  /**
   * The status message of a generation, read on a connection that waits out a Redis outage: the status
   * relay edits it when an event arrives, and a fail-fast read right after a restart would leave the
   * message on "queued" next to a posted result. Nobody waits on this read, so patience costs nothing.
   */
  statusMessageOf(generationId: string): Promise<MessageRef | undefined>;
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
    client: options.client,
    bus,
    settings,
    logger,
  });
  const workers: GenerationWorkers[] = [];
  let patientRecords: GenerationRecords | undefined;

  return {
    service,
    records,
    bus,
    submitQueue,
    trackQueue,
    settings,
    async statusMessageOf(generationId) {
      patientRecords ??= new GenerationRecords(open('worker', 'status-reader'), `${settings.prefix}:gen`);
      const record = await patientRecords.get(generationId);
      return record?.spec.statusMessage ?? record?.statusMessage;
    },
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
        client: options.client,
        records: new GenerationRecords(patient, `${settings.prefix}:gen`),
        bus: busOn(patient),
        submitQueue,
        trackQueue,
        settings,
        logger,
        publishers: extras.publishers,
        download: extras.download,
        store: extras.store,
        ...(extras.webhookUrl ? { webhookUrl: extras.webhookUrl } : {}),
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

/**
 * A generation pipeline wired as in production — BullMQ on real Redis, the Higgsfield provider against the
 * simulator over HTTP, a local media store — with a recording publisher and every progress event kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Publisher } from '../../src/core/ports.js';
import {
  type GenerationFailure,
  type GenerationResult,
  type GenerationSpec,
  isEnded,
  type ProgressEvent,
} from '../../src/core/types.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import {
  SIMULATOR_CREDENTIALS,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/higgsfield/simulator/index.js';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { createHiggsfieldWebhookHandler, WEBHOOK_PATH } from '../../src/http/webhook-route.js';
import { createWebhookVerifier } from '../../src/http/webhook-verifier.js';
import { silentLogger } from '../../src/log.js';
import { downloadToStore } from '../../src/media/download.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { createPipeline, type Pipeline } from '../../src/queue/create-pipeline.js';
import type { PipelineSettings } from '../../src/queue/pipeline-settings.js';
import { createRedis } from '../../src/queue/redis.js';
import { deleteKeys, redisUrl, testPrefix } from './redis.js';

export interface HarnessOptions {
  name: string;
  sim?: SimulatorOptions;
  settings?: Partial<PipelineSettings>;
  /** Serve the webhook route and ask Higgsfield to call it. */
  webhooks?: boolean;
  /** Start workers at once (default true). */
  workers?: boolean;
}

export class RecordingPublisher implements Publisher {
  readonly platform = 'terminal' as const;
  readonly results: GenerationResult[] = [];
  readonly failures: GenerationFailure[] = [];
  async postResult(result: GenerationResult): Promise<void> {
    this.results.push(result);
  }
  async postFailure(failure: GenerationFailure): Promise<void> {
    this.failures.push(failure);
  }
}

export const FAST: Partial<PipelineSettings> = {
  poll: { baseMs: 40, factor: 1.5, maxMs: 150, jitterRatio: 0.2 },
  pollWithWebhook: { baseMs: 30_000, factor: 2, maxMs: 60_000, jitterRatio: 0 },
  concurrencyBackoffMs: 150,
  retryDelayMs: 50,
  maxActivePerUser: 20,
};

export interface Harness {
  sim: Simulator;
  pipeline: Pipeline;
  publisher: RecordingPublisher;
  events: ProgressEvent[];
  mediaDir: string;
  webhookUrl?: string;
  startWorkers(): Promise<void>;
  /** Resolves with the generation's final event (done, failed or canceled). */
  finished(generationId: string, timeoutMs?: number): Promise<ProgressEvent>;
  eventsOf(generationId: string): ProgressEvent[];
  close(): Promise<void>;
}

let userCounter = 0;
export function spec(
  modelId: string,
  prompt: string,
  overrides: Partial<GenerationSpec> = {},
  userId?: string,
): GenerationSpec {
  userCounter += 1;
  const image = modelId.includes('image-to-video') || modelId.includes('/dop/');
  return {
    option: {
      kind: image
        ? 'image-to-video'
        : modelId.includes('video') || modelId.startsWith('veo')
          ? 'text-to-video'
          : 'text-to-image',
      modelId,
      prompt,
      params: image ? { image_url: 'https://cdn.example.com/input.png' } : {},
      label: prompt.slice(0, 40),
      reason: 'test',
    },
    conversation: {
      platform: 'terminal',
      workspaceId: 'local',
      channelId: 'c1',
      threadId: 'c1',
      userId: userId ?? `user-${userCounter}`,
    },
    ...overrides,
  };
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const prefix = testPrefix(options.name);
  const url = redisUrl();
  const sim = await startSimulator({ queuedMs: 30, inProgressMs: 60, maxConcurrent: 100, ...options.sim });
  const logger = silentLogger();
  const client = new HiggsfieldClient({
    baseUrl: sim.url,
    credentials: SIMULATOR_CREDENTIALS,
    logger,
    retry: { attempts: 3, baseMs: 20, maxMs: 100 },
  });
  const pipeline = createPipeline({
    redisUrl: url,
    provider: createHiggsfieldProvider(client),
    logger,
    settings: { prefix, ...FAST, ...options.settings },
  });
  await pipeline.ready();
  const mediaDir = await mkdtemp(join(tmpdir(), `higgsbot-${options.name}-`));
  const store = createLocalMediaStore({ dir: mediaDir });
  const publisher = new RecordingPublisher();
  const events: ProgressEvent[] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = await pipeline.bus.subscribe((event) => {
    events.push(event);
    for (const wake of waiters) wake();
  });

  let http: HttpServer | undefined;
  const hookRedis = options.webhooks ? createRedis(url, 'worker') : undefined;
  if (hookRedis) {
    http = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      routes: [
        {
          method: 'POST',
          path: WEBHOOK_PATH,
          handler: createHiggsfieldWebhookHandler({
            verifier: createWebhookVerifier({ secrets: [sim.webhookSecret] }),
            redis: hookRedis,
            keyPrefix: prefix,
            onStatus: (status) => pipeline.service.onWebhookStatus(status),
            logger,
          }),
        },
      ],
    });
  }
  const webhookUrl = http ? `${http.url}${WEBHOOK_PATH}` : undefined;
  const startWorkers = async () => {
    const workers = pipeline.startWorkers({
      publishers: new Map([['terminal', publisher]]),
      store,
      download: (input) => downloadToStore({ ...input, store, maxBytes: pipeline.settings.maxMediaBytes }),
      ...(webhookUrl ? { webhookUrl } : {}),
    });
    await workers.ready();
  };
  if (options.workers !== false) await startWorkers();

  const eventsOf = (id: string) => events.filter((e) => e.generationId === id);
  return {
    sim,
    pipeline,
    publisher,
    events,
    mediaDir,
    ...(webhookUrl ? { webhookUrl } : {}),
    startWorkers,
    eventsOf,
    finished(generationId, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const end = eventsOf(generationId).find((e) => isEnded(e.state));
          if (end) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(end);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `${generationId} did not finish; events: ${eventsOf(generationId)
                .map((e) => e.state)
                .join(',')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      await unsubscribe();
      await http?.close();
      hookRedis?.disconnect();
      await pipeline.close();
      await sim.close();
      await deleteKeys(url, prefix);
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

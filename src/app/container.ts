/**
 * The composition root: the only place that constructs implementations. Given the config and the roles a
 * process plays, it wires the provider (Higgsfield), the media store, the generation pipeline, every
 * configured platform of src/platforms.ts (their publishers in every role, their connections in roles all
 * and bot), status messages, the workers and the HTTP routes, and hands back what to close, in order. It
 * names no platform: each one's contribution comes through the platform contract (src/core/platform.ts).
 */

import type { Redis } from 'ioredis';
import { ACK_PRIORITY_MAX_WAIT_MS } from '../ack-backlog.js';
import type { Config } from '../config.js';
import type { Assistant } from '../core/assistant.js';
import type { HistoryStore } from '../core/history.js';
import type { PlatformAdapter, PlatformDeps, PlatformServices, ProcessConsole } from '../core/platform.js';
import type { MediaStore, Publisher } from '../core/ports.js';
import type { GenerationProvider } from '../core/provider.js';
import { startStatusMessages } from '../core/status-messages.js';
import { HiggsfieldClient } from '../higgsfield/client.js';
import { createHiggsfieldProvider } from '../higgsfield/higgsfield-provider.js';
import { openHistoryStore } from '../history/open-history-store.js';
import { type Route, startHttpServer } from '../http/http-server.js';
import { createMediaRoutes } from '../http/media-route.js';
import type { ResponseBacklog } from '../http/response-backlog.js';
import { createHiggsfieldWebhookHandler, WEBHOOK_PATH } from '../http/webhook-route.js';
import { createWebhookVerifier } from '../http/webhook-verifier.js';
import type { Logger } from '../log.js';
import { createMediaStore, type ServableMediaStore } from '../media/create-media-store.js';
import { downloadToStore } from '../media/download.js';
import { linkOrigins } from '../media/media-links.js';
import { rehostImage } from '../media/rehost-image.js';
import { PLATFORMS } from '../platforms.js';
import { createPipeline, type Pipeline } from '../queue/create-pipeline.js';
import { startHistoryFeed } from '../queue/history-feed.js';
import { startHistoryRetention } from '../queue/history-retention.js';
import type { PipelineSettings } from '../queue/pipeline-settings.js';
import { createRedis, pingRedis, watchRedis } from '../queue/redis.js';
import { createRedisStatusBoard } from '../queue/status-board.js';
import type { Closer } from '../shutdown.js';
import { createAssistant } from './create-assistant.js';

export type Role = 'all' | 'bot' | 'worker';

export interface AppOptions {
  config: Config;
  logger: Logger;
  role: Role;
  /** Where terminal results are written and, for `higgsbot chat`, the conversation held there. */
  console: ProcessConsole;
  /** Start the HTTP server (health, webhook route, media links, the platforms' routes). */
  http?: boolean;
  /** The address the HTTP server listens on; default every interface ('0.0.0.0'). The web demo: '127.0.0.1'. */
  httpHost?: string;
  settings?: Partial<PipelineSettings>;
  /** Propose with the offline recommender even when a Claude key is set (the terminal demo). */
  offlineOnly?: boolean;
  /**
   * Keep history (src/core/history.ts): open the store and run the feed and retention. Default true;
   * `higgsbot generate` (one generation, no conversation) does without.
   */
  history?: boolean;
  /**
   * Which configured platforms to start in roles all and bot (`start`: all of them; `chat`: the terminal).
   * Publishers are made for every configured platform regardless: a worker posts whatever it runs.
   */
  startPlatforms?: 'all' | readonly string[];
}

export interface App {
  pipeline: Pipeline;
  provider: GenerationProvider;
  store: MediaStore;
  httpUrl?: string;
  /** The conversation use cases; present in processes that talk to people (roles all and bot). */
  assistant?: Assistant;
  /** The configured platforms, started or not. */
  platforms: PlatformAdapter[];
  /** The history store, when kept. */
  history?: HistoryStore;
  closers: Closer[];
}

export function createHiggsfieldClient(config: Config, logger: Logger): HiggsfieldClient {
  const credentials = config.higgsfield.credentials;
  if (!credentials) throw new Error('Higgsfield credentials are required (loadConfig with require: higgsfield)');
  return new HiggsfieldClient({ baseUrl: config.higgsfield.baseUrl, credentials, logger });
}

/** Every configured platform's adapter, in the order of the platform list. */
export async function createPlatforms(config: Config, deps: PlatformDeps): Promise<PlatformAdapter[]> {
  const out: PlatformAdapter[] = [];
  for (const entry of PLATFORMS) {
    const settings = config.platforms[entry.id];
    if (settings === undefined) continue;
    const create = (await entry.load()) as (settings: unknown, d: typeof deps) => PlatformAdapter;
    out.push(create(settings, deps));
  }
  return out;
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger, role } = options;
  const provider = createHiggsfieldProvider(createHiggsfieldClient(config, logger));
  const store = createMediaStore(config.media);
  const pipeline = createPipeline({
    redisUrl: config.redisUrl,
    provider,
    logger,
    settings: {
      prefix: config.queue.prefix,
      maxActivePerUser: config.queue.maxActivePerUser,
      trackConcurrency: config.queue.workerConcurrency,
      ...options.settings,
    },
  });
  await pipeline.ready();
  const closers: Closer[] = [];
  const platforms = await createPlatforms(config, {
    store,
    logger,
    console: options.console,
    runtime: { redisUrl: config.redisUrl, keyPrefix: pipeline.settings.prefix, role },
  });
  const app: App = { pipeline, provider, store, platforms, closers };
  const publishers = new Map<string, Publisher>(platforms.map((p) => [p.id, p.publisher]));
  if (options.history !== false) {
    const history = await keepHistory(options, pipeline, store);
    app.history = history.store;
    closers.push(...history.closers);
  }

  let backlog: ResponseBacklog | undefined;
  if (options.http) {
    const server = await serveHttp(options, pipeline, store, platforms);
    app.httpUrl = server.url;
    backlog = server.backlog;
    closers.push(...server.closers);
  }

  // Status messages are shown by whichever process hears an event first (bot or worker): the board on
  // Redis gives one process at a time the turn, so each message is posted once and edited in order.
  if ([...publishers.values()].some((p) => p.showStatus)) {
    const boardRedis = watchRedis(createRedis(config.redisUrl, 'worker'), logger, 'status-board');
    const stopStatus = await startStatusMessages({
      bus: pipeline.bus,
      board: createRedisStatusBoard(boardRedis, pipeline.settings.prefix),
      publishers,
      logger: logger.child({ module: 'status' }),
    });
    closers.unshift({ name: 'status-messages', close: stopStatus });
    closers.push({ name: 'status-board-redis', close: () => void boardRedis.disconnect() });
  }

  if (role === 'all' || role === 'bot') {
    const wired = createAssistant({
      config,
      provider,
      pipeline,
      logger,
      media: store,
      ...(app.history ? { history: app.history } : {}),
      ...(options.offlineOnly ? { offlineOnly: true } : {}),
    });
    app.assistant = wired.assistant;
    closers.push(...wired.closers);
    const publicUrl = config.media.signedLinks?.publicUrl ?? app.httpUrl;
    const services: PlatformServices = {
      assistant: wired.assistant,
      async searchStyles(query, limit) {
        const catalog = await wired.catalogs.get();
        return query.trim() ? catalog.search('style', query, limit) : catalog.styles.slice(0, limit);
      },
      async catalog() {
        const catalog = await wired.catalogs.get();
        return { styles: [...catalog.styles], motions: [...catalog.motions] };
      },
      ...(app.history ? { history: app.history } : {}),
      ...(publicUrl ? { publicUrl, linkOrigins: linkOrigins(config.media, publicUrl) } : {}),
      rehost: (image) => rehostImage(image, (checked) => provider.upload(checked)),
      progress: pipeline.bus,
      afterAcks: () => backlog?.drained(ACK_PRIORITY_MAX_WAIT_MS) ?? Promise.resolve(),
      logger,
    };
    const wanted = options.startPlatforms ?? [];
    for (const platform of platforms) {
      if (wanted !== 'all' && !wanted.includes(platform.id)) continue;
      await platform.start(services);
      closers.unshift({ name: platform.id, close: () => platform.stop() });
    }
  }
  if (role === 'all' || role === 'worker') {
    const maxBytes = pipeline.settings.maxMediaBytes;
    const workers = pipeline.startWorkers({
      publishers,
      store,
      download: (input) => downloadToStore({ ...input, store, maxBytes }),
      ...(config.higgsfield.webhook ? { webhookUrl: config.higgsfield.webhook.url } : {}),
    });
    await workers.ready();
  }
  closers.push({ name: 'pipeline', close: () => pipeline.close() });
  return app;
}

/**
 * History: the store (PostgreSQL at DATABASE_URL, else PGlite in DATA_DIR), the feed that writes the progress
 * and turn streams into it (every process: one consumer group shares the work), and retention (worker roles).
 * What is appended while it is closed (a worker's last events at shutdown) waits in Redis for the next feed.
 */
async function keepHistory(
  options: AppOptions,
  pipeline: Pipeline,
  media: MediaStore,
): Promise<{ store: HistoryStore; closers: Closer[] }> {
  const { config, logger, role } = options;
  const store = await openHistoryStore(config.history, logger, { role: role === 'all' ? 'single' : 'shared' });
  const closers: Closer[] = [];
  const feedRedis = watchRedis(createRedis(config.redisUrl, 'worker'), logger, 'history-feed');
  const feed = await startHistoryFeed({ redis: feedRedis, prefix: pipeline.settings.prefix, store, logger });
  closers.push({ name: 'history-feed', close: () => feed.stop() });
  if (role === 'all' || role === 'worker') {
    const connections: Redis[] = [];
    const retention = await startHistoryRetention({
      connection: () => {
        const redis = watchRedis(createRedis(config.redisUrl, 'worker'), logger, 'history-retention');
        connections.push(redis);
        return redis;
      },
      prefix: pipeline.settings.prefix,
      history: store,
      media,
      retentionDays: config.history.retentionDays,
      logger,
    });
    closers.push({
      name: 'history-retention',
      close: async () => {
        await retention.stop();
        for (const redis of connections) redis.disconnect();
      },
    });
  }
  closers.push({ name: 'history-store', close: () => store.close() });
  return { store, closers };
}

/** The HTTP server: health and readiness, the Higgsfield webhook, signed media links, the platforms' routes. */
async function serveHttp(
  options: AppOptions,
  pipeline: Pipeline,
  store: ServableMediaStore,
  platforms: readonly PlatformAdapter[],
): Promise<{ url: string; backlog: ResponseBacklog; closers: Closer[] }> {
  const { config, logger } = options;
  const closers: Closer[] = [];
  const routes: Route[] = platforms.flatMap((p) => p.routes);
  const webhook = config.higgsfield.webhook;
  if (webhook) {
    const hookRedis = watchRedis(createRedis(config.redisUrl, 'worker'), logger, 'webhook');
    routes.push({
      method: 'POST',
      path: WEBHOOK_PATH,
      handler: createHiggsfieldWebhookHandler({
        verifier: createWebhookVerifier({ secrets: [webhook.secret] }),
        redis: hookRedis,
        keyPrefix: pipeline.settings.prefix,
        onStatus: (status) => pipeline.service.onWebhookStatus(status),
        logger,
      }),
    });
    closers.push({ name: 'webhook-redis', close: () => void hookRedis.disconnect() });
  }
  if (config.media.signedLinks) {
    // Links to results through this port (media-links.ts): any role can serve them.
    routes.push(...createMediaRoutes({ store, secret: config.media.signedLinks.secret, logger }));
  }
  const server = await startHttpServer({
    port: config.httpPort,
    ...(options.httpHost ? { host: options.httpHost } : {}),
    logger,
    routes,
    readiness: async () => {
      try {
        return { ok: true, detail: { redisMs: await pingRedis(config.redisUrl, 1_000) } };
      } catch {
        return { ok: false, detail: { redis: 'unreachable' } };
      }
    },
  });
  closers.unshift({ name: 'http', close: () => server.close() });
  return { url: server.url, backlog: server.backlog, closers };
}

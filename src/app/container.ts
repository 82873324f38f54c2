/**
 * The composition root: the only place that constructs implementations. Given the config and the roles a
 * process plays, it wires the Higgsfield client, media store, generation pipeline, publishers, workers and
 * HTTP routes, and hands back what to close, in order.
 */
import type { Writable } from 'node:stream';
import type { DiscordBot } from '../adapters/discord/discord-bot.js';
import { SLACK_EVENTS_PATH } from '../adapters/slack/slack-app.js';
import { createTerminalPublisher } from '../adapters/terminal/terminal-publisher.js';
import type { Config } from '../config.js';
import type { Assistant } from '../core/assistant.js';
import type { MediaStore, Publisher } from '../core/ports.js';
import { HiggsfieldClient } from '../higgsfield/client.js';
import { type Route, type RouteHandler, sendJson, startHttpServer } from '../http/http-server.js';
import { createMediaRoutes } from '../http/media-route.js';
import type { ResponseBacklog } from '../http/response-backlog.js';
import { createHiggsfieldWebhookHandler, WEBHOOK_PATH } from '../http/webhook-route.js';
import { createWebhookVerifier } from '../http/webhook-verifier.js';
import type { Logger } from '../log.js';
import { createMediaStore } from '../media/create-media-store.js';
import { downloadToStore } from '../media/download.js';
import { createPipeline, type Pipeline } from '../queue/create-pipeline.js';
import type { PipelineSettings } from '../queue/pipeline-settings.js';
import { createRedis, pingRedis, watchRedis } from '../queue/redis.js';
import type { Closer } from '../shutdown.js';
import { connectPlatforms, platformPublishers } from './connect-platforms.js';
import { createAssistant } from './create-assistant.js';
import { startStatusRelay } from './status-relay.js';

export type Role = 'all' | 'bot' | 'worker';

export interface AppOptions {
  config: Config;
  logger: Logger;
  role: Role;
  /** Where terminal results are printed (the CLI's stdout; a worker's stdout otherwise). */
  terminalOut: Writable;
  /** Start the HTTP server (health, webhook route). */
  http?: boolean;
  settings?: Partial<PipelineSettings>;
  /** Propose with the offline recommender even when a Claude key is set (the terminal demo). */
  offlineOnly?: boolean;
  /** Connect the configured chat platforms (Discord gateway) in roles all and bot; `start` does, `chat` does not. */
  connectPlatforms?: boolean;
}

export interface App {
  pipeline: Pipeline;
  client: HiggsfieldClient;
  store: MediaStore;
  httpUrl?: string;
  /** The conversation use cases; present in processes that talk to people (roles all and bot). */
  assistant?: Assistant;
  /** The Discord gateway connection, when Discord is configured and platforms are connected. */
  discord?: DiscordBot;
  closers: Closer[];
}

export function createHiggsfieldClient(config: Config, logger: Logger): HiggsfieldClient {
  const credentials = config.higgsfield.credentials;
  if (!credentials) throw new Error('Higgsfield credentials are required (loadConfig with require: higgsfield)');
  return new HiggsfieldClient({ baseUrl: config.higgsfield.baseUrl, credentials, logger });
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger, role } = options;
  const client = createHiggsfieldClient(config, logger);
  const store = createMediaStore(config.media);
  const pipeline = createPipeline({
    redisUrl: config.redisUrl,
    client,
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
  const app: App = { pipeline, client, store, closers };

  let slackListener: RouteHandler | undefined;
  let backlog: ResponseBacklog | undefined;
  if (options.http) {
    const routes: Route[] = [];
    if (config.slack && !config.slack.appToken) {
      // Slack in HTTP mode: Bolt's receiver, once it is connected below; until then Slack is asked to retry.
      routes.push({
        method: 'POST',
        path: SLACK_EVENTS_PATH,
        handler: (req, res) => (slackListener ? slackListener(req, res) : sendJson(res, 503, { error: 'starting' })),
      });
    }
    const webhook = config.higgsfield.webhook;
    const hookRedis = webhook ? watchRedis(createRedis(config.redisUrl, 'worker'), logger, 'webhook') : undefined;
    if (webhook && hookRedis) {
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
    }
    if (config.media.signedLinks) {
      // Links to results through this port (media-links.ts): any role can serve them.
      routes.push(...createMediaRoutes({ store, secret: config.media.signedLinks.secret, logger }));
    }
    const server = await startHttpServer({
      port: config.httpPort,
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
    app.httpUrl = server.url;
    backlog = server.backlog;
    closers.push({ name: 'http', close: () => server.close() });
    if (hookRedis) closers.push({ name: 'webhook-redis', close: () => void hookRedis.disconnect() });
  }

  const publishers = new Map<string, Publisher>([['terminal', createTerminalPublisher(options.terminalOut)]]);
  for (const [platform, publisher] of platformPublishers(config, store, logger)) publishers.set(platform, publisher);
  if (role === 'all' || role === 'bot') {
    const wired = createAssistant({
      config,
      client,
      pipeline,
      logger,
      ...(options.offlineOnly ? { offlineOnly: true } : {}),
    });
    app.assistant = wired.assistant;
    closers.push(...wired.closers);
    if (options.connectPlatforms) {
      const platforms = await connectPlatforms({
        config,
        assistant: wired.assistant,
        catalogs: wired.catalogs,
        client,
        logger,
        ...(backlog ? { backlog } : {}),
      });
      if (platforms.discord) app.discord = platforms.discord;
      slackListener = platforms.slackListener;
      closers.unshift(...platforms.closers);
    }
    const stopRelay = await startStatusRelay({
      bus: pipeline.bus,
      publishers,
      logger,
      statusMessageOf: (id) => pipeline.statusMessageOf(id),
    });
    closers.unshift({ name: 'status-relay', close: stopRelay });
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

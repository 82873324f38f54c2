/**
 * The web platform: the seeds' HTTP APIs (seed B's /chats, seed A's /v1) and each chat's event stream, on
 * the bot's HTTP port, for people without Discord or Slack. Its chats are history conversations; a generation
 * started here is delivered by the web publisher into the chat's event stream (results stay in the media
 * store), exactly once per delivery like every platform. In a worker process it only publishes.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  HealthCheck,
  PlatformAdapter,
  PlatformDeps,
  PlatformFactory,
  PlatformServices,
} from '../../core/platform.js';
import { sendJson } from '../../http/http-server.js';
import { createRedis, watchRedis } from '../../queue/redis.js';
import { createRedisWebEventLog } from './redis-web-event-log.js';
import type { WebConfig } from './web-config.js';
import { WEB_PLATFORM, type WebContext } from './web-context.js';
import { locateWebUi } from './web-page.js';
import { createWebPublisher } from './web-publisher.js';
import { WEB_ROUTES } from './web-routes.js';
import { buildWebServer, type WebServer } from './web-server.js';

export const createWebPlatform: PlatformFactory<WebConfig> = (config, deps) => {
  const runtime = deps.runtime;
  if (!runtime) throw new Error('the web platform needs the runtime settings (Redis URL, key prefix)');
  const logger = deps.logger.child({ platform: WEB_PLATFORM });
  // Connects on first use: `higgsbot doctor` builds every adapter and must not hold a connection open.
  const redis = watchRedis(createRedis(runtime.redisUrl, 'worker', { lazyConnect: true }), logger, 'web');
  const events = createRedisWebEventLog({
    redis,
    reader: () => watchRedis(createRedis(runtime.redisUrl, 'worker'), logger, 'web-events'),
    prefix: runtime.keyPrefix,
    logger,
  });
  const publisher = createWebPublisher({ events });
  let server: WebServer | undefined;
  let stopped = false;

  const adapter: PlatformAdapter = {
    id: WEB_PLATFORM,
    publisher,
    commands: [],
    // A worker publishes only; the API is served by processes that take requests.
    routes:
      runtime.role === 'worker'
        ? []
        : [
            {
              method: '*',
              path: '/',
              prefix: true,
              handler: (req, res) => {
                if (server && !stopped) server.routing(req, res);
                else sendJson(res, 503, { detail: 'The web API is starting or stopping; try again in a moment.' });
              },
            },
          ],
    async start(services: PlatformServices) {
      server = await buildWebServer(contextOf(config, deps, services, { redis, events }), WEB_ROUTES);
      logger.info({ cors: config.corsOrigins, rateLimitPerMinute: config.rateLimitPerMinute }, 'web API serving');
    },
    async stop() {
      stopped = true;
      await server?.close();
      await events.close();
      redis.disconnect();
    },
    async check(): Promise<HealthCheck[]> {
      const ui = config.uiDir ?? locateWebUi();
      const built = ui !== undefined && existsSync(join(ui, 'index.html'));
      return [
        {
          name: 'Web',
          status: 'ok',
          detail: `API on HTTP_PORT (/openapi.json, /docs); ${config.rateLimitPerMinute} requests a minute per key; CORS ${
            config.corsOrigins.length ? config.corsOrigins.join(', ') : 'same origin only'
          }${config.anonymousUser ? `; keyless requests act as ${config.anonymousUser}` : ''}; ${
            built ? `the web chat at / from ${ui}` : 'the web chat is not built (npm run build)'
          }`,
        },
      ];
    },
  };
  return adapter;
};

function contextOf(
  config: WebConfig,
  deps: PlatformDeps,
  services: PlatformServices,
  own: Pick<WebContext, 'redis' | 'events'>,
): WebContext {
  const { history, catalog, publicUrl, linkOrigins } = services;
  if (!history?.chats || !history.apiKeys)
    throw new Error('the web platform needs the history store (chats, API keys)');
  if (!catalog || !publicUrl) throw new Error('the web platform needs the catalog and the HTTP server’s public URL');
  return {
    config,
    assistant: services.assistant,
    history,
    chats: history.chats,
    keys: history.apiKeys,
    media: deps.store,
    progress: services.progress,
    catalog,
    rehost: services.rehost,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    linkOrigins: linkOrigins ?? { media: [new URL(publicUrl).origin], uploads: [new URL(publicUrl).origin] },
    keyPrefix: deps.runtime?.keyPrefix ?? 'higgsbot',
    logger: services.logger.child({ platform: WEB_PLATFORM }),
    ...own,
  };
}

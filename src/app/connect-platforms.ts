/**
 * Wiring of the chat platforms, for the composition root: their outbound publishers (every role: a worker
 * posts results), and their inbound connections (roles all and bot, when `start` asks for them): the
 * Discord gateway, and the Slack app in Socket Mode or behind our HTTP server.
 */
import { WebClient } from '@slack/web-api';
import { ACK_PRIORITY_MAX_WAIT_MS } from '../ack-backlog.js';
import { type DiscordBot, startDiscordBot } from '../adapters/discord/discord-bot.js';
import { imageHostsFor } from '../adapters/discord/discord-context.js';
import { createDiscordPublisher, createDiscordRest } from '../adapters/discord/discord-publisher.js';
import { startSlackApp } from '../adapters/slack/slack-app.js';
import { slackClientOptions } from '../adapters/slack/slack-client.js';
import { fileHostsFor } from '../adapters/slack/slack-context.js';
import { createSlackPublisher } from '../adapters/slack/slack-publisher.js';
import type { CatalogCache } from '../agent/catalog.js';
import type { Config } from '../config.js';
import type { Assistant } from '../core/assistant.js';
import type { MediaStore, Publisher } from '../core/ports.js';
import type { HiggsfieldClient } from '../higgsfield/client.js';
import type { RouteHandler } from '../http/http-server.js';
import type { ResponseBacklog } from '../http/response-backlog.js';
import type { Logger } from '../log.js';
import { rehostImage } from '../media/rehost-image.js';
import type { Closer } from '../shutdown.js';

export function platformPublishers(config: Config, store: MediaStore, logger: Logger): Array<[string, Publisher]> {
  const out: Array<[string, Publisher]> = [];
  if (config.discord) {
    out.push(['discord', createDiscordPublisher({ rest: createDiscordRest(config.discord), store, logger })]);
  }
  if (config.slack) {
    const client = new WebClient(config.slack.botToken, slackClientOptions(config.slack.apiUrl));
    out.push(['slack', createSlackPublisher({ client, store, logger })]);
  }
  return out;
}

export interface ConnectedPlatforms {
  discord?: DiscordBot;
  /** Slack in HTTP mode: the handler of POST /slack/events. */
  slackListener?: RouteHandler;
  closers: Closer[];
}

export async function connectPlatforms(deps: {
  config: Config;
  assistant: Assistant;
  catalogs: CatalogCache;
  client: HiggsfieldClient;
  logger: Logger;
  /** The HTTP server's callers still waiting for an answer (HTTP mode Slack lets them go first). */
  backlog?: ResponseBacklog;
}): Promise<ConnectedPlatforms> {
  const { config, assistant, client, logger, backlog } = deps;
  const rehost = (request: Parameters<typeof rehostImage>[0]) =>
    rehostImage(request, (image) => client.uploadFile(image.bytes, image.contentType, { sizeBytes: image.sizeBytes }));
  const out: ConnectedPlatforms = { closers: [] };
  if (config.discord) {
    const bot = await startDiscordBot({
      token: config.discord.token,
      apiUrl: config.discord.apiUrl,
      assistant,
      logger: logger.child({ module: 'discord' }),
      rehost,
      searchStyles: async (query) => {
        const catalog = await deps.catalogs.get();
        return query.trim() ? catalog.search('style', query, 25) : catalog.styles.slice(0, 25);
      },
      imageHosts: imageHostsFor(config.discord.apiUrl),
    });
    out.discord = bot;
    out.closers.push({ name: 'discord', close: () => bot.close() });
  }
  if (config.slack) {
    const slack = await startSlackApp({
      botToken: config.slack.botToken,
      ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
      ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
      apiUrl: config.slack.apiUrl,
      assistant,
      logger: logger.child({ module: 'slack' }),
      rehost,
      fileHosts: fileHostsFor(config.slack.apiUrl),
      ...(backlog && !config.slack.appToken ? { afterAck: () => backlog.drained(ACK_PRIORITY_MAX_WAIT_MS) } : {}),
    });
    if (slack.requestListener) out.slackListener = slack.requestListener;
    out.closers.push({ name: 'slack', close: () => slack.close() });
  }
  return out;
}

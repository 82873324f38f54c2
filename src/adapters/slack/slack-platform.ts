/**
 * Slack on the platform contract (src/core/platform.ts): the publisher (Web API and the bot token, usable
 * from any process; the started app's `/show` posts with it too), the slash commands it offers, `POST /slack/events` in HTTP mode (none in Socket Mode,
 * which dials out), the Bolt app while started, and doctor's check.
 *
 * In HTTP mode the route exists from the start, because the HTTP server is up before the platforms are: it
 * answers 503 until `start` has built Bolt's receiver (slack-events-route.ts). Only HTTP mode waits for the
 * server's acknowledgement backlog (`afterAcks`): in Socket Mode acknowledgements go out on the socket.
 */
import { WebClient } from '@slack/web-api';
import type { PlatformAdapter, PlatformFactory, PlatformServices } from '../../core/platform.js';
import { type SlackApp, startSlackApp } from './slack-app.js';
import { slackClientOptions } from './slack-client.js';
import { SLACK_COMMANDS } from './slack-commands.js';
import type { SlackConfig } from './slack-config.js';
import { fileHostsFor } from './slack-context.js';
import { checkSlack } from './slack-doctor.js';
import { slackEventsRoute } from './slack-events-route.js';
import { createSlackPublisher } from './slack-publisher.js';

export const createSlackPlatform: PlatformFactory<SlackConfig> = (config, deps): PlatformAdapter => {
  const httpMode = !config.appToken;
  const events = slackEventsRoute();
  let app: SlackApp | undefined;
  const publisher = createSlackPublisher({
    client: new WebClient(config.botToken, slackClientOptions(config.apiUrl)),
    store: deps.store,
    logger: deps.logger,
  });

  return {
    id: 'slack',
    publisher,
    routes: httpMode ? [events.route] : [],
    commands: SLACK_COMMANDS,

    async start(services: PlatformServices) {
      app = await startSlackApp({
        botToken: config.botToken,
        ...(config.signingSecret ? { signingSecret: config.signingSecret } : {}),
        ...(config.appToken ? { appToken: config.appToken } : {}),
        apiUrl: config.apiUrl,
        assistant: services.assistant,
        publisher,
        logger: services.logger.child({ module: 'slack' }),
        rehost: (image) => services.rehost(image),
        fileHosts: fileHostsFor(config.apiUrl),
        ...(httpMode ? { afterAck: () => services.afterAcks() } : {}),
      });
      events.bind(app.requestListener);
    },

    async stop() {
      events.bind(undefined);
      const running = app;
      app = undefined;
      await running?.close();
    },

    check: () => checkSlack(config),
  };
};

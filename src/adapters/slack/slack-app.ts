/**
 * The Slack app on Bolt, in either mode: Socket Mode when an app token is set, otherwise the Events API over
 * HTTP, where Bolt's receiver (signature and timestamp checks included) is mounted on our own HTTP server at
 * `/slack/events` rather than opening a port of its own, behind our own checks (slack-request-guard.ts:
 * timestamps from the future, content types Slack never sends). `SLACK_API_URL` sets the Web API base.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { PlatformLogger } from '../../core/platform.js';
import { slackClientOptions } from './slack-client.js';
import type { SlackHandlerDeps } from './slack-context.js';
import { registerSlackHandlers } from './slack-handlers.js';
import { guardSlackRequests } from './slack-request-guard.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions extends SlackHandlerDeps {
  signingSecret?: string;
  appToken?: string;
  apiUrl: string;
}

export interface SlackApp {
  /** HTTP mode: hand requests for /slack/events to this. */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

function boltLogger(logger: PlatformLogger) {
  return {
    debug: (...msg: unknown[]) => logger.debug({ bolt: msg }, 'bolt'),
    info: (...msg: unknown[]) => logger.debug({ bolt: msg }, 'bolt'),
    warn: (...msg: unknown[]) => logger.warn({ bolt: msg }, 'bolt'),
    error: (...msg: unknown[]) => logger.error({ bolt: msg }, 'bolt'),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

export async function startSlackApp(options: SlackAppOptions): Promise<SlackApp> {
  const common = {
    token: options.botToken,
    logger: boltLogger(options.logger),
    clientOptions: slackClientOptions(options.apiUrl),
    deferInitialization: true,
  };
  if (options.appToken) {
    // The connection (apps.connections.open) gets a client of its own: SLACK_API_URL, but socket-mode's
    // patient reconnect retries rather than the short policy our Web API calls use.
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger: common.logger,
      installerOptions: { clientOptions: { slackApiUrl: options.apiUrl } },
    });
    const app = new App({ ...common, receiver });
    await app.init();
    const auth = await app.client.auth.test();
    registerSlackHandlers(app, { ...options }, () => auth.user_id);
    await app.start();
    return { close: () => app.stop() as Promise<void> };
  }
  if (!options.signingSecret)
    throw new Error('Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)');
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger: common.logger,
  });
  const app = new App({ ...common, receiver });
  await app.init();
  const auth = await app.client.auth.test();
  registerSlackHandlers(app, { ...options }, () => auth.user_id);
  const requestListener = guardSlackRequests(receiver.requestListener, (refusal) =>
    options.logger.warn({ refusal: refusal.reason }, 'refused a Slack request before verifying it'),
  );
  return { requestListener, close: async () => {} };
}

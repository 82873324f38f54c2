/**
 * What `higgsbot doctor` says about Slack: whether the bot token is usable (auth.test, one try, 5 s), in
 * which workspace and as whom, and the mode it runs in. The HTTP port is not Slack's configuration, so HTTP
 * mode names its route rather than the port.
 */
import { WebClient } from '@slack/web-api';
import type { HealthCheck } from '../../core/platform.js';
import { SLACK_EVENTS_PATH } from './slack-app.js';
import type { SlackConfig } from './slack-config.js';

const NAME = 'Slack';
const TIMEOUT_MS = 5_000;
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function checkSlack(config: SlackConfig): Promise<HealthCheck[]> {
  const client = new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    timeout: TIMEOUT_MS,
    retryConfig: { retries: 0 },
  });
  try {
    const auth = await client.auth.test();
    const mode = config.appToken ? 'Socket Mode' : `HTTP mode (Events API at ${SLACK_EVENTS_PATH})`;
    return [
      {
        name: NAME,
        status: 'ok',
        detail: `authorized in ${auth.team ?? 'the workspace'} as ${auth.user ?? 'the bot'}; ${mode}`,
      },
    ];
  } catch (error) {
    return [{ name: NAME, status: 'fail', detail: `token not usable: ${reason(error)}` }];
  }
}

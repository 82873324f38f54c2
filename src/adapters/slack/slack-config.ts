/**
 * Slack's block of configuration: the bot token, and either an app-level token (Socket Mode) or the signing
 * secret (the Events API over HTTP, on the bot's port), and the Web API base URL (the tests' double).
 */
import { z } from 'zod';
import { type ConfigBlock, httpUrl, opt, text } from '../../config/config-block.js';

export interface SlackConfig {
  botToken: string;
  /** HTTP mode: requests to /slack/events are verified with it. */
  signingSecret?: string;
  /** Socket Mode. */
  appToken?: string;
  apiUrl: string;
}

export const slackConfig: ConfigBlock<SlackConfig> = {
  variables: {
    SLACK_BOT_TOKEN: {
      schema: opt(z.string().startsWith('xoxb-', 'does not start with xoxb-')),
      expected: 'a bot token starting with xoxb-',
    },
    SLACK_SIGNING_SECRET: {
      schema: opt(z.string()),
      expected: 'the app’s signing secret (needed in HTTP mode, i.e. without SLACK_APP_TOKEN)',
    },
    SLACK_APP_TOKEN: {
      schema: opt(z.string().startsWith('xapp-', 'does not start with xapp-')),
      expected: 'an app-level token starting with xapp- (enables Socket Mode)',
    },
    SLACK_API_URL: {
      schema: opt(httpUrl).default('https://slack.com/api/'),
      expected: 'an http(s) URL ending in /api/, default https://slack.com/api/',
    },
  },
  missing(has) {
    const out: string[] = [];
    if (has('SLACK_BOT_TOKEN') && !has('SLACK_APP_TOKEN') && !has('SLACK_SIGNING_SECRET'))
      out.push('SLACK_SIGNING_SECRET');
    if ((has('SLACK_APP_TOKEN') || has('SLACK_SIGNING_SECRET')) && !has('SLACK_BOT_TOKEN')) out.push('SLACK_BOT_TOKEN');
    return out;
  },
  build(env) {
    const botToken = text(env, 'SLACK_BOT_TOKEN');
    if (!botToken) return undefined;
    const signingSecret = text(env, 'SLACK_SIGNING_SECRET');
    const appToken = text(env, 'SLACK_APP_TOKEN');
    return {
      botToken,
      apiUrl: text(env, 'SLACK_API_URL') ?? '',
      ...(signingSecret ? { signingSecret } : {}),
      ...(appToken ? { appToken } : {}),
    };
  },
};

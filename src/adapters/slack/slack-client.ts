/**
 * How every Slack Web API client of ours talks to Slack: the configured base URL, and a short retry policy.
 * The SDK's default keeps retrying a failing call for about 30 minutes, which would hold a worker (and the
 * person waiting) that long; after a few quick tries the job's own retries and messages take over.
 * Rate limits are still waited out as Slack's Retry-After asks.
 */
import type { WebClientOptions } from '@slack/web-api';

export function slackClientOptions(apiUrl: string): WebClientOptions {
  return {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 4_000, randomize: true },
  };
}

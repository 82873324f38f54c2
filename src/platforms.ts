/**
 * The platform list: every chat platform Higgsbot can run, each an entry naming its block of configuration
 * and its factory (the platform contract, src/core/platform.ts). Adding a platform is its folder under
 * src/adapters/ and one entry here; config, the composition root, doctor and the help text loop over this
 * list. Factories are loaded only when their platform is configured, so a command that needs no platform
 * never loads an SDK.
 */
import { type DiscordConfig, discordConfig } from './adapters/discord/discord-config.js';
import { type SlackConfig, slackConfig } from './adapters/slack/slack-config.js';
import { type TerminalConfig, terminalConfig } from './adapters/terminal/terminal-config.js';
import { type WebConfig, webConfig } from './adapters/web/web-config.js';
import type { ConfigBlock } from './config/config-block.js';
import type { PlatformFactory } from './core/platform.js';

export interface PlatformEntry<Id extends string, C> {
  id: Id;
  config: ConfigBlock<C>;
  load(): Promise<PlatformFactory<C>>;
  /** What doctor says when it is not configured: how to turn it on. */
  unconfigured: string;
}

const entry = <const Id extends string, C>(e: PlatformEntry<Id, C>) => e;

export const PLATFORMS = [
  entry<'discord', DiscordConfig>({
    id: 'discord',
    config: discordConfig,
    load: async () => (await import('./adapters/discord/discord-platform.js')).createDiscordPlatform,
    unconfigured: 'not configured (DISCORD_TOKEN, DISCORD_APPLICATION_ID)',
  }),
  entry<'slack', SlackConfig>({
    id: 'slack',
    config: slackConfig,
    load: async () => (await import('./adapters/slack/slack-platform.js')).createSlackPlatform,
    unconfigured: 'not configured (SLACK_BOT_TOKEN and a signing secret or app token)',
  }),
  entry<'web', WebConfig>({
    id: 'web',
    config: webConfig,
    load: async () => (await import('./adapters/web/web-platform.js')).createWebPlatform,
    unconfigured: 'not enabled (WEB_ENABLED=true serves the web API on HTTP_PORT)',
  }),
  entry<'terminal', TerminalConfig>({
    id: 'terminal',
    config: terminalConfig,
    load: async () => (await import('./adapters/terminal/terminal-platform.js')).createTerminalPlatform,
    unconfigured: 'always available',
  }),
] as const;

type Entries = (typeof PLATFORMS)[number];

/** Each platform's settings, present when it is configured. */
export type PlatformConfigs = {
  [E in Entries as E['id']]?: E extends PlatformEntry<string, infer C> ? C : never;
};

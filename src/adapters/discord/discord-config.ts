/**
 * Discord's block of configuration: the bot token and application id (always together), a guild to register
 * commands to instantly, and the REST base URL (the tests point it at the local double).
 */
import { z } from 'zod';
import { type ConfigBlock, httpUrl, opt, text } from '../../config/config-block.js';

export interface DiscordConfig {
  token: string;
  applicationId: string;
  guildId?: string;
  apiUrl: string;
}

const snowflake = z.string().regex(/^\d{17,20}$/, 'is not a numeric Discord id');

export const discordConfig: ConfigBlock<DiscordConfig> = {
  variables: {
    DISCORD_TOKEN: { schema: opt(z.string()), expected: 'the bot token from the Discord developer portal' },
    DISCORD_APPLICATION_ID: {
      schema: opt(snowflake),
      expected: 'the application id (a numeric snowflake), set together with DISCORD_TOKEN',
    },
    DISCORD_GUILD_ID: {
      schema: opt(snowflake),
      expected: 'a guild id (numeric snowflake) to register commands to instantly, or unset for global',
    },
    DISCORD_API_URL: {
      schema: opt(httpUrl).default('https://discord.com/api'),
      expected: 'an http(s) URL, default https://discord.com/api',
    },
  },
  missing: (has) => (has('DISCORD_TOKEN') && !has('DISCORD_APPLICATION_ID') ? ['DISCORD_APPLICATION_ID'] : []),
  build(env) {
    const token = text(env, 'DISCORD_TOKEN');
    const applicationId = text(env, 'DISCORD_APPLICATION_ID');
    if (!token || !applicationId) return undefined;
    const guildId = text(env, 'DISCORD_GUILD_ID');
    return { token, applicationId, apiUrl: text(env, 'DISCORD_API_URL') ?? '', ...(guildId ? { guildId } : {}) };
  },
};

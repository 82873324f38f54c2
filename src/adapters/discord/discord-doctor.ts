/**
 * What `higgsbot doctor` says about Discord once it is configured (the platform list says how to configure
 * it otherwise): whether the bot token works, proved by the cheapest authenticated call there is, `GET
 * /users/@me`, with no retries and a short timeout, so a dead token or an unreachable API answers at once.
 */
import { REST, Routes } from 'discord.js';
import type { HealthCheck } from '../../core/platform.js';
import type { DiscordConfig } from './discord-config.js';
import { discordRestOptions } from './discord-http.js';

const TIMEOUT_MS = 5_000;

export async function checkDiscord(config: DiscordConfig): Promise<HealthCheck[]> {
  const name = 'Discord';
  const rest = new REST({ ...discordRestOptions(config.apiUrl), timeout: TIMEOUT_MS, retries: 0 });
  rest.setToken(config.token);
  try {
    const user = (await rest.get(Routes.user())) as { username?: string; id?: string };
    return [{ name, status: 'ok', detail: `logged in as ${user.username ?? user.id ?? 'the bot'}` }];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ name, status: 'fail', detail: `token not usable: ${reason}` }];
  }
}

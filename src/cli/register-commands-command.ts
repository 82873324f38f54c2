/**
 * `higgsbot register-commands [--dry-run]`: replaces the bot's Discord slash commands with commands/ in one
 * bulk-overwrite PUT, to DISCORD_GUILD_ID when set (instant, that guild only) or else globally. Discord's
 * refusals are reported with its code and message; --dry-run prints the JSON and sends nothing.
 */
import { parseArgs } from 'node:util';
import type { RESTPutAPIApplicationCommandsResult } from 'discord.js';
import { commands } from '../../commands/index.js';
import { toDiscordCommands } from '../adapters/discord/command-payloads.js';
import { loadConfig } from '../config.js';
import { BadInputError } from '../errors.js';
import { type CliIo, ExitCode, line } from './io.js';

const NOT_CONFIGURED =
  'Discord is not configured: set DISCORD_TOKEN (the bot token from the Discord developer portal) and ' +
  'DISCORD_APPLICATION_ID (the application id, a numeric snowflake). Set DISCORD_GUILD_ID as well to register ' +
  'to one guild instantly instead of globally.';

const TIMEOUT_MS = 15_000;

export async function registerCommandsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false } } });
  const config = loadConfig(io.env);
  const body = toDiscordCommands(commands);
  const guildId = config.discord?.guildId;
  const where = guildId ? `to guild ${guildId}` : 'globally';

  if (values['dry-run']) {
    line(io.stdout, JSON.stringify(body, null, 2));
    const note = config.discord ? '' : ' (DISCORD_TOKEN and DISCORD_APPLICATION_ID are needed for a real run)';
    line(io.stderr, `Dry run: would register ${body.length} commands ${where}; nothing was sent to Discord${note}.`);
    return ExitCode.Ok;
  }
  if (!config.discord) throw new BadInputError(NOT_CONFIGURED);

  const { token, applicationId, apiUrl } = config.discord;
  const { REST, Routes, DiscordAPIError, HTTPError } = await import('discord.js');
  const { discordRestOptions } = await import('../adapters/discord/discord-http.js');
  const rest = new REST({ ...discordRestOptions(apiUrl), timeout: TIMEOUT_MS }).setToken(token);
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  let registered: RESTPutAPIApplicationCommandsResult;
  try {
    registered = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
  } catch (error) {
    if (error instanceof DiscordAPIError) {
      line(io.stderr, `Discord refused the commands (HTTP ${error.status}, code ${error.code}): ${error.message}`);
      const hint = hintFor(error.status, error.code, guildId);
      if (hint) line(io.stderr, hint);
    } else if (error instanceof HTTPError) {
      line(io.stderr, `Discord answered HTTP ${error.status} (${error.message}); nothing was registered.`);
    } else {
      const reason = error instanceof Error ? error.message : String(error);
      line(io.stderr, `Could not reach Discord at ${apiUrl}: ${reason}`);
    }
    return ExitCode.Error;
  }

  const suffix = guildId ? ' (instant)' : '';
  line(io.stdout, `Registered ${registered.length} slash commands ${where}${suffix}:`);
  for (const command of registered) line(io.stdout, `  /${command.name} — ${command.description}`);
  if (guildId) line(io.stdout, 'Guild commands are not offered in DMs; unset DISCORD_GUILD_ID to register globally.');
  return ExitCode.Ok;
}

/** What the operator can do about the refusals a misconfiguration causes. */
function hintFor(status: number, code: number | string, guildId: string | undefined): string | undefined {
  if (status === 401) return 'Check DISCORD_TOKEN: Discord did not accept it as a bot token.';
  if (code === 10004 && guildId) return `Check DISCORD_GUILD_ID: Discord knows no guild ${guildId}.`;
  if (code === 50001) {
    return guildId
      ? `Check that the bot was invited to guild ${guildId} with the applications.commands scope, and that DISCORD_APPLICATION_ID belongs to DISCORD_TOKEN.`
      : 'Check that DISCORD_APPLICATION_ID is the application id that belongs to DISCORD_TOKEN.';
  }
  return undefined;
}

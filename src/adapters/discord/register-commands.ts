/**
 * Registering Discord's slash commands: the adapter's commands (discord-command-list.ts) replace the bot's
 * in one bulk-overwrite PUT, to the configured guild when there is one (instant, that guild only) or else
 * globally. Discord's refusals are reported with its code and message, and with what the operator can check;
 * a dry run prints the JSON and sends nothing. What it says goes through `output`: the CLI's streams.
 */
import { DiscordAPIError, HTTPError, REST, type RESTPutAPIApplicationCommandsResult, Routes } from 'discord.js';
import { BadInputError } from '../../errors.js';
import { toDiscordCommands } from './command-payloads.js';
import { DISCORD_COMMANDS } from './discord-command-list.js';
import type { DiscordConfig } from './discord-config.js';
import { discordRestOptions } from './discord-http.js';

const NOT_CONFIGURED =
  'Discord is not configured: set DISCORD_TOKEN (the bot token from the Discord developer portal) and ' +
  'DISCORD_APPLICATION_ID (the application id, a numeric snowflake). Set DISCORD_GUILD_ID as well to register ' +
  'to one guild instantly instead of globally.';

const TIMEOUT_MS = 15_000;

export interface RegisterOutput {
  /** The result: the JSON of a dry run, or the commands registered. */
  out(text: string): void;
  /** Notes and refusals. */
  err(text: string): void;
}

/**
 * Registers the commands (or, with `dryRun`, only prints them). Resolves true when that worked, false when
 * Discord refused or could not be reached (said on `output.err`). Throws BadInputError when Discord is not
 * configured and this is no dry run.
 */
export async function registerDiscordCommands(
  config: DiscordConfig | undefined,
  options: { dryRun: boolean },
  output: RegisterOutput,
): Promise<boolean> {
  const body = toDiscordCommands(DISCORD_COMMANDS);
  const guildId = config?.guildId;
  const where = guildId ? `to guild ${guildId}` : 'globally';

  if (options.dryRun) {
    output.out(JSON.stringify(body, null, 2));
    const note = config ? '' : ' (DISCORD_TOKEN and DISCORD_APPLICATION_ID are needed for a real run)';
    output.err(`Dry run: would register ${body.length} commands ${where}; nothing was sent to Discord${note}.`);
    return true;
  }
  if (!config) throw new BadInputError(NOT_CONFIGURED);

  const { token, applicationId, apiUrl } = config;
  const rest = new REST({ ...discordRestOptions(apiUrl), timeout: TIMEOUT_MS }).setToken(token);
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  let registered: RESTPutAPIApplicationCommandsResult;
  try {
    registered = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
  } catch (error) {
    if (error instanceof DiscordAPIError) {
      output.err(`Discord refused the commands (HTTP ${error.status}, code ${error.code}): ${error.message}`);
      const hint = hintFor(error.status, error.code, guildId);
      if (hint) output.err(hint);
    } else if (error instanceof HTTPError) {
      output.err(`Discord answered HTTP ${error.status} (${error.message}); nothing was registered.`);
    } else {
      const reason = error instanceof Error ? error.message : String(error);
      output.err(`Could not reach Discord at ${apiUrl}: ${reason}`);
    }
    return false;
  }

  const suffix = guildId ? ' (instant)' : '';
  output.out(`Registered ${registered.length} slash commands ${where}${suffix}:`);
  for (const command of registered) output.out(`  /${command.name} — ${command.description}`);
  if (guildId) output.out('Guild commands are not offered in DMs; unset DISCORD_GUILD_ID to register globally.');
  return true;
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

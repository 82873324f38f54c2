/**
 * `higgsbot register-commands [--dry-run]`: replaces the bot's Discord slash commands with the Discord
 * adapter's, to DISCORD_GUILD_ID when set (instant, that guild only) or else globally. The Discord side
 * (REST, refusals and their hints) is the adapter's (src/adapters/discord/register-commands.ts), loaded only
 * when this command runs: the CLI itself never loads discord.js.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { type CliIo, ExitCode, line } from './io.js';

export async function registerCommandsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false } } });
  const config = loadConfig(io.env);
  const { registerDiscordCommands } = await import('../adapters/discord/register-commands.js');
  const ok = await registerDiscordCommands(
    config.platforms.discord,
    { dryRun: values['dry-run'] },
    { out: (text) => line(io.stdout, text), err: (text) => line(io.stderr, text) },
  );
  return ok ? ExitCode.Ok : ExitCode.Error;
}

/**
 * The slash commands Discord offers, picked from the shared definitions (commands/): one list that the
 * adapter's `commands`, `higgsbot register-commands`, the handlers' dispatch and `/help` all read, so a
 * command registered is a command answered and listed.
 */
import type { CommandDefinition } from '../../../commands/command-definition.js';
import { commandsNamed } from '../../../commands/index.js';

export const DISCORD_COMMANDS: readonly CommandDefinition[] = commandsNamed(
  'imagine',
  'video',
  'animate',
  'styles',
  'jobs',
  'history',
  'show',
  'forget',
  'help',
);

/** The definition of a command by its name, as Discord sends it; undefined for one we do not offer. */
export function discordCommand(name: string): CommandDefinition | undefined {
  return DISCORD_COMMANDS.find((c) => c.name === name);
}

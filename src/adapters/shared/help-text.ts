/**
 * The help text of a chat platform, built from the commands it offers (commands/): the same words on
 * every platform, in each one's markup. A command added to commands/ and to a platform's list shows up here.
 */
import type { CommandDefinition } from '../../../commands/command-definition.js';

export interface HelpMarkup {
  code(text: string): string;
  bold(text: string): string;
}

/** `/imagine prompt [aspect]`: required options by name, optional ones in brackets. */
export function commandUsage(command: CommandDefinition): string {
  const args = command.options.map((o) => (o.required ? o.name : `[${o.name}]`));
  return [`/${command.name}`, ...args].join(' ');
}

export function helpText(commands: readonly CommandDefinition[], markup: HelpMarkup): string {
  return [
    'Tell me what you would like to see and I will propose a few options: pick one and I generate it here.',
    ...commands.map((c) => `• ${markup.code(commandUsage(c))} — ${c.description}`),
    '• Mention me with a request (attach an image to animate it), or DM me. Reply in the thread to refine: “option 2 but vertical”, “warmer”, “now animate it”.',
    `Results come with ${markup.bold('Re-roll')} (same recipe, new seed) and ${markup.bold('Animate')} (for images).`,
  ].join('\n');
}

/**
 * The terminal chat's commands, as data: each line typed is matched against these patterns (anything else
 * is a request), and `help` prints their usage. A new command is one entry here and its action in
 * terminal-chat.ts.
 */

export interface TerminalCommand {
  action: 'help' | 'jobs' | 'choose' | 'reroll' | 'animate' | 'cancel' | 'quit';
  /** The whole line; the first group, if any, is the command's argument (a number). */
  pattern: RegExp;
  usage: string;
  description: string;
}

export const TERMINAL_COMMANDS: readonly TerminalCommand[] = [
  { action: 'choose', pattern: /^(\d{1,2})$/, usage: 'N', description: 'generate option N of the last proposal' },
  { action: 'reroll', pattern: /^r\s*#?(\d+)$/i, usage: 'r N', description: 're-roll job N (same recipe, new seed)' },
  { action: 'animate', pattern: /^a\s*#?(\d+)$/i, usage: 'a N', description: 'animate the image of job N' },
  {
    action: 'cancel',
    pattern: /^c\s*#?(\d+)$/i,
    usage: 'c N',
    description: 'cancel job N while it is queued or rendering',
  },
  { action: 'jobs', pattern: /^jobs$/i, usage: 'jobs', description: 'your active jobs' },
  { action: 'help', pattern: /^(help|\?)$/i, usage: 'help', description: 'this list' },
  {
    action: 'quit',
    pattern: /^(quit|exit|:q)$/i,
    usage: 'quit',
    description: 'leave (Ctrl-D also waits for running jobs, then leaves)',
  },
];

/** The command a line is, with its argument; undefined for a request. */
export function matchCommand(line: string): { action: TerminalCommand['action']; arg: string } | undefined {
  for (const command of TERMINAL_COMMANDS) {
    const match = command.pattern.exec(line);
    if (match) return { action: command.action, arg: command.action === 'help' ? '' : (match[1] ?? '') };
  }
  return undefined;
}

export function chatHelp(): string[] {
  const width = Math.max(...TERMINAL_COMMANDS.map((c) => c.usage.length));
  return [
    'Type what you would like to see, e.g. "cinematic sunset over mountains".',
    ...TERMINAL_COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.description}`),
  ];
}

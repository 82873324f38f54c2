/**
 * The terminal chat's commands, as data: each line typed is matched against these patterns (anything else
 * is a request), and `help` prints their usage. A new command is one entry here and its action in
 * terminal-chat.ts.
 */

export interface TerminalCommand {
  action:
    | 'help'
    | 'jobs'
    | 'choose'
    | 'reroll'
    | 'animate'
    | 'cancel'
    | 'history'
    | 'more'
    | 'show'
    | 'forget'
    | 'quit';
  /** The whole line; the first group, if any, is the command's argument (a number, an id, search words). */
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
  // Before `history`, so "history more" is the next page and not a search for "more".
  { action: 'more', pattern: /^(?:history\s+)?more$/i, usage: 'more', description: 'the next page of your history' },
  {
    action: 'history',
    pattern: /^history(?:\s+(.+))?$/i,
    usage: 'history [words]',
    description: 'your past generations, newest first (with words: those whose prompt has them)',
  },
  {
    // A number or an id only, so "show me a cat" stays a request.
    action: 'show',
    pattern: /^show\s+#?(\d{1,3}|gen-[0-9a-f-]{36}|[0-9a-f]{8})$/i,
    usage: 'show N',
    description: 'post result N of your history again (or show <id>); r N and a N work on it',
  },
  {
    action: 'forget',
    pattern: /^forget(?:\s+(yes))?$/i,
    usage: 'forget',
    description: 'delete your history and stored results (asks first)',
  },
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

/**
 * The `higgsbot` command line: dispatch, help, and the one place errors become exit codes. A closed output
 * pipe (`higgsbot models | head`) ends every command quietly with exit 0: the command is told through
 * `io.signal` and given a moment to clean up, and the runner never waits on output nobody will read.
 */
import { AppError, BadInputError } from '../errors.js';
import { apiKeysCommand } from './api-keys-command.js';
import { chatCommand } from './chat-command.js';
import { doctorCommand } from './doctor-command.js';
import { generateCommand } from './generate-command.js';
import { type CliIo, ExitCode, line, watchClosedOutput } from './io.js';
import { modelsCommand } from './models-command.js';
import { registerCommandsCommand } from './register-commands-command.js';
import { simulatorCommand } from './simulator-command.js';
import { startCommand } from './start-command.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

/** After the output closed, how long a command may take to clean up (close Redis, stop the simulator). */
const CLOSED_OUTPUT_GRACE_MS = 5_000;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  start: {
    run: startCommand,
    summary: 'run the bot: workers, HTTP server (webhooks, health); adapters to come  [--role all|bot|worker]',
  },
  chat: {
    run: chatCommand,
    summary:
      'terminal chat: describe, pick an option, get the result  [--simulate: no account needed] [--web: in a browser]',
  },
  generate: {
    run: generateCommand,
    summary: 'one generation: --model <id> --prompt <text> [--image <url|file>] [--set key=value]…',
  },
  models: { run: modelsCommand, summary: 'list the model registry: ids, kinds, params  [--kind k] [--json]' },
  'register-commands': {
    run: registerCommandsCommand,
    summary: 'register Discord slash commands (guild when DISCORD_GUILD_ID is set)  [--dry-run]',
  },
  'api-keys': {
    run: apiKeysCommand,
    summary: 'keys for the web API: create --user <name> | list [--json] | revoke <id>',
  },
  doctor: { run: doctorCommand, summary: 'check the configuration and reach each configured service  [--json]' },
  simulator: { run: simulatorCommand, summary: 'run the built-in Higgsfield simulator  [--port 8787]' },
};

function help(io: CliIo): void {
  line(io.stdout, 'higgsbot — Higgsfield image and video generation for Discord, Slack and the terminal');
  line(io.stdout);
  line(io.stdout, 'Usage: higgsbot <command> [options]');
  line(io.stdout);
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  for (const [name, cmd] of Object.entries(COMMANDS)) line(io.stdout, `  ${name.padEnd(width)}  ${cmd.summary}`);
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const output = watchClosedOutput(io);
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    help(io);
    return name === undefined ? ExitCode.BadInput : ExitCode.Ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    line(io.stderr, `Unknown command "${name}". Run \`higgsbot help\` for the list.`);
    return ExitCode.BadInput;
  }
  try {
    const run = command.run(args, { ...io, signal: output.signal });
    const ended = await Promise.race([run, output.closed.then(() => undefined)]);
    if (ended !== undefined) return ended;
    // Nobody reads our output any more: give the command its moment to stop, then end quietly either way.
    await Promise.race([run.catch(() => undefined), new Promise((r) => setTimeout(r, CLOSED_OUTPUT_GRACE_MS).unref())]);
    return ExitCode.Ok;
  } catch (error) {
    if (output.signal.aborted) return ExitCode.Ok;
    if (error instanceof BadInputError || (error instanceof TypeError && 'code' in error)) {
      // node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options.
      line(io.stderr, error.message);
      return ExitCode.BadInput;
    }
    if (error instanceof AppError) {
      line(io.stderr, error.userMessage);
      return ExitCode.Error;
    }
    line(io.stderr, `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return ExitCode.Error;
  }
}

/**
 * Entry point of the `higgsbot` bin: run the command line and set the exit code without cutting off
 * pending output (process.exitCode, not process.exit).
 */
import { runCli } from './cli/run-cli.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exitCode = code;

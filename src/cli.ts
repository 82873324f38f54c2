/**
 * Entry point of the `higgsbot` bin: run the command line and set the exit code without cutting off
 * pending output (process.exitCode, not process.exit). A command that has ended is never kept running by
 * a handle something forgot to close (a connection caught mid-reconnect, say): if the process is still
 * alive a few seconds later, it says what was open and exits with the command's code.
 */
import { runCli } from './cli/run-cli.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exitCode = code;
setTimeout(() => {
  const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout' && r !== 'TTYWrap');
  process.stderr.write(`higgsbot: still open after the command ended (${open.join(', ') || 'timers'}); exiting\n`);
  process.exit(code);
}, 3_000).unref();

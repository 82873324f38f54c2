/** Prints every child's stdout and stderr when a spec of the file fails, so the red says what the processes saw. */
import { beforeEach } from 'vitest';
import { childLogs } from './cli-process.js';

export function printChildLogsOnFailure(): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      console.error(`\n===== child processes =====\n${childLogs()}\n===== end of child processes =====`);
    });
  });
}

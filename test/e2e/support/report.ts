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

/** Output lines that are not one JSON log entry each: raw ioredis errors, stack traces, console noise. */
export function nonJsonLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
}

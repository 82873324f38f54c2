/**
 * What a CLI command gets: its output streams and, for tests, an environment to read config from.
 * Commands return an exit code instead of calling process.exit, so they run in-process under test.
 */
import { type Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Environment for loadConfig; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Where `chat` reads lines; process.stdin when absent. */
  stdin?: Readable & { isTTY?: boolean };
}

/** A stream that swallows what is written (a publisher whose output another part prints). */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** DESIGN.md §8: 0 done, 2 bad input, 3 refused or failed by the provider, 1 anything else. */
export const ExitCode = { Ok: 0, Error: 1, BadInput: 2, ProviderRefused: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function line(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

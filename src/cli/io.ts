/**
 * What a CLI command gets: its output streams and, for tests, an environment to read config from.
 * Commands return an exit code instead of calling process.exit, so they run in-process under test.
 * A reader that closes our output early (`higgsbot models | head`) is normal use, not a failure: the
 * runner turns the EPIPE into `signal` (long-running commands stop on it) and the command ends quietly.
 */
import { type Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Environment for loadConfig; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Where `chat` reads lines; process.stdin when absent. */
  stdin?: Readable & { isTTY?: boolean };
  /** Aborted when the reader of stdout or stderr has gone (set by the runner): stop, clean up, return. */
  signal?: AbortSignal;
}

/** The error a write to a pipe whose reader has gone raises (or what a later write to it raises). */
export function isClosedPipeError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Watches stdout and stderr for a closed reader; other stream errors are thrown as before. `closed` resolves,
 * and `signal` aborts, on the first EPIPE. The listeners stay for the streams' life: the EPIPE of a write made
 * just before the command returned is emitted a tick later, and must not become an unhandled 'error' event.
 */
export function watchClosedOutput(io: Pick<CliIo, 'stdout' | 'stderr'>): {
  signal: AbortSignal;
  closed: Promise<void>;
} {
  const controller = new AbortController();
  const closed = new Promise<void>((resolve) => {
    const listener = (error: unknown) => {
      if (!isClosedPipeError(error)) throw error;
      controller.abort(error);
      resolve();
    };
    for (const stream of new Set([io.stdout, io.stderr])) stream.on('error', listener);
  });
  return { signal: controller.signal, closed };
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

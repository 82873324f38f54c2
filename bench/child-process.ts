/**
 * Child processes of a benchmark (the worker under test, the bot, the naive worker), always stoppable:
 * SIGTERM, then SIGKILL after a grace period. Their output is counted as it arrives (pino JSON lines by
 * level, the terminal publisher's "saved:" lines) and only a short tail is kept, so a chatty child cannot
 * grow the benchmark's memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { sleep } from './waits.js';

export interface OutputStats {
  lines: number;
  /** Lines of the terminal publisher naming a saved file (one per delivered image). */
  saved: number;
  warn: number;
  error: number;
  /** The first few distinct warn/error messages. */
  samples: string[];
  tail: string;
}

function newOutputStats(): OutputStats {
  return { lines: 0, saved: 0, warn: 0, error: 0, samples: [], tail: '' };
}

/** Counts lines of a child's output: pino JSON lines by level, publisher lines, and keeps a short tail. */
function watchOutput(stream: NodeJS.ReadableStream | null, stats: OutputStats): void {
  if (!stream) return;
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > 64 * 1024) partial = '';
    for (const line of lines) {
      stats.lines++;
      if (line.includes('saved:')) stats.saved++;
      if (line.startsWith('{')) {
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
          const level = entry.level ?? 0;
          if (level >= 50) stats.error++;
          else if (level >= 40) stats.warn++;
          const sample = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
          if (level >= 40 && stats.samples.length < 5 && !stats.samples.includes(sample)) stats.samples.push(sample);
        } catch {
          // not JSON: counted as a line only
        }
      }
    }
    stats.tail = (stats.tail + text).slice(-4_000);
  });
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly stdout: OutputStats;
  readonly stderr: OutputStats;
  exitCode(): number | null | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited (or 5 s after SIGKILL). */
  stop(graceMs?: number): Promise<void>;
}

export function spawnChild(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Child {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const stdout = newOutputStats();
  const stderr = newOutputStats();
  watchOutput(child.stdout, stdout);
  watchOutput(child.stderr, stderr);
  let exit: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = code ?? (signal ? -1 : null);
      resolve();
    });
  });
  const pid = child.pid;
  return {
    name,
    process: child,
    pid,
    stdout,
    stderr,
    exitCode: () => exit,
    async stop(graceMs = 10_000) {
      if (exit !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await Promise.race([exited, sleep(graceMs + 5_000)]);
      clearTimeout(timer);
    },
  };
}

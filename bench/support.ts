/**
 * Plumbing for the pipeline benchmark: child processes that are always stopped (SIGTERM, then SIGKILL),
 * an RSS sampler reading /proc/<pid>/status, a Redis memory sampler, bounded waits, percentiles, a free
 * loopback port, and the SCAN+DEL clean-up of the benchmark's own keys. Nothing here loops unbounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { GenerationSpec } from '../src/core/types.js';

/** The naive comparison worker's queue and job (bench/naive-worker.ts). */
export const NAIVE_QUEUE = 'naive';

export interface NaiveJobData {
  generationId: string;
  spec: GenerationSpec;
}

/** LIFO clean-ups, each run once, errors collected rather than thrown. */
export class Scope {
  private readonly steps: Array<{ name: string; run: () => Promise<void> | void }> = [];
  private closing: Promise<string[]> | undefined;

  defer(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  close(): Promise<string[]> {
    this.closing ??= (async () => {
      const problems: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await withTimeout(Promise.resolve(step.run()), 20_000, `clean-up ${step.name}`);
        } catch (err) {
          problems.push(`${step.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return problems;
    })();
    return this.closing;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `predicate` every `intervalMs` until it holds (true) or `timeoutMs` passes (false). */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const maxRounds = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let round = 0; round < maxRounds; round++) {
    if (await predicate()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
  return predicate();
}

export { freePort } from '../test/support/free-port.js';

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

/** VmRSS of a process in bytes, or undefined once it is gone. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in seconds (from /proc/<pid>/stat, 100 ticks a second), or undefined. */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: field 3 is state, so utime (field 14) and stime (15) are at 11 and 12 here.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** RSS (VmRSS) and CPU time of a process, sampled every `intervalMs`: peak RSS, CPU used, busiest second. */
export class ProcessSampler {
  peakBytes = 0;
  lastBytes = 0;
  samples = 0;
  /** Highest CPU use over a sliding one-second window, in cores (1.0 = one core fully busy). */
  peakCpuCores = 0;
  private cpuStart: number | undefined;
  private cpuLast: number | undefined;
  private readonly window: Array<{ at: number; cpu: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): number {
    const bytes = readRssBytes(this.pid);
    if (bytes !== undefined) {
      this.samples++;
      this.lastBytes = bytes;
      this.peakBytes = Math.max(this.peakBytes, bytes);
    }
    const cpu = readCpuSeconds(this.pid);
    if (cpu !== undefined) {
      const at = performance.now();
      this.cpuLast = cpu;
      this.window.push({ at, cpu });
      while (this.window.length > 2 && at - (this.window[1]?.at ?? at) >= 1_000) this.window.shift();
      const first = this.window[0];
      if (first && at - first.at >= 900) {
        this.peakCpuCores = Math.max(this.peakCpuCores, (cpu - first.cpu) / ((at - first.at) / 1_000));
      }
    }
    return this.lastBytes;
  }

  /** Start counting CPU time from now. */
  markCpu(): void {
    this.cpuStart = readCpuSeconds(this.pid) ?? this.cpuLast;
    this.peakCpuCores = 0;
  }

  /** CPU seconds used since markCpu(). */
  cpuSeconds(): number | undefined {
    return this.cpuStart === undefined || this.cpuLast === undefined ? undefined : this.cpuLast - this.cpuStart;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Redis during a run, on its own connection: peak `used_memory` (one INFO a second), and at the end the
 * commands executed (INFO stats; commands inside Lua scripts count too) and server CPU seconds used.
 */
export class RedisSampler {
  baselineBytes = 0;
  peakBytes = 0;
  commands: number | undefined;
  cpuSeconds: number | undefined;
  private commandsStart = 0;
  private cpuStart = 0;
  private readonly redis: Redis;
  private timer: NodeJS.Timeout | undefined;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, connectionName: 'bench-sampler' });
    this.redis.on('error', () => {});
  }

  private async field(section: string, name: string): Promise<number> {
    const info = await this.redis.info(section);
    return Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  }

  private async cpu(): Promise<number> {
    return (await this.field('cpu', 'used_cpu_user')) + (await this.field('cpu', 'used_cpu_sys'));
  }

  async start(): Promise<void> {
    this.baselineBytes = await this.field('memory', 'used_memory');
    this.peakBytes = this.baselineBytes;
    this.commandsStart = await this.field('stats', 'total_commands_processed');
    this.cpuStart = await this.cpu();
    this.timer = setInterval(() => {
      this.field('memory', 'used_memory').then(
        (bytes) => {
          this.peakBytes = Math.max(this.peakBytes, bytes);
        },
        () => undefined,
      );
    }, 1_000);
  }

  /** Reads the end counters, then closes the connection. */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    try {
      this.peakBytes = Math.max(this.peakBytes, await this.field('memory', 'used_memory'));
      this.commands = (await this.field('stats', 'total_commands_processed')) - this.commandsStart;
      this.cpuSeconds = (await this.cpu()) - this.cpuStart;
    } catch {
      // figures stay undefined
    }
    this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.redis.disconnect();
  }
}

/** Deletes every key starting with `prefix` (SCAN + DEL); returns how many. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  if (!/^bench-[0-9a-f]+/.test(prefix)) throw new Error(`refusing to delete keys outside the bench prefix: ${prefix}`);
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectionName: 'bench-cleanup' });
  redis.on('error', () => {});
  let deleted = 0;
  try {
    let cursor = '0';
    for (let round = 0; round < 1_000_000; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Nearest-rank percentile of an ascending array (undefined when empty). */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export interface Summary {
  count: number;
  mean: number | undefined;
  median: number | undefined;
  p95: number | undefined;
  max: number | undefined;
  min: number | undefined;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : undefined,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1),
    min: sorted[0],
  };
}

/** Largest number of intervals open at once (an interval without an end stays open). */
export function maxOverlap(intervals: ReadonlyArray<{ start: number; end: number | undefined }>): number {
  const points: Array<[number, number]> = [];
  for (const { start, end } of intervals) {
    points.push([start, 1]);
    if (end !== undefined) points.push([end, -1]);
  }
  // Ends before starts at the same instant: a delivery and a submit in the same ms do not overlap.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of points) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

export const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);
export const ms = (value: number | undefined): string => (value === undefined ? '–' : `${Math.round(value)} ms`);
export const sec = (value: number | undefined): string =>
  value === undefined ? '–' : `${(value / 1_000).toFixed(value < 10_000 ? 2 : 1)} s`;
export const num = (value: number | undefined, digits = 2): string =>
  value === undefined ? '–' : value.toFixed(digits);
export function ratio(numerator: number | undefined, denominator: number | undefined): string {
  if (numerator === undefined || denominator === undefined) return '–';
  if (denominator === 0) return numerator === 0 ? '1.0× (both 0)' : `∞ (denominator 0, numerator ${num(numerator)})`;
  const r = numerator / denominator;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

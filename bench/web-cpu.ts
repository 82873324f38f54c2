/**
 * Where the CPU went during one scenario of the web benchmark: the whole machine (/proc/stat), the server
 * under test (/proc/<pid>/stat), this process (the client and the simulator), Redis (INFO cpu) and
 * PostgreSQL (every `postgres` process), each in cores (1.0 = one core busy for the whole window), what is
 * left (other processes on the machine), and the Redis commands run in the window. The machine's few cores
 * are shared by all of them, so a busy machine explains queueing the server alone would not have.
 * Also the gate a scenario passes first: a wait (bounded) for the machine to be quiet of others' work.
 * Non-obvious: a PostgreSQL backend started during the window counts from zero (its connection set-up is
 * in the figure).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { readCpuSeconds } from './process-sampler.js';

/** Busy and total jiffies of all CPUs (the first line of /proc/stat). */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** CPU seconds of every process named `postgres`, by pid. */
function postgresCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return byPid;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const cpu = readCpuSeconds(Number(entry));
    if (cpu !== undefined) byPid.set(Number(entry), cpu);
  }
  return byPid;
}

function postgresUsed(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, cpu] of after) used += cpu - (before.get(pid) ?? 0);
  return used;
}

/** Busy share of the machine's cores over the next `ms` (0–1), or undefined without /proc/stat. */
async function machineBusyOver(ms: number): Promise<number | undefined> {
  const before = machineJiffies();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineJiffies();
  return before && after && after.total > before.total
    ? (after.busy - before.busy) / (after.total - before.total)
    : undefined;
}

/** How busy the machine was just before a scenario, and how long the run waited for it to quieten. */
export interface QuietNote {
  busy: number | undefined;
  waitedMs: number;
}

/**
 * Before each scenario: waits while the machine is busier than `threshold` with nothing of the benchmark
 * running (someone else's work), within one waiting budget for the whole run, then goes on regardless.
 */
export class QuietGate {
  private waitedMs = 0;

  constructor(
    private readonly budgetMs: number,
    private readonly threshold: number,
    private readonly log: (line: string) => void,
  ) {}

  async settle(what: string): Promise<QuietNote> {
    const started = performance.now();
    let busy = await machineBusyOver(2_000);
    while ((busy ?? 0) > this.threshold && this.waitedMs + (performance.now() - started) < this.budgetMs) {
      this.log(`the machine is ${Math.round((busy ?? 0) * 100)} % busy before ${what}; waiting for it to quieten…`);
      busy = await machineBusyOver(3_000);
    }
    const waited = performance.now() - started;
    this.waitedMs += waited;
    return { busy, waitedMs: waited };
  }
}

async function redisInfo(redis: Redis): Promise<{ cpu: number; commands: number } | undefined> {
  try {
    const cpu = await redis.info('cpu');
    const stats = await redis.info('stats');
    const field = (text: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
    return {
      cpu: field(cpu, 'used_cpu_user') + field(cpu, 'used_cpu_sys'),
      commands: field(stats, 'total_commands_processed'),
    };
  } catch {
    return undefined;
  }
}

export interface CpuFigures {
  seconds: number;
  /** Busy share of all the machine's cores, 0–1. */
  machineBusy: number | undefined;
  serverCores: number | undefined;
  benchCores: number;
  redisCores: number | undefined;
  postgresCores: number;
  /** The machine's busy cores less all of the above: other processes. */
  otherCores: number | undefined;
  redisCommands: number | undefined;
}

export interface CpuWindow {
  finish(): Promise<CpuFigures>;
}

export async function startCpuWindow(serverPid: number, redis: Redis): Promise<CpuWindow> {
  const at = performance.now();
  const machine = machineJiffies();
  const server = readCpuSeconds(serverPid);
  const bench = process.cpuUsage();
  const redisStart = await redisInfo(redis);
  const postgres = postgresCpu();
  return {
    async finish() {
      const seconds = (performance.now() - at) / 1_000;
      const machineEnd = machineJiffies();
      const serverEnd = readCpuSeconds(serverPid);
      const benchUsed = process.cpuUsage(bench);
      const redisEnd = await redisInfo(redis);
      const postgresCores = postgresUsed(postgres, postgresCpu()) / seconds;
      const cores = (used: number | undefined) => (used === undefined ? undefined : used / seconds);
      const machineBusy =
        machine && machineEnd && machineEnd.total > machine.total
          ? (machineEnd.busy - machine.busy) / (machineEnd.total - machine.total)
          : undefined;
      const serverCores = cores(server !== undefined && serverEnd !== undefined ? serverEnd - server : undefined);
      const benchCores = (benchUsed.user + benchUsed.system) / 1e6 / seconds;
      const redisCores = cores(redisStart && redisEnd ? redisEnd.cpu - redisStart.cpu : undefined);
      const known = (serverCores ?? 0) + benchCores + (redisCores ?? 0) + postgresCores;
      return {
        seconds,
        machineBusy,
        serverCores,
        benchCores,
        redisCores,
        postgresCores,
        otherCores: machineBusy === undefined ? undefined : Math.max(0, machineBusy * os.cpus().length - known),
        redisCommands: redisStart && redisEnd ? redisEnd.commands - redisStart.commands : undefined,
      };
    },
  };
}

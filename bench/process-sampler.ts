/**
 * RSS (VmRSS from /proc/<pid>/status) and CPU time (/proc/<pid>/stat) of a child process, sampled on a
 * timer: peak RSS, CPU used since a mark, and the busiest one-second window. Linux only, as /proc is.
 */
import { readFileSync } from 'node:fs';

/** VmRSS of a process in bytes, or undefined once it is gone. */
function readRssBytes(pid: number): number | undefined {
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

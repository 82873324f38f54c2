/**
 * The server under test, seen through its V8 inspector (it is started with `--inspect=127.0.0.1:<port>`):
 * its JavaScript heap after a full garbage collection, and a CPU profile summed by where the time went
 * (package, our own modules, node internals, GC, idle). Non-obvious: an inspector nobody is attached to costs
 * nothing; attached, only the domains asked for run, and the profiler only while a profile is taken, so the
 * measured scenarios run unprofiled.
 */
import { basename } from 'node:path';
import WebSocket from 'ws';
import { withTimeout } from './waits.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by place (package, module folder, node internals, GC, idle), largest first. */
  byPlace: Array<{ place: string; ms: number; share: number }>;
  /** The busiest functions by self time. */
  topFunctions: Array<{ name: string; ms: number; share: number }>;
}

/** Where a profiled function lives, coarse enough to add up: an npm package, one of our folders, node. */
function placeOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName || '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(frame.url);
  if (modules?.[1]) return modules[1];
  if (frame.url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/src\/(.+)\/[^/]+$/.exec(frame.url);
  if (own?.[1]) return `src/${own[1]}`;
  if (/\/dist\/src\/[^/]+$/.test(frame.url)) return 'src';
  return frame.url;
}

export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const totalMs = (profile.endTime - profile.startTime) / 1_000;
  const perHit = totalMs / totalHits;
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const place = placeOf(node.callFrame);
    places.set(place, (places.get(place) ?? 0) + hits);
    const { functionName, url, lineNumber } = node.callFrame;
    const name = url ? `${functionName || '(anonymous)'} (${basename(url)}:${lineNumber + 1}, ${place})` : place;
    functions.set(name, (functions.get(name) ?? 0) + hits);
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([key, hits]) => ({ key, ms: hits * perHit, share: hits / totalHits }));
  return {
    totalMs,
    byPlace: rank(places).map(({ key, ms, share }) => ({ place: key, ms, share })),
    topFunctions: rank(functions)
      .filter(({ key }) => !key.startsWith('('))
      .slice(0, top)
      .map(({ key, ms, share }) => ({ name: key, ms, share })),
  };
}

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw: WebSocket.RawData) => {
      const message = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`);
    const targets = (await res.json()) as Array<{ webSocketDebuggerUrl?: string }>;
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on 127.0.0.1:${port}`);
    const socket = new WebSocket(url);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      }),
      5_000,
      'connecting to the server’s inspector',
    );
    return new Inspector(socket);
  }

  call<T>(method: string, params: object = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    this.socket.send(JSON.stringify({ id, method, params }));
    return withTimeout(answer, timeoutMs, `inspector ${method}`);
  }

  /** The JavaScript heap in use after a full collection (bytes). */
  async heapAfterGc(): Promise<number> {
    await this.call('HeapProfiler.collectGarbage');
    const usage = await this.call<{ usedSize: number }>('Runtime.getHeapUsage');
    return usage.usedSize;
  }

  /** A CPU profile of the server (sampled every 200 µs) while `during` runs. */
  async profile<T>(during: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
    await this.call('Profiler.enable');
    await this.call('Profiler.setSamplingInterval', { interval: 200 });
    await this.call('Profiler.start');
    const outcome = await during().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const stopped = await this.call<{ profile: CpuProfile }>('Profiler.stop', {}, 60_000);
    await this.call('Profiler.disable');
    if (!outcome.ok) throw outcome.error;
    return { result: outcome.value, summary: summarizeProfile(stopped.profile) };
  }

  close(): void {
    this.socket.close();
  }
}

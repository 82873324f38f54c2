/**
 * The web benchmark's section of bench/RESULTS.md: the machine and what shares it, then a table per
 * scenario (reads at a fixed rate, posts at once against one at a time, open event streams), each with its
 * verdict against the issue's target, the CPU each party used, and — when the reads target was missed or a
 * profile was asked for — where the server's CPU time went.
 */
import os from 'node:os';
import { mb, ms, num, ratio, sec } from './format.js';
import { type Latency, latency } from './stats.js';
import type { OpenLoopResult } from './web-client.js';
import type { CpuFigures, QuietNote } from './web-cpu.js';
import type { ProfileSummary } from './web-inspector.js';
import { RATE_LIMIT_PER_MINUTE } from './web-rig.js';
import type { WebBenchSettings } from './web-settings.js';

export const TARGET_P99_MS = 50;

export interface ReadsResult {
  chats: number;
  /** The machine just before the scenario. */
  quiet: QuietNote;
  loop: OpenLoopResult;
  cpu: CpuFigures;
  /** Requests sent in the whole run, warm-up included (what the CPU and commit figures cover). */
  requests: number;
  pgCommitsPerRequest: number;
  unloaded: { health: number[]; chats: number[]; job: number[] };
  profile?: { loop: OpenLoopResult; summary: ProfileSummary };
}

interface PostOutcome {
  status: number;
  ms: number;
  ok: boolean;
}

export interface PostsResult {
  people: number;
  /** The machine just before the scenario. */
  quiet: QuietNote;
  concurrent: number;
  burst: PostOutcome[];
  burstMs: number;
  sequential: PostOutcome[];
  sequentialMs: number;
  cpu: CpuFigures;
}

export interface StreamsResult {
  chats: number;
  /** The machine just before the scenario. */
  quiet: QuietNote;
  streams: number;
  events: number;
  eventsPerSecond: number;
  openMs: number[];
  openTotalMs: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  expected: number;
  deliveries: number[];
  missing: number;
  duplicates: number;
  foreign: number;
  ended: number;
  endedSample: string | undefined;
  otherFrames: number;
  appendMs: number[];
  cpu: CpuFigures;
}

/** A scenario's figures, or why it did not run to the end. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface WebReportInput {
  settings: WebBenchSettings;
  buildNote: string;
  runMs: number;
  versions: { redis: string; postgres: string };
  /** Busier than this before a scenario (share of all cores), the machine was not quiet. */
  quietBusy: number;
  serverLog: { errors: number; warnings: number; samples: string[] };
  reads: Outcome<ReadsResult>;
  posts: Outcome<PostsResult>;
  streams: Outcome<StreamsResult>;
}

const verdict = (l: Latency) => ((l.p99 ?? Number.POSITIVE_INFINITY) < TARGET_P99_MS ? 'yes' : '**no**');
const cells = (l: Latency) => `${ms(l.p50, 1)} | ${ms(l.p95, 1)} | **${ms(l.p99, 1)}** | ${ms(l.max, 1)}`;
const pct = (share: number | undefined) => (share === undefined ? '–' : `${Math.round(share * 100)} %`);

function quietLine(quiet: QuietNote): string {
  const waited = quiet.waitedMs > 2_500 ? `, after waiting ${sec(quiet.waitedMs)} for other work to end` : '';
  return `The machine just before (the server idle): ${pct(quiet.busy)} busy${waited}`;
}

function cpuLine(cpu: CpuFigures, what: string): string {
  return `CPU over ${what} (${num(cpu.seconds, 1)} s), in cores: server ${num(cpu.serverCores)}, this process (client and simulator) ${num(cpu.benchCores)}, Redis ${num(cpu.redisCores)}, PostgreSQL ${num(cpu.postgresCores)}, other processes ${num(cpu.otherCores)}; the whole machine ${pct(cpu.machineBusy)} busy (of ${os.cpus().length} cores)`;
}

function statusText(byStatus: ReadonlyMap<number, number>): string {
  const parts = [...byStatus.entries()]
    .filter(([status]) => status < 200 || status >= 300)
    .map(([status, count]) => `${count} × ${status === 0 ? 'no answer' : status}`);
  return parts.length ? parts.join(', ') : '0';
}

function readsSection(r: ReadsResult, settings: WebBenchSettings): string {
  const { loop } = r;
  const all = latency(loop.latencies);
  const rows = [...loop.byLabel.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([label, times]) => `| ${label} | ${times.length} | ${cells(latency(times))} | | | ${verdict(latency(times))} |`,
    )
    .join('\n');
  const unloaded = [
    ['GET /health (public: no key, no rate limit)', r.unloaded.health],
    ['GET /chats?limit=20', r.unloaded.chats],
    ['GET /v1/jobs/{id}', r.unloaded.job],
  ] as const;
  const unloadedRows = unloaded
    .map(([label, times]) => `| ${label} | ${times.length} | ${cells(latency(times))} |`)
    .join('\n');
  const perRequestMs = (cores: number | undefined) =>
    cores === undefined ? '–' : ms((cores * r.cpu.seconds * 1_000) / r.requests, 2);
  const redisPerRequest = r.cpu.redisCommands === undefined ? '–' : num(r.cpu.redisCommands / r.requests, 1);
  let profile = '';
  if (r.profile) {
    const { summary, loop: profiled } = r.profile;
    const busy = summary.byPlace.filter(({ place }) => place !== '(idle)');
    const busyMs = busy.reduce((sum, p) => sum + p.ms, 0);
    const places = busy
      .slice(0, 12)
      .map(({ place, ms: t }) => `| ${place} | ${sec(t)} | ${pct(t / busyMs)} |`)
      .join('\n');
    const functions = summary.topFunctions
      .slice(0, 10)
      .map(({ name, ms: t }) => `| \`${name.replace(/\|/g, '\\|')}\` | ${sec(t)} | ${pct(t / busyMs)} |`)
      .join('\n');
    const idle = summary.byPlace.find(({ place }) => place === '(idle)')?.ms ?? 0;
    profile = `
Where the server's CPU went, from the same reads once more after the other scenarios, 6 s (1 s warm-up) under its V8 CPU profiler (sampling every 200 µs; the profiler slows it, so its p99 was ${ms(latency(profiled.latencies).p99, 1)}). Of ${sec(summary.totalMs)} profiled, the main thread was idle ${sec(idle)} (${pct(idle / summary.totalMs)}); the busy time by place (self time):

| Place | Self time | Share of busy |
| --- | --- | --- |
${places}

Busiest functions (self time):

| Function | Self time | Share of busy |
| --- | --- | --- |
${functions}
`;
  }
  return `## 1. Reads at ${settings.reads.ratePerSecond} requests/s

Open loop: each request is sent at its scheduled time whether or not earlier ones have answered, and timed from that scheduled time (so queueing in the client's pool or the server counts). Half \`GET /chats?limit=20\` of a person with ${r.chats} chats, half \`GET /v1/jobs/{id}\` of one done generation (started through \`POST /higgsfield/generate\`), alternating, one API key; ${settings.reads.warmUpMs / 1_000} s warm-up, then ${settings.reads.durationMs / 1_000} s measured; undici Pool of ${settings.reads.connections} keep-alive connections.

| Route | Requests | p50 | p95 | p99 | Max | Achieved | Errors | p99 < ${TARGET_P99_MS} ms |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows}
| **all** | ${loop.sent} | ${cells(all)} | ${num(loop.achievedPerSecond, 0)}/s | ${statusText(loop.byStatus)} | ${verdict(all)} |

- ${quietLine(r.quiet)}
- ${cpuLine(r.cpu, 'the run, warm-up included')}
- Per request: ${perRequestMs(r.cpu.serverCores)} of the server's CPU and ${perRequestMs(r.cpu.postgresCores)} of PostgreSQL's; ${redisPerRequest} Redis commands (the rate limiter's, and anything else), ${num(r.pgCommitsPerRequest, 2)} PostgreSQL transactions (from pg_stat_database; the key lookup and the read)
- The client's own lag (a request leaving after its scheduled time): at most ${ms(loop.maxSendLagMs, 1)}${loop.failures.length ? `\n- Failures: ${loop.failures.join('; ')}` : ''}

The same routes one at a time, unloaded (before the run): what a request costs when nothing waits.

| Request | Samples | p50 | p95 | p99 | Max |
| --- | --- | --- | --- | --- | --- |
${unloadedRows}
${profile}`;
}

function postsSection(p: PostsResult): string {
  const row = (label: string, outcomes: PostOutcome[], totalMs: number) => {
    const l = latency(outcomes.map((o) => o.ms));
    const bad = outcomes.filter((o) => !o.ok);
    const statuses = new Map<number, number>();
    for (const o of bad) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    const errors =
      bad.length === 0
        ? '0'
        : [...statuses]
            .map(([s, n]) => `${n} × ${s === 0 ? 'no answer' : s === 201 ? '201 without options' : s}`)
            .join(', ');
    return `| ${label} | ${outcomes.length} | ${cells(l)} | ${sec(totalMs)} | ${num(outcomes.length / (totalMs / 1_000), 1)}/s | ${errors} |`;
  };
  const seq = latency(p.sequential.map((o) => o.ms));
  const burst = latency(p.burst.map((o) => o.ms));
  const seqRate = p.sequential.length / (p.sequentialMs / 1_000);
  const burstRate = p.burst.length / (p.burstMs / 1_000);
  return `## 2. ${p.concurrent} messages posted at once

\`POST /chats/{id}/messages\` with a prompt (the offline recommender proposes options; each answer is checked for a button chunk with an option id), ${p.concurrent} different chats of ${p.people} people (their own keys), all started together over ${p.concurrent} open connections; the baseline is as many posts to other chats of the same people, one after another. Each time is from sending to the whole answer.

| Run | Posts | p50 | p95 | p99 | Max | Total | Throughput | Errors |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${row('one after another', p.sequential, p.sequentialMs)}
${row('all at once', p.burst, p.burstMs)}

- A post in the burst waited ${ratio(burst.p50, seq.p50)} (p50) and ${ratio(burst.p99, seq.p50)} (p99) the unloaded p50 of one post; the burst finished in ${ratio(p.burstMs, p.sequentialMs)} the time of the sequential run (throughput ${ratio(burstRate, seqRate)})
- ${quietLine(p.quiet)}
- ${cpuLine(p.cpu, 'the burst')}
- No target in the issue: the figures say how long the last of ${p.concurrent} people waits when all post at once on ${os.cpus().length} shared cores
`;
}

function streamsSection(s: StreamsResult): string {
  const delivered = latency(s.deliveries);
  const opened = latency(s.openMs);
  const append = latency(s.appendMs);
  const perStream = (before: number, after: number) => `${((after - before) / s.streams / 1024).toFixed(1)} KB`;
  const exact = s.missing === 0 && s.duplicates === 0 && s.foreign === 0 && s.ended === 0;
  return `## 3. ${s.streams.toLocaleString('en-US')} open event streams

\`GET /chats/{id}/events\` (server-sent events), ${s.streams / s.chats} on each of ${s.chats} chats of one person, all open at once (opened 50 at a time). Then ${s.events} events appended by this process to the chats' event log in Redis (\`createRedisWebEventLog\`, what the web publisher of any process does), ${s.eventsPerSecond}/s, spread over the chats in turn; each is timed from just before the append (this process's clock) to the arrival of its frame on each stream of its chat (when the bytes reach this process, before parsing).

| Server memory | Before | With ${s.streams} streams | Per stream |
| --- | --- | --- | --- |
| RSS (/proc) | ${mb(s.rssBefore)} MB | ${mb(s.rssAfter)} MB | ${perStream(s.rssBefore, s.rssAfter)} |
| JavaScript heap after a full GC (inspector) | ${mb(s.heapBefore)} MB | ${mb(s.heapAfter)} MB | ${perStream(s.heapBefore, s.heapAfter)} |

The heap figure is the one to read: the RSS difference is noisy and a lower bound, since new streams first reuse pages the process already holds (and sockets' kernel buffers are in neither).

Opening: ${s.streams} streams in ${sec(s.openTotalMs)}; each took p50 ${ms(opened.p50, 1)}, p99 ${ms(opened.p99, 1)}, max ${ms(opened.max, 1)} to its response headers.

| Deliveries | Expected | p50 | p95 | p99 | Max | Missing | Duplicates | Of another chat | p99 < ${TARGET_P99_MS} ms |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| append → frame on the stream | ${s.expected.toLocaleString('en-US')} | ${cells(delivered)} | ${s.missing} | ${s.duplicates} | ${s.foreign} | ${verdict(delivered)} |

- Exactly once: ${exact ? 'every stream got each of its chat’s events once, and none of another chat' : `**no** — ${s.missing} missing, ${s.duplicates} duplicates, ${s.foreign} of another chat, ${s.ended} streams ended early${s.endedSample ? ` (${s.endedSample})` : ''}`}${s.otherFrames ? `; ${s.otherFrames} other frames (not a bench event) seen` : ''}
- The append itself (XADD from this process): p50 ${ms(append.p50, 1)}, p99 ${ms(append.p99, 1)}
- ${quietLine(s.quiet)}
- ${cpuLine(s.cpu, 'the appends and deliveries')}
`;
}

export function webReport(input: WebReportInput): string {
  const { settings } = input;
  const cpus = os.cpus();
  const reads = input.reads.ok ? latency(input.reads.value.loop.latencies) : undefined;
  const streams = input.streams.ok ? latency(input.streams.value.deliveries) : undefined;
  const met = (l: Latency | undefined) =>
    l === undefined
      ? '**not measured**'
      : (l.p99 ?? Number.POSITIVE_INFINITY) < TARGET_P99_MS
        ? '**met**'
        : '**not met**';
  const section = <T>(title: string, outcome: Outcome<T>, write: (value: T) => string) =>
    outcome.ok ? write(outcome.value) : `## ${title}\n\n**Did not run to the end**: ${outcome.error}\n`;
  const others = [input.reads, input.posts, input.streams]
    .map((outcome) => (outcome.ok ? outcome.value.cpu.otherCores : undefined))
    .filter((cores): cores is number => cores !== undefined);
  const busiestOthers = others.length ? Math.max(...others) : 0;
  const contention =
    busiestOthers > 0.3
      ? `\n- **Other work ran on the machine during the scenarios** (up to ${num(busiestOthers)} cores of processes that are none of the above, see each scenario's CPU line): the figures are pessimistic`
      : '';
  const logLine = `${input.serverLog.errors} errors, ${input.serverLog.warnings} warnings${
    input.serverLog.samples.length ? ` (${input.serverLog.samples.slice(0, 3).join('; ')})` : ''
  }`;
  return `# Web API benchmark results

Generated by \`npx tsx bench/web.bench.ts${settings.quick ? ' --quick' : ''}${settings.profile ? ' --profile' : ''}\` on ${new Date().toISOString()} (the run took ${sec(input.runMs)}): ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}, Redis ${input.versions.redis} and PostgreSQL ${input.versions.postgres} on 127.0.0.1. **One machine, ${cpus.length} cores, shared by everything**: the server under test, this process (the HTTP client and the Higgsfield simulator), Redis and PostgreSQL.

- The server: one \`higgsbot start --role all\` process (${input.buildNote}), the web API on its HTTP port; history, chats and keys in a fresh PostgreSQL database; queue, event log and rate limit on Redis; the offline recommender (no ANTHROPIC_API_KEY); LOG_LEVEL=warn. Started with \`--inspect\` so its heap can be read (nothing is attached while latency is measured)
- Keys made with the built CLI (\`higgsbot api-keys create --user <name>\`); every request sends one
- Rate limit: WEB_RATE_LIMIT_PER_MINUTE=${RATE_LIMIT_PER_MINUTE.toLocaleString('en-US')} (the highest it takes): the limiter runs on every request (a Redis round trip) but refuses none in a run
- Before each scenario the run waits (90 s at most in all) for the machine to be under ${pct(input.quietBusy)} busy with others' work; each scenario says how busy it was, and its CPU line counts "other processes": CPU used by none of the parties above${contention}
- The server's log during the run: ${logLine}

Targets (issue 13): reads p99 under ${TARGET_P99_MS} ms at ${settings.reads.ratePerSecond}/s — ${met(reads)}; event-stream delivery p99 under ${TARGET_P99_MS} ms with ${(settings.streams.chats * settings.streams.perChat).toLocaleString('en-US')} streams open — ${met(streams)}.

${section('1. Reads', input.reads, (r) => readsSection(r, settings))}
${section('2. Messages posted at once', input.posts, postsSection)}
${section('3. Open event streams', input.streams, streamsSection)}`;
}

/**
 * Web API benchmark (issue 13), against one server process (`higgsbot start --role all`, bench/web-rig.ts):
 *  1. reads at 500 requests/s, open loop (each request sent on schedule whether or not earlier ones have
 *     answered, timed from its scheduled time so queueing shows): half `GET /chats?limit=20` of a person with
 *     200 chats, half `GET /v1/jobs/{id}` of a done generation; 3 s of warm-up, then 20 s measured; target
 *     p99 under 50 ms. When the target is missed (or with --profile) the reads run once more at the end, 6 s
 *     under the server's CPU profiler, to say where the time goes;
 *  2. 200 `POST /chats/{id}/messages` (the offline recommender) started at once, 200 chats of 20 people, and
 *     the same number one after another as the baseline;
 *  3. 1,000 open event streams (`GET /chats/{id}/events`, 10 on each of 100 chats of one person): the memory
 *     each costs the server (RSS, and the JavaScript heap after a full GC), then 200 events appended to the
 *     chats' event log in Redis by this process (~50/s, as the web publisher of any process would) and the
 *     time from the append to each stream receiving it; target p99 under 50 ms; every stream must get each of
 *     its chat's events exactly once.
 * The server, this process (the client and the simulator), Redis and PostgreSQL share the machine's cores;
 * before each scenario the run waits (90 s at most in all) for the machine to be quiet of anyone else's work,
 * and each scenario reports the CPU of every party, other processes included.
 * Bounded: fixed counts and an overall time limit (6 min; quick 2 min); the database, the Redis keys and the
 * processes are removed however the run ends. A full run writes its section of bench/RESULTS.md; a quick one
 * (200 streams, fewer posts, 5 s of reads) only prints it.
 *
 *   npx tsx bench/web.bench.ts [--quick] [--profile]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { createRedisWebEventLog } from '../src/adapters/web/redis-web-event-log.js';
import type { WebEvent } from '../src/adapters/web/web-events.js';
import { silentLogger } from '../src/log.js';
import { createRedis } from '../src/queue/redis.js';
import { isEntry } from './entry.js';
import { REDIS_URL } from './environment.js';
import { redisVersion } from './pipeline/preflight.js';
import { ProcessSampler } from './process-sampler.js';
import { recordResults } from './results-file.js';
import { Scope } from './scope.js';
import { latency } from './stats.js';
import { sleep, waitFor, withTimeout } from './waits.js';
import { type OpenLoopResult, openLoop, WebClient } from './web-client.js';
import { QuietGate, startCpuWindow } from './web-cpu.js';
import { Inspector } from './web-inspector.js';
import {
  type Outcome,
  type PostsResult,
  type ReadsResult,
  type StreamsResult,
  TARGET_P99_MS,
  webReport,
} from './web-report.js';
import { inBatches, startWebRig, type WebRig } from './web-rig.js';
import { type WebBenchSettings, webBenchSettings } from './web-settings.js';
import { type OpenStream, openEventStream, streamPool } from './web-streams.js';

/** Busier than this (share of all cores) with nothing of the benchmark running, the machine is not quiet. */
const QUIET_BUSY = 0.15;
const benchStarted = performance.now();
const log = (line: string) =>
  console.log(`[web bench ${((performance.now() - benchStarted) / 1_000).toFixed(1).padStart(5)} s] ${line}`);

interface ChatAnswer {
  id: string;
}
interface PostAnswer {
  render_chunks?: Array<{ type: string; option_id?: string }>;
}
interface ChatListAnswer {
  items?: unknown[];
}

const SUBJECTS = [
  'a red fox',
  'a lighthouse',
  'an old tram',
  'a koi pond',
  'a desert camp',
  'a glass teapot',
  'a snowy owl',
];
const SCENES = ['at dawn', 'in the rain', 'under neon signs', 'in soft studio light', 'at golden hour', 'in fog'];
const promptOf = (i: number) =>
  `${SUBJECTS[i % SUBJECTS.length]} ${SCENES[Math.floor(i / SUBJECTS.length) % SCENES.length]}, shot ${i}`;

async function createChats(client: WebClient, key: string, count: number, label: string): Promise<string[]> {
  const chats = await inBatches(Array.from({ length: count }), 16, (_, i) =>
    client.expect<ChatAnswer>(201, 'POST', '/chats', { key, body: { title: `${label} ${i + 1}` } }),
  );
  return chats.map((chat) => chat.id);
}

/** One done generation of `key`'s person, started through the API: its id, for `GET /v1/jobs/{id}`. */
async function doneGeneration(client: WebClient, key: string, chatId: string): Promise<string> {
  const posted = await client.expect<PostAnswer>(201, 'POST', `/chats/${chatId}/messages`, {
    key,
    body: { text: 'a red fox in the snow, photo' },
  });
  const optionId = posted.render_chunks?.find((chunk) => chunk.type === 'button')?.option_id;
  if (!optionId) throw new Error(`the posted message offered no option: ${JSON.stringify(posted).slice(0, 300)}`);
  const started = await client.expect<{ generation_id: string }>(202, 'POST', '/higgsfield/generate?wait=false', {
    key,
    body: { option_id: optionId },
  });
  let status = '';
  const done = await waitFor(
    async () => {
      const job = await client.call<{ status?: string }>('GET', `/v1/jobs/${started.generation_id}`, { key });
      status = job.body.status ?? `HTTP ${job.status}`;
      return status === 'completed' || status === 'failed';
    },
    30_000,
    200,
  );
  if (!done || status !== 'completed')
    throw new Error(`generation ${started.generation_id} did not complete (${status})`);
  return started.generation_id;
}

/** Transactions committed in the benchmark database so far (PostgreSQL's statistics, about a second behind). */
async function pgCommits(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    'select xact_commit::text as n from pg_stat_database where datname = $1',
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

async function readsScenario(
  rig: WebRig,
  settings: WebBenchSettings,
  redis: Redis,
  stats: pg.Client,
  scope: Scope,
  gate: QuietGate,
): Promise<ReadsRun> {
  const { reads } = settings;
  const client = new WebClient(rig.origin, { connections: reads.connections });
  scope.defer('reads client', () => client.close());
  const key = await rig.newKey('bench-reader');
  const chats = await createChats(client, key, reads.chats, 'Reads');
  const generationId = await doneGeneration(client, key, chats[0]!);
  const list = await client.expect<ChatListAnswer | unknown[]>(200, 'GET', '/chats?limit=20', { key });
  const listed = Array.isArray(list) ? list.length : (list.items?.length ?? 0);
  if (listed !== 20) throw new Error(`GET /chats?limit=20 listed ${listed} chats, not 20`);
  const paths = ['/chats?limit=20', `/v1/jobs/${generationId}`];
  const request = (i: number) => client.call('GET', paths[i % 2]!, { key });
  const labelOf = (i: number) => (i % 2 === 0 ? 'GET /chats?limit=20' : 'GET /v1/jobs/{id}');

  // One at a time, unloaded: each route's own time, and a public route's (no key lookup, no rate limit).
  const unloaded = { health: [] as number[], chats: [] as number[], job: [] as number[] };
  for (let i = 0; i < (settings.quick ? 40 : 150); i++) {
    unloaded.health.push((await client.call('GET', '/health')).ms);
    unloaded.chats.push((await client.call('GET', paths[0]!, { key })).ms);
    unloaded.job.push((await client.call('GET', paths[1]!, { key })).ms);
  }

  const quiet = await gate.settle('the reads');
  log(
    `reads: ${reads.ratePerSecond}/s for ${(reads.warmUpMs + reads.durationMs) / 1_000} s (the first ${reads.warmUpMs / 1_000} s warm-up)…`,
  );
  await sleep(1_000);
  const commitsBefore = await pgCommits(stats, rig.database.name);
  const cpu = await startCpuWindow(rig.server.pid, redis);
  const loop = await openLoop({ ...reads, drainMs: 30_000, request, labelOf });
  const cpuFigures = await cpu.finish();
  await sleep(1_200);
  const commits = (await pgCommits(stats, rig.database.name)) - commitsBefore;
  const requests = Math.floor(((reads.warmUpMs + reads.durationMs) / 1_000) * reads.ratePerSecond);

  return {
    result: {
      chats: reads.chats,
      quiet,
      loop,
      cpu: cpuFigures,
      requests,
      pgCommitsPerRequest: commits / requests,
      unloaded,
    },
    rerun: (warmUpMs, durationMs) => openLoop({ ...reads, warmUpMs, durationMs, drainMs: 30_000, request }),
  };
}

interface ReadsRun {
  result: ReadsResult;
  /** The same reads again, for the profile. */
  rerun(warmUpMs: number, durationMs: number): Promise<OpenLoopResult>;
}

/** The reads once more (1 s warm-up, 5 s) under the server's CPU profiler: where its time goes. */
async function profileReads(rig: WebRig, run: ReadsRun): Promise<void> {
  log('reads: once more, under the server’s CPU profiler…');
  const inspector = await Inspector.connect(rig.inspectPort);
  try {
    const profiled = await inspector.profile(() => run.rerun(1_000, 5_000));
    run.result.profile = { loop: profiled.result, summary: profiled.summary };
  } finally {
    inspector.close();
  }
}

async function postsScenario(
  rig: WebRig,
  settings: WebBenchSettings,
  redis: Redis,
  scope: Scope,
  gate: QuietGate,
): Promise<PostsResult> {
  const { people, concurrent } = settings.posts;
  const perPerson = concurrent / people;
  const client = new WebClient(rig.origin, { connections: concurrent + 8 });
  scope.defer('posts client', () => client.close());
  const names = Array.from({ length: people }, (_, i) => `bench-poster-${String(i + 1).padStart(2, '0')}`);
  const keys = await inBatches(names, 4, (name) => rig.newKey(name));
  // Per person: chats for the burst, as many for the baseline, and one to warm up on.
  const chats = await inBatches(keys, 4, async (key) => ({
    key,
    burst: await createChats(client, key, perPerson, 'Burst'),
    sequential: await createChats(client, key, perPerson, 'Sequential'),
    warm: (await createChats(client, key, 1, 'Warm-up'))[0]!,
  }));
  const post = async (key: string, chatId: string, i: number) => {
    const answer = await client.call<PostAnswer>('POST', `/chats/${chatId}/messages`, {
      key,
      body: { text: promptOf(i) },
    });
    const offered = answer.body.render_chunks?.some((chunk) => chunk.type === 'button' && chunk.option_id) === true;
    return { status: answer.status, ms: answer.ms, ok: answer.status === 201 && offered };
  };
  for (const [i, person] of chats.entries()) {
    for (let n = 0; n < 3; n++) await post(person.key, person.warm, i * 3 + n);
  }

  const quiet = await gate.settle('the posts');
  log(`posts: ${concurrent} one after another (the baseline)…`);
  const sequential: Array<{ status: number; ms: number; ok: boolean }> = [];
  const sequentialStarted = performance.now();
  for (let n = 0; n < perPerson; n++) {
    for (const [i, person] of chats.entries())
      sequential.push(await post(person.key, person.sequential[n]!, n * people + i));
  }
  const sequentialMs = performance.now() - sequentialStarted;

  // Open every connection first (as clients that have been talking to the server), so the burst measures
  // the server, not TCP handshakes.
  await Promise.all(Array.from({ length: concurrent }, () => client.call('GET', '/healthz')));
  log(`posts: ${concurrent} at once…`);
  const cpu = await startCpuWindow(rig.server.pid, redis);
  const burstStarted = performance.now();
  const burst = await Promise.all(
    chats.flatMap((person, i) =>
      person.burst.map((chatId, n) =>
        post(person.key, chatId, 10_000 + n * people + i).catch((error: unknown) => ({
          status: 0,
          ms: performance.now() - burstStarted,
          ok: false,
          error,
        })),
      ),
    ),
  );
  const burstMs = performance.now() - burstStarted;
  const cpuFigures = await cpu.finish();
  return { people, concurrent, quiet, burst, burstMs, sequential, sequentialMs, cpu: cpuFigures };
}

function benchEvent(chatId: string, n: number): WebEvent {
  return {
    type: 'rendering',
    generation_id: `bench-event-${n}`,
    chat_id: chatId,
    label: `Bench ${n}`,
    model: 'nano-banana',
    text: `🎨 Bench ${n}: rendering`,
    actions: ['cancel'],
    estimated_wait_s: 5,
    at: new Date().toISOString(),
  };
}

async function streamsScenario(
  rig: WebRig,
  settings: WebBenchSettings,
  redis: Redis,
  scope: Scope,
  gate: QuietGate,
): Promise<StreamsResult> {
  const { chats: chatCount, perChat, events: eventCount, eventsPerSecond } = settings.streams;
  const total = chatCount * perChat;
  const client = new WebClient(rig.origin, { connections: 8 });
  scope.defer('streams client', () => client.close());
  const key = await rig.newKey('bench-watcher');
  const chats = await createChats(client, key, chatCount, 'Watched');
  const eventLog = createRedisWebEventLog({
    redis,
    reader: () => createRedis(REDIS_URL, 'worker'),
    prefix: rig.prefix,
    logger: silentLogger(),
  });
  scope.defer('event log', () => eventLog.close());

  const sampler = new ProcessSampler(rig.server.pid, 1_000);
  scope.defer('server sampler', () => sampler.stop());
  const inspector = await Inspector.connect(rig.inspectPort);
  scope.defer('inspector', () => inspector.close());
  const quiet = await gate.settle('the streams');
  const heapBefore = await inspector.heapAfterGc();
  await sleep(500);
  const rssBefore = sampler.sample();

  log(`streams: opening ${total} (${perChat} on each of ${chatCount} chats)…`);
  const pool = streamPool(rig.origin, total);
  const streams: OpenStream[] = [];
  scope.defer('event streams', async () => {
    for (const stream of streams) stream.close();
    await pool.destroy();
  });
  const openStarted = performance.now();
  const openMs: number[] = [];
  const targets = Array.from({ length: total }, (_, i) => chats[i % chatCount]!);
  await inBatches(targets, 50, async (chatId) => {
    const started = performance.now();
    streams.push(await openEventStream(pool, rig.origin, key, chatId));
    openMs.push(performance.now() - started);
  });
  const openTotalMs = performance.now() - openStarted;
  await sleep(1_500);
  const heapAfter = await inspector.heapAfterGc();
  await sleep(500);
  const rssAfter = sampler.sample();
  inspector.close();

  log(`streams: appending ${eventCount} events at ${eventsPerSecond}/s…`);
  const appendedAt = new Map<string, number>();
  const chatOf = new Map<string, string>();
  const appendMs: number[] = [];
  const appends: Array<Promise<unknown>> = [];
  const cpu = await startCpuWindow(rig.server.pid, redis);
  const start = performance.now() + 20;
  for (let n = 0; n < eventCount; n++) {
    await sleep(start + (n * 1_000) / eventsPerSecond - performance.now());
    const event = benchEvent(chats[n % chatCount]!, n);
    chatOf.set(event.generation_id, event.chat_id);
    const at = performance.now();
    appendedAt.set(event.generation_id, at);
    appends.push(eventLog.append(event).then(() => appendMs.push(performance.now() - at)));
  }
  await withTimeout(Promise.all(appends), 10_000, 'the appends');
  const expectedOf = (stream: OpenStream) =>
    [...chatOf.entries()].filter(([, chatId]) => chatId === stream.chatId).map(([id]) => id);
  const allIn = () => streams.every((stream) => expectedOf(stream).every((id) => stream.received.has(id)));
  await waitFor(allIn, 5_000, 100);
  await sleep(500); // late duplicates, if any
  const cpuFigures = await cpu.finish();

  const deliveries: number[] = [];
  let missing = 0;
  let duplicates = 0;
  let foreign = 0;
  let expected = 0;
  for (const stream of streams) {
    const mine = new Set(expectedOf(stream));
    expected += mine.size;
    for (const id of mine) {
      const times = stream.received.get(id);
      if (!times) {
        missing++;
        continue;
      }
      if (times.length > 1) duplicates += times.length - 1;
      deliveries.push(times[0]! - appendedAt.get(id)!);
    }
    for (const id of stream.received.keys()) if (!mine.has(id)) foreign++;
  }
  const ended = streams.filter((stream) => stream.ended !== undefined);
  return {
    chats: chatCount,
    quiet,
    streams: streams.length,
    events: eventCount,
    eventsPerSecond,
    openMs,
    openTotalMs,
    rssBefore,
    rssAfter,
    heapBefore,
    heapAfter,
    expected,
    deliveries,
    missing,
    duplicates,
    foreign,
    ended: ended.length,
    endedSample: ended[0]?.ended,
    otherFrames: streams.reduce((sum, s) => sum + s.otherFrames, 0),
    appendMs,
    cpu: cpuFigures,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false } },
  });
  const settings = webBenchSettings(values.quick === true, values.profile === true);
  const scope = new Scope();
  const deadline = setTimeout(() => {
    console.error(`web benchmark: stopped after ${settings.limitMs / 1_000} s (the time limit)`);
    void scope.close().then((problems) => {
      for (const problem of problems) console.error(`clean-up: ${problem}`);
      process.exit(1);
    });
  }, settings.limitMs);
  deadline.unref();
  const runStarted = performance.now();
  try {
    log(`${settings.quick ? 'quick' : 'full'} run; starting the server…`);
    const rig = await startWebRig(scope, log);
    const redis = createRedis(REDIS_URL, 'worker');
    redis.on('error', () => undefined);
    scope.defer('bench redis', () => void redis.disconnect());
    const stats = new pg.Client({ connectionString: rig.database.url });
    stats.on('error', () => undefined);
    await stats.connect();
    scope.defer('statistics connection', () => stats.end());

    const versions = {
      redis: await redisVersion(REDIS_URL),
      postgres: (await stats.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? '?',
    };
    // The figures mean little on a machine busy with someone else's work: before each scenario, wait
    // (within one budget for the run) for it to be quiet.
    const gate = new QuietGate(settings.quick ? 10_000 : 90_000, QUIET_BUSY, log);

    // A scenario that fails is reported as such and the next one still runs.
    const attempt = async <T>(name: string, run: () => Promise<T>): Promise<Outcome<T>> => {
      try {
        return { ok: true, value: await run() };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${name} failed: ${message}`);
        return { ok: false, error: message };
      }
    };
    const readsRun = await attempt('reads', () => readsScenario(rig, settings, redis, stats, scope, gate));
    const posts = await attempt('posts', () => postsScenario(rig, settings, redis, scope, gate));
    const streams = await attempt('streams', () => streamsScenario(rig, settings, redis, scope, gate));
    // Last, so the profiler's cost and memory touch none of the figures above.
    if (readsRun.ok) {
      const missed = (latency(readsRun.value.result.loop.latencies).p99 ?? Number.POSITIVE_INFINITY) >= TARGET_P99_MS;
      if ((missed && !settings.quick) || settings.profile) {
        await attempt('profile', () => profileReads(rig, readsRun.value));
      }
    }
    const reads: Outcome<ReadsResult> = readsRun.ok ? { ok: true, value: readsRun.value.result } : readsRun;
    const serverProblems = rig.server.stderr.error + rig.server.stdout.error;
    const text = webReport({
      settings,
      buildNote: rig.buildNote,
      versions,
      quietBusy: QUIET_BUSY,
      runMs: performance.now() - runStarted,
      serverLog: {
        errors: serverProblems,
        warnings: rig.server.stdout.warn + rig.server.stderr.warn,
        samples: [...rig.server.stdout.samples, ...rig.server.stderr.samples],
      },
      reads,
      posts,
      streams,
    });
    console.log(`\n${text}`);
    if (reads.ok && posts.ok && streams.ok) log(await recordResults('web', text, { quick: settings.quick }));
    else {
      log('a scenario failed: bench/RESULTS.md left as it is');
      process.exitCode = 1;
    }
  } finally {
    clearTimeout(deadline);
    const problems = await scope.close();
    for (const problem of problems) console.error(`clean-up: ${problem}`);
  }
}

if (isEntry(import.meta.url)) await main();

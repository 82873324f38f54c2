/**
 * History benchmark: `/history` (a first page, and a deep page through its cursor), a search, and `/show`
 * by short id, against a fresh PostgreSQL database on 127.0.0.1 seeded with one million generations of
 * 10,000 people (100 each, in 5 conversations), through the real store (src/history/). Each query runs a few
 * hundred times across random people; the target is p99 under 50 ms. Seeding is done on the server
 * (bench/history-seed.ts), then VACUUM ANALYZE (what autovacuum leaves on a live database: statistics, and
 * the full-text index's pending list merged). Bounded: a fixed number of samples and an overall time limit;
 * the database is dropped at the end. A full run writes its section of bench/RESULTS.md; a quick one
 * (`--quick`: 50,000 generations of 500 people, same 100 each) only prints it.
 *
 *   npx tsx bench/history.bench.ts [--quick]        (BENCH_POSTGRES_URL: admin database, default local)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { HistoryStore } from '../src/core/history.js';
import { openHistoryStore } from '../src/history/open-history-store.js';
import { silentLogger } from '../src/log.js';
import { isEntry } from './entry.js';
import { ms, sec } from './format.js';
import { PLATFORM, seedHistory, userOf, WORDS } from './history-seed.js';
import { recordResults } from './results-file.js';
import { Scope } from './scope.js';
import { latency } from './stats.js';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGET_P99_MS = 50;
const PAGE_SIZE = 10;
/** The deep page: the 6th of 10 (items 51–60 of a person's 100). */
const DEEP_PAGE = 6;

function assertLoopbackPostgres(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost'].includes(host)) {
    throw new Error(`BENCH_POSTGRES_URL must point at 127.0.0.1 (got ${host}); the benchmarks talk to loopback only.`);
  }
}

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const randomPerson = (people: number) => userOf(Math.floor(Math.random() * people));

async function timed(samples: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const quick = values.quick === true;
  const size = quick
    ? { people: 500, generations: 50_000, threadsPerPerson: 5 }
    : { people: 10_000, generations: 1_000_000, threadsPerPerson: 5 };
  const SAMPLES = quick ? 100 : 400;
  const LIMIT_MS = quick ? 5 * 60_000 : 20 * 60_000;
  assertLoopbackPostgres(ADMIN_URL);

  const scope = new Scope();
  const deadline = setTimeout(() => {
    console.error(`history benchmark: stopped after ${LIMIT_MS / 60_000} min (the time limit)`);
    void scope.close().then(() => process.exit(1));
  }, LIMIT_MS);
  deadline.unref();

  const name = `bench_history_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  scope.defer('drop the benchmark database', () => admin(`drop database if exists ${name} with (force)`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    const store: HistoryStore = await openHistoryStore(
      { databaseUrl: url.toString(), dataDir: os.tmpdir(), retentionDays: 90 },
      silentLogger(),
    );
    scope.defer('close the store', () => store.close());

    const seeder = new pg.Client({ connectionString: url.toString() });
    await seeder.connect();
    scope.defer('close the seeding connection', () => seeder.end());
    console.log(`seeding ${size.generations.toLocaleString('en-US')} generations of ${size.people} people…`);
    const seedStarted = performance.now();
    await seedHistory(seeder, size, (line) => console.log(line));
    const seedMs = performance.now() - seedStarted;
    const vacuumStarted = performance.now();
    await seeder.query('vacuum analyze');
    const vacuumMs = performance.now() - vacuumStarted;
    const sizes = await seeder.query<{ db: string; states: string }>(
      `select pg_size_pretty(pg_database_size(current_database())) as db,
              (select count(*) from generation_states)::text as states`,
    );
    const shortIds = (
      await seeder.query<{ short_id: string }>(`select short_id from generations order by random() limit ${SAMPLES}`)
    ).rows.map((r) => r.short_id);
    console.log(`seeded in ${sec(seedMs)}, vacuum analyze ${sec(vacuumMs)}; database ${sizes.rows[0]?.db}`);

    // Warm-up: the first queries of a fresh pool pay for connecting and planning.
    for (let i = 0; i < 20; i++) await store.list({ platform: PLATFORM, userId: randomPerson(size.people), limit: 10 });

    const firstPage = await timed(SAMPLES, () =>
      store.list({ platform: PLATFORM, userId: randomPerson(size.people), limit: PAGE_SIZE }),
    );

    const deepPage: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const userId = randomPerson(size.people);
      let cursor: string | undefined;
      for (let page = 1; page < DEEP_PAGE; page++) {
        cursor = (await store.list({ platform: PLATFORM, userId, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }))
          .nextCursor;
      }
      if (cursor === undefined) throw new Error(`${userId} has fewer than ${DEEP_PAGE} pages`);
      const started = performance.now();
      const page = await store.list({ platform: PLATFORM, userId, limit: PAGE_SIZE, cursor });
      deepPage.push(performance.now() - started);
      if (page.items.length !== PAGE_SIZE) throw new Error(`page ${DEEP_PAGE} of ${userId} is not full`);
    }

    let found = 0;
    const search = await timed(SAMPLES, async () => {
      const page = await store.list({
        platform: PLATFORM,
        userId: randomPerson(size.people),
        limit: PAGE_SIZE,
        search: pick(WORDS),
      });
      found += page.items.length;
    });
    const twoWords = await timed(SAMPLES, () =>
      store.list({
        platform: PLATFORM,
        userId: randomPerson(size.people),
        limit: PAGE_SIZE,
        search: `${pick(WORDS)} ${pick(WORDS)}`,
      }),
    );
    let shown = 0;
    const show = await timed(SAMPLES, async () => {
      if (await store.get(pick(shortIds))) shown++;
    });

    const rows = [
      [`/history, first page (${PAGE_SIZE})`, firstPage],
      [`/history, page ${DEEP_PAGE} through its cursor`, deepPage],
      ['search, one word', search],
      ['search, two words', twoWords],
      ['/show by short id', show],
    ] as const;
    const table = rows
      .map(([label, times]) => {
        const l = latency(times);
        const ok = (l.p99 ?? Number.POSITIVE_INFINITY) < TARGET_P99_MS;
        return `| ${label} | ${times.length} | ${ms(l.p50, 1)} | ${ms(l.p95, 1)} | ${ms(l.p99, 1)} | ${ms(l.max, 1)} | ${ok ? 'yes' : '**no**'} |`;
      })
      .join('\n');
    const allPass = rows.every(([, times]) => (latency(times).p99 ?? Number.POSITIVE_INFINITY) < TARGET_P99_MS);
    const cpus = os.cpus();
    const version =
      (await seeder.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? '?';
    const text = `# History benchmark results

Generated by \`npx tsx bench/history.bench.ts${quick ? ' --quick' : ''}\` on ${new Date().toISOString()}: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}, PostgreSQL ${version} on 127.0.0.1 (default settings), sharing the machine with the benchmark.

- Seeded: ${size.generations.toLocaleString('en-US')} generations of ${size.people.toLocaleString('en-US')} people (${size.generations / size.people} each, in ${size.threadsPerPerson} conversations), ${Number(sizes.rows[0]?.states).toLocaleString('en-US')} state rows, one asset each; prompts of 6–15 words from a ${WORDS.length}-word list, skewed (a few words in most prompts, most in few); database ${sizes.rows[0]?.db}
- Seeding on the server (INSERT … SELECT over generate_series): ${sec(seedMs)}; then VACUUM ANALYZE: ${sec(vacuumMs)}
- Measured through the store (\`src/history/pg-history-store.ts\`, its pool of 4), one call at a time, each sample a random person; a call returns whole entries (recipe, states, assets) in one query
- Searches: one random word of the list (${(found / SAMPLES).toFixed(1)} results per page on average), or two (both must match); /show: ${shown} of ${SAMPLES} found

| Query | Samples | p50 | p95 | p99 | Max | p99 < ${TARGET_P99_MS} ms |
| --- | --- | --- | --- | --- | --- | --- |
${table}

Target: p99 under ${TARGET_P99_MS} ms for each — ${allPass ? '**met**' : '**not met**'}.
`;
    console.log(text);
    console.log(await recordResults('history', text, { quick }));
  } finally {
    clearTimeout(deadline);
    const problems = await scope.close();
    for (const problem of problems) console.error(`clean-up: ${problem}`);
  }
}

if (isEntry(import.meta.url)) await main();

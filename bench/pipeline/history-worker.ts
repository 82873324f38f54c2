/**
 * The worker under test of the history comparison (bench/pipeline-history.bench.ts), started from the
 * repository root as `node --import tsx bench/pipeline/history-worker.ts` with the pipeline benchmark's worker
 * environment. It builds what `higgsbot start --role worker` builds (src/cli/start-command.ts: `createApp` with
 * role worker, every configured platform, HTTP for the webhook route, then `onShutdown`), from src/ through tsx
 * in both runs, so the two differ only in `history`:
 *
 * - BENCH_HISTORY=1: history kept, as the CLI always keeps it — DATABASE_URL required, and the container opens
 *   the PostgreSQL store and runs the history feed and retention in this process;
 * - BENCH_HISTORY=0: `history: false` (the switch `higgsbot generate` uses; `start` has none).
 *
 * It also counts, on the client side, the Redis commands (ioredis `sendCommand`: a pipeline's or a MULTI's
 * commands each count; a BullMQ script is one EVALSHA) and the PostgreSQL statements (pg `Client.query`, BEGIN
 * and COMMIT included) it sends. On SIGUSR2 it writes the counts so far to BENCH_COUNTS_FILE as JSON
 * (`WorkerCounts`), so the benchmark reads them at the marks it chooses and nothing is sent anywhere meanwhile.
 * Everything starts in main(), run only when this file is the script node was started with.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../../src/app/container.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { onShutdown } from '../../src/shutdown.js';
import { isEntry } from '../entry.js';

/** What SIGUSR2 writes: `seq` counts the signals, so the reader knows the file answers its own. */
export interface WorkerCounts {
  seq: number;
  atMs: number;
  /** Commands sent, by command name. */
  redis: Record<string, number>;
  pgStatements: number;
}

/** Counts every command ioredis writes and every query pg sends, in this process. */
function countRoundTrips(): { redis: Map<string, number>; pg: { statements: number } } {
  const redis = new Map<string, number>();
  const pgCount = { statements: 0 };
  const seen = new WeakSet<object>();
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    const [command] = args;
    // A command queued offline passes through here again when it is flushed: count it once.
    if (!seen.has(command)) {
      seen.add(command);
      redis.set(command.name, (redis.get(command.name) ?? 0) + 1);
    }
    return send.apply(this, args);
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    pgCount.statements++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return { redis, pg: pgCount };
}

async function main(): Promise<void> {
  const countsFile = process.env.BENCH_COUNTS_FILE;
  if (!countsFile) throw new Error('history-worker: BENCH_COUNTS_FILE is required');
  const history = process.env.BENCH_HISTORY === '1';
  const counts = countRoundTrips();
  let seq = 0;
  process.on('SIGUSR2', () => {
    seq++;
    const snapshot: WorkerCounts = {
      seq,
      atMs: Date.now(),
      redis: Object.fromEntries(counts.redis),
      pgStatements: counts.pg.statements,
    };
    writeFileSync(`${countsFile}.tmp`, JSON.stringify(snapshot));
    renameSync(`${countsFile}.tmp`, countsFile);
  });

  const config = loadConfig(process.env, { require: history ? ['higgsfield', 'shared-history'] : ['higgsfield'] });
  const logger = createLogger({ level: config.logLevel });
  const app = await createApp({
    startPlatforms: 'all',
    config,
    logger,
    role: 'worker',
    console: { output: process.stdout },
    http: true,
    history,
  });
  logger.info({ history, http: app.httpUrl, prefix: config.queue.prefix }, 'history comparison worker started');
  onShutdown(app.closers, { logger });
}

if (isEntry(import.meta.url)) await main();

/**
 * The history comparison's view of its PostgreSQL database, from outside the worker: the server's counters
 * for the database (`pg_stat_database`: transactions, rows inserted and updated), the CPU of the server
 * processes serving it, and how many generations are complete in it (state `done`, recipe filled in, asset
 * rows written), polled on a connection of its own whose queries are counted so they can be subtracted.
 *
 * Non-obvious: a backend reports its counters to `pg_stat_database` at most once a second, and when it goes
 * idle or exits, so a snapshot is taken after a quiet moment (the baseline) or once every backend of the
 * database has gone (the end). pg_stat_statements is not used: it needs shared_preload_libraries, a server
 * restart this benchmark does not make.
 */
import pg from 'pg';
import { readCpuSeconds } from '../process-sampler.js';
import { waitFor } from '../waits.js';

export interface DatabaseCounters {
  xacts: number;
  inserted: number;
  updated: number;
  deleted: number;
}

/** The server's counters for database `name`, read on the admin connection (so they do not count themselves). */
export async function databaseCounters(admin: pg.Client, name: string): Promise<DatabaseCounters> {
  const { rows } = await admin.query<Record<keyof DatabaseCounters, string>>(
    `select (xact_commit + xact_rollback)::text as xacts, tup_inserted::text as inserted,
            tup_updated::text as updated, tup_deleted::text as deleted
       from pg_stat_database where datname = $1`,
    [name],
  );
  const row = rows[0];
  if (!row) throw new Error(`no pg_stat_database row for ${name}`);
  return {
    xacts: Number(row.xacts),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
    deleted: Number(row.deleted),
  };
}

export function counterDelta(from: DatabaseCounters, to: DatabaseCounters): DatabaseCounters {
  return {
    xacts: to.xacts - from.xacts,
    inserted: to.inserted - from.inserted,
    updated: to.updated - from.updated,
    deleted: to.deleted - from.deleted,
  };
}

/** Waits (10 s at most) until no backend serves database `name`: their counters are then all reported. */
export function backendsGone(admin: pg.Client, name: string): Promise<boolean> {
  const count = async () =>
    (await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]))
      .rows[0]?.n;
  return waitFor(async () => (await count()) === 0, 10_000, 100);
}

/**
 * CPU seconds of the server processes serving database `name` (client backends, `exclude` left out), sampled
 * every second from /proc: a backend seen at start counts from then, one that appears later from zero. A
 * backend that exits between samples loses at most its last second, so the figure is a slight underestimate.
 */
export class BackendCpuSampler {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly admin: pg.Client,
    private readonly name: string,
    private readonly exclude: ReadonlySet<number>,
  ) {}

  private async pids(): Promise<number[]> {
    const { rows } = await this.admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = $1 and backend_type = 'client backend'`,
      [this.name],
    );
    return rows.map((r) => r.pid).filter((pid) => !this.exclude.has(pid));
  }

  /** Reads every backend's CPU now. */
  sample(): Promise<void> {
    this.sampling = this.sampling.then(async () => {
      for (const pid of await this.pids().catch(() => [])) {
        const cpu = readCpuSeconds(pid);
        if (cpu === undefined) continue;
        if (!this.base.has(pid)) this.base.set(pid, this.timer === undefined ? cpu : 0);
        this.last.set(pid, cpu);
      }
    });
    return this.sampling;
  }

  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  get cpuSeconds(): number {
    let total = 0;
    for (const [pid, last] of this.last) total += last - (this.base.get(pid) ?? 0);
    return total;
  }

  get backends(): number {
    return this.last.size;
  }
}

/** Generations complete in the history database, polled every `intervalMs` on a connection of its own. */
export class HistoryProgress {
  /** Queries this connection ran on the database (each its own transaction). */
  queries = 0;
  complete = 0;
  /** When a poll first found all `target` generations complete; the largest (delivered − complete) seen. */
  completeAt: number | undefined;
  maxBacklog = 0;
  pid: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private readonly client: pg.Client;

  constructor(
    url: string,
    private readonly target: number,
    private readonly delivered: () => number,
  ) {
    this.client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    this.client.on('error', () => undefined);
  }

  private async query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
    this.queries++;
    return (await this.client.query<R>(text)).rows;
  }

  async connect(): Promise<void> {
    await this.client.connect();
    this.pid = (await this.query<{ pid: number }>('select pg_backend_pid() as pid'))[0]?.pid;
  }

  /** One poll: generations `done` with their recipe and at least one asset row. */
  poll(): Promise<void> {
    this.polling = this.polling.then(async () => {
      const delivered = this.delivered();
      const rows = await this.query<{ n: number }>(
        `select count(*)::int as n from generations g
          where g.state = 'done' and g.kind is not null
            and exists (select 1 from assets a where a.generation_id = g.generation_id)`,
      ).catch(() => undefined);
      if (!rows) return;
      this.complete = rows[0]?.n ?? 0;
      this.maxBacklog = Math.max(this.maxBacklog, delivered - this.complete);
      if (this.completeAt === undefined && this.complete >= this.target) this.completeAt = Date.now();
    });
    return this.polling;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** Rows in the history tables, for the report's sanity line. */
  async rows(): Promise<{ generations: number; states: number; assets: number; conversations: number }> {
    const row = (
      await this.query<{ generations: number; states: number; assets: number; conversations: number }>(
        `select (select count(*) from generations)::int as generations,
                (select count(*) from generation_states)::int as states,
                (select count(*) from assets)::int as assets,
                (select count(*) from conversations)::int as conversations`,
      )
    )[0];
    return row ?? { generations: 0, states: 0, assets: 0, conversations: 0 };
  }

  close(): Promise<void> {
    return this.client.end().catch(() => undefined);
  }
}

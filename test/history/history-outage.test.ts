/**
 * History when its database is not there, and the embedded database's one-process rule. On the real
 * PostgreSQL, behind a proxy that can take the server away: reads and writes fail with
 * ServiceUnavailableError (history commands say it is unavailable; the feed retries) and work again, with
 * nothing lost, once the server answers; a store opened while the server is down migrates when it is back;
 * connections the server terminates are replaced. On PGlite: a second open of the same folder fails at
 * once saying to set DATABASE_URL, a lock left by a dead process is taken over, and what was recorded is
 * there after a restart.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/core/history.js';
import { ConfigError, ServiceUnavailableError } from '../../src/errors.js';
import { openHistoryStore } from '../../src/history/open-history-store.js';
import { freePort } from '../support/free-port.js';
import { ADMIN_URL, adminQuery, createDatabase, recordingLogger } from './history-backends.js';
import { conversationOf, event, generationId, lifeOf, optionFor, person } from './history-fixtures.js';
import { type TcpProxy, tcpProxy } from './tcp-proxy.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('history on a PostgreSQL server that goes away', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let proxy: TcpProxy;
  let url: string;

  beforeAll(async () => {
    database = await createDatabase('history_outage');
    cleanups.push(() => database.drop());
    const admin = new URL(ADMIN_URL);
    proxy = tcpProxy(await freePort(), { host: admin.hostname, port: Number(admin.port || 5432) });
    cleanups.push(() => proxy.stop());
    const through = new URL(database.url);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    url = through.toString();
  });

  const open = async (logger = recordingLogger().logger): Promise<HistoryStore> => {
    const store = await openHistoryStore({ databaseUrl: url, dataDir: tmpdir(), retentionDays: 90 }, logger);
    cleanups.push(() => store.close());
    return store;
  };

  it('answers ServiceUnavailableError while the server is away, and works again with nothing lost', async () => {
    await proxy.start();
    const store = await open();
    const user = person();
    const conversation = conversationOf(user);
    const id = generationId();
    const [queued, submitted, rendering, delivering, done] = lifeOf(id, conversation, optionFor('outage'), 1_000);
    await store.recordProgress(queued!);
    await store.recordProgress(submitted!);
    expect((await store.list({ platform: 'discord', userId: user, limit: 5 })).items).toHaveLength(1);

    await proxy.stop();
    const started = Date.now();
    const read = await store.list({ platform: 'discord', userId: user, limit: 5 }).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(ServiceUnavailableError);
    expect((read as Error).message).toMatch(/history database cannot be reached/);
    expect(await store.get(id).catch((e: unknown) => e)).toBeInstanceOf(ServiceUnavailableError);
    // A write fails the same way, so the feed keeps the event and tries again.
    expect(await store.recordProgress(rendering!).catch((e: unknown) => e)).toBeInstanceOf(ServiceUnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);

    await proxy.start();
    for (const e of [rendering!, delivering!, done!]) await store.recordProgress(e);
    const entry = await store.get(id);
    expect(entry?.state).toBe('done');
    expect(entry?.states.map((s) => s.state)).toEqual(['queued', 'submitted', 'rendering', 'delivering', 'done']);
  });

  it('opens while the server is away, says so in the log, and migrates once it answers', async () => {
    const fresh = await createDatabase('history_outage_fresh');
    cleanups.push(() => fresh.drop());
    await proxy.stop();
    const through = new URL(fresh.url);
    through.port = String(proxy.port);
    const { logger, lines } = recordingLogger();
    const store = await openHistoryStore(
      { databaseUrl: through.toString(), dataDir: tmpdir(), retentionDays: 90 },
      logger,
    );
    cleanups.push(() => store.close());
    expect(lines.some((l) => l.level === 40 && /unreachable at start/.test(String(l.msg)))).toBe(true);
    const user = person();
    expect(await store.list({ platform: 'discord', userId: user, limit: 5 }).catch((e) => e)).toBeInstanceOf(
      ServiceUnavailableError,
    );

    await proxy.start();
    const id = generationId();
    await store.recordProgress(event(id, conversationOf(user), optionFor('after the outage'), 'queued', 1_000));
    expect(
      (await store.list({ platform: 'discord', userId: user, limit: 5 })).items.map((i) => i.generationId),
    ).toEqual([id]);
    expect(lines.filter((l) => l.msg === 'history database migrated')).toHaveLength(1);
  });

  it('replaces connections the server terminates, and answers ServiceUnavailableError while it refuses new ones', async () => {
    const { logger, lines } = recordingLogger();
    const store = await openHistoryStore({ databaseUrl: database.url, dataDir: tmpdir(), retentionDays: 90 }, logger);
    cleanups.push(() => store.close());
    const user = person();
    const id = generationId();
    await store.recordProgress(event(id, conversationOf(user), optionFor('terminated'), 'queued', 1_000));
    const terminate = () =>
      adminQuery(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'higgsbot-history'",
        [database.name],
      );

    await terminate();
    await waitFor(
      () => lines.some((l) => l.msg === 'history database connection lost; it will be replaced'),
      'the pool to notice',
    );
    expect((await store.get(id))?.generationId).toBe(id);

    await adminQuery(`alter database ${database.name} allow_connections false`);
    try {
      await terminate();
      await waitFor(
        async () => (await store.get(id).catch((e: unknown) => e)) instanceof ServiceUnavailableError,
        'reads to fail while the database refuses connections',
      );
    } finally {
      await adminQuery(`alter database ${database.name} allow_connections true`);
    }
    expect((await store.get(id))?.generationId).toBe(id);
  });
});

describe('the embedded history database (PGlite)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'history-embedded-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  });

  const config = () => ({ dataDir, retentionDays: 90 });

  it('creates its folder, records, and still has it all after a restart', async () => {
    const nested = { dataDir: join(dataDir, 'created', 'here'), retentionDays: 90 };
    const user = person();
    const id = generationId();
    const first = await openHistoryStore(nested, recordingLogger().logger);
    for (const e of lifeOf(id, conversationOf(user, 'terminal'), optionFor('kept on disk'), 1_000)) {
      await first.recordProgress(e);
    }
    await first.close();
    const second = await openHistoryStore(nested, recordingLogger().logger);
    try {
      expect(await second.get(id)).toMatchObject({ state: 'done', option: { prompt: 'kept on disk' } });
    } finally {
      await second.close();
    }
  });

  it('refuses a second open of the same folder at once, saying to set DATABASE_URL', async () => {
    const first = await openHistoryStore(config(), recordingLogger().logger);
    try {
      const started = Date.now();
      const error = await openHistoryStore(config(), recordingLogger().logger).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(/DATABASE_URL/);
      expect((error as ConfigError).message).toMatch(/already open in process \d+/);
      expect((error as ConfigError).message).toMatch(/serves one process only/);
    } finally {
      await first.close();
    }
    // Once the first has closed, the folder is free.
    const next = await openHistoryStore(config(), recordingLogger().logger);
    await next.close();
  });

  it('takes over a lock left by a process that died, or by an earlier life of this pid', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    for (const pid of [deadPid, process.pid]) {
      await writeFile(join(dataDir, 'history.lock'), JSON.stringify({ pid, host: hostname() }));
      const store = await openHistoryStore(config(), recordingLogger().logger);
      await store.close();
    }
  });

  it('refuses the embedded database to a process that shares history with others', async () => {
    const error = await openHistoryStore(config(), recordingLogger().logger, { role: 'shared' }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/DATABASE_URL/);
  });
});

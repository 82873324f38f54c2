/**
 * `higgsbot api-keys`, run in-process through the CLI entry on a temp DATA_DIR (the embedded history
 * database) and on a PostgreSQL database (DATABASE_URL): `create --user` prints the secret once, saying it
 * will not be shown again, and that secret is the one the history store verifies; `list` shows id, user,
 * created, last used and revoked (and JSON for scripts); `revoke` refuses the key from then on (exit 0, and
 * again), and an unknown id is exit 2 with a message; bad usage is exit 2; the embedded database held by a
 * running bot is a message saying to set DATABASE_URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { loadConfig } from '../../src/config.js';
import { openHistoryStore } from '../../src/history/open-history-store.js';
import { silentLogger } from '../../src/log.js';
import { captureIo } from '../support/capture.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const SECRET = /hb_[a-z0-9]{10}_[A-Za-z0-9_-]{32,}/;

let dataDir: string;
let database: TestDatabase;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'higgsbot-api-keys-'));
  database = await createTestDatabase('cli_api_keys');
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await database.drop();
});

const embedded = (): NodeJS.ProcessEnv => ({ DATA_DIR: dataDir });

async function cli(args: string[], env: NodeJS.ProcessEnv = embedded()) {
  const io = captureIo(env);
  const code = await runCli(['api-keys', ...args], io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

/** The key a secret is, as the history store the same environment names verifies it. */
async function verify(secret: string, env: NodeJS.ProcessEnv = embedded()) {
  const store = await openHistoryStore(loadConfig(env).history, silentLogger());
  try {
    return await store.apiKeys?.verify(secret);
  } finally {
    await store.close();
  }
}

/** A fresh embedded database is made (initdb) by the first command: seconds, more on a busy machine. */
const PGLITE_TIMEOUT = { timeout: 60_000 };

describe('higgsbot api-keys on the embedded database', PGLITE_TIMEOUT, () => {
  let id: string;
  let secret: string;

  it('create --user prints the secret once, and that secret signs in as the user', async () => {
    const run = await cli(['create', '--user', 'alice']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    secret = SECRET.exec(run.out)?.[0] ?? '';
    id = secret.slice(3, 13);
    expect(run.out).toContain(`Created API key ${id} for alice`);
    expect(run.out).toContain('will not be shown again');
    expect(await verify(secret)).toMatchObject({ id, userId: 'alice' });
  });

  it('list shows id, user, created, last used and revoked, and never a secret', async () => {
    const run = await cli(['list']);
    expect(run.code).toBe(0);
    const [header, row] = run.out.split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['ID', 'USER', 'CREATED', 'LAST USED', 'REVOKED']);
    expect(row?.split(/\s{2,}/)).toEqual([
      id,
      'alice',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      expect.stringMatching(/Z$/),
      '-',
    ]);
    expect(run.out).not.toMatch(SECRET);
    expect(run.out).toContain('1 key(s), 1 live.');

    const json = await cli(['list', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual([
      { id, user_id: 'alice', created_at: expect.any(String), last_used_at: expect.any(String), revoked_at: null },
    ]);
  });

  it('revoke refuses the key from then on (exit 0, and again); an unknown id is exit 2', async () => {
    const run = await cli(['revoke', id]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Revoked API key ${id} (alice)`);
    expect(await verify(secret)).toBeUndefined();
    const again = await cli(['revoke', id]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('was already revoked');

    const listed = JSON.parse((await cli(['list', '--json'])).out) as Array<{ revoked_at: string | null }>;
    expect(listed[0]?.revoked_at).toEqual(expect.any(String));

    const unknown = await cli(['revoke', 'nosuchkey0']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('No API key has the id "nosuchkey0"');
    expect(unknown.out).toBe('');
  });

  it('answers bad usage with exit 2 and what to type', async () => {
    for (const args of [[], ['create'], ['rotate'], ['revoke'], ['create', '--user', 'two words'], ['list', 'extra']]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.err.length, args.join(' ')).toBeGreaterThan(0);
    }
    expect((await cli(['create'])).err).toContain('needs --user <name>');
    expect((await cli(['create', '--user', 'two words'])).err).toContain('1 to 64 characters');
    expect((await cli([])).err).toContain('higgsbot api-keys create --user <name>');
  });

  it('says to set DATABASE_URL while a running bot holds the embedded database', async () => {
    const bot = await openHistoryStore(loadConfig(embedded()).history, silentLogger());
    try {
      const run = await cli(['list']);
      expect(run.code).toBe(1);
      expect(run.err).toContain(`The embedded history database in ${dataDir} is open in another process`);
      expect(run.err).toContain('set DATABASE_URL');
      expect(run.err).not.toMatch(/at .+:\d+:\d+/);
    } finally {
      await bot.close();
    }
    expect((await cli(['list'])).code).toBe(0);
  });
});

describe('higgsbot api-keys on PostgreSQL (DATABASE_URL)', () => {
  it('creates, lists and revokes keys in that database', async () => {
    const env = { DATA_DIR: join(dataDir, 'unused'), DATABASE_URL: database.url };
    const created = await cli(['create', '--user', 'bob@example.com', '--json'], env);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out) as { id: string; user_id: string; secret: string };
    expect(key).toMatchObject({ user_id: 'bob@example.com', secret: expect.stringMatching(SECRET) });
    expect(await verify(key.secret, env)).toMatchObject({ id: key.id, userId: 'bob@example.com' });
    expect((await cli(['list'], env)).out).toContain(key.id);
    expect((await cli(['revoke', key.id], env)).code).toBe(0);
    expect(await verify(key.secret, env)).toBeUndefined();
  });

  it('says plainly when the server does not answer', async () => {
    const run = await cli(['list'], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(run.code).toBe(1);
    expect(run.err).toContain('The history database cannot be reached');
    expect(run.err).toContain('Check DATABASE_URL');
  });
});

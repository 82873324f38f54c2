/**
 * The web's API keys on the history store (`history.apiKeys`), on PostgreSQL and on PGlite, each fresh: a
 * created key's secret verifies as its person, once shown and never stored (the row holds its sha256
 * only); a wrong, malformed, unknown or revoked secret verifies as nobody; revoking keeps its first time;
 * `last_used_at` is written at most once a minute; `list` is newest first with revoked keys marked; a user
 * name outside 1..64 letters, digits and `._@-` is refused with a message.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyStore } from '../../src/core/api-keys.js';
import { BadInputError } from '../../src/errors.js';
import { type Backend, backends, type OpenedStore } from './history-backends.js';
import { person } from './history-fixtures.js';

const SECRET = /^hb_([a-z0-9]{10})_[A-Za-z0-9_-]{32,}$/;

describe.each(backends('api_key_store'))('API keys on $name', (backend: Backend) => {
  let opened: OpenedStore;
  let keys: ApiKeyStore;

  beforeAll(async () => {
    await backend.prepare();
    opened = await backend.open();
    keys = opened.store.apiKeys!;
  });
  afterAll(() => backend.cleanup());

  interface KeyRow {
    key_id: string;
    user_id: string;
    secret_hash: string;
    created_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  }
  const rowOf = async (id: string) => (await opened.query<KeyRow>('select * from api_keys where key_id = $1', [id]))[0];

  it('creates a key whose secret verifies as its person', async () => {
    const user = person();
    const before = Date.now();
    const { key, secret } = await keys.create(user);
    expect(secret).toMatch(SECRET);
    expect(SECRET.exec(secret)?.[1]).toBe(key.id);
    expect(key).toEqual({ id: key.id, userId: user, createdAtMs: expect.any(Number) });
    expect(key.createdAtMs).toBeGreaterThanOrEqual(before);

    const verified = await keys.verify(secret);
    expect(verified).toMatchObject({ id: key.id, userId: user, createdAtMs: key.createdAtMs });
    expect(verified?.revokedAtMs).toBeUndefined();
    expect(verified?.lastUsedAtMs).toBeGreaterThanOrEqual(before);
    // Sent with the spaces a header may carry.
    expect(await keys.verify(` ${secret} `)).toMatchObject({ id: key.id, userId: user });
  });

  it('stores no secret: only the sha256 of the whole secret, as hex', async () => {
    const { key, secret } = await keys.create(person());
    const row = await rowOf(key.id);
    expect(row?.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    const tail = secret.slice(`hb_${key.id}_`.length);
    for (const value of Object.values(row ?? {})) {
      expect(String(value)).not.toContain(tail);
      expect(String(value)).not.toContain(secret);
    }
  });

  it('verifies a wrong, malformed or unknown secret as nobody', async () => {
    const { key, secret } = await keys.create(person());
    const last = secret.at(-1) === 'A' ? 'B' : 'A';
    const wrong = [
      `${secret.slice(0, -1)}${last}`,
      `hb_${key.id}_${'x'.repeat(43)}`,
      `hb_zzzzzzzzzz_${secret.slice(`hb_${key.id}_`.length)}`,
      `hb_${key.id}`,
      `Bearer ${secret}`,
      secret.toUpperCase(),
      '',
      'hb__',
      `${secret}'; drop table api_keys; --`,
      'x'.repeat(10_000),
    ];
    for (const attempt of wrong) expect(await keys.verify(attempt), attempt.slice(0, 40)).toBeUndefined();
    expect(await keys.verify(secret)).toMatchObject({ id: key.id });
  });

  it('refuses a revoked key from then on; revoking again keeps the first time', async () => {
    const { key, secret } = await keys.create(person());
    expect(await keys.verify(secret)).toBeDefined();
    const revoked = await keys.revoke(key.id);
    expect(revoked).toMatchObject({ id: key.id, userId: key.userId, revokedAtMs: expect.any(Number) });
    expect(await keys.verify(secret)).toBeUndefined();

    await new Promise((r) => setTimeout(r, 5));
    expect((await keys.revoke(key.id.toUpperCase()))?.revokedAtMs).toBe(revoked?.revokedAtMs);
    expect(await keys.revoke('nosuchkey0')).toBeUndefined();
    expect(await keys.revoke('not an id')).toBeUndefined();
  });

  it('writes last_used_at at most once a minute', async () => {
    const { key, secret } = await keys.create(person());
    await keys.verify(secret);
    const first = (await rowOf(key.id))?.last_used_at;
    expect(first).toBeInstanceOf(Date);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
      expect((await keys.verify(secret))?.lastUsedAtMs).toBe(first?.getTime());
    }
    expect((await rowOf(key.id))?.last_used_at?.getTime()).toBe(first?.getTime());

    // A minute later (moved back in the table), the next verify writes the time again.
    const aMinuteAgo = new Date(Date.now() - 61_000);
    await opened.query('update api_keys set last_used_at = $1 where key_id = $2', [aMinuteAgo.toISOString(), key.id]);
    const again = await keys.verify(secret);
    expect(again?.lastUsedAtMs).toBeGreaterThan(aMinuteAgo.getTime() + 60_000);
    expect((await rowOf(key.id))?.last_used_at?.getTime()).toBe(again?.lastUsedAtMs);
  });

  it('lists every key newest first, revoked ones marked', async () => {
    const user = person();
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push((await keys.create(user)).key);
      await new Promise((r) => setTimeout(r, 3));
    }
    await keys.revoke(made[1]!.id);
    const mine = (await keys.list()).filter((k) => k.userId === user);
    expect(mine.map((k) => k.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
    expect(mine[1]?.revokedAtMs).toEqual(expect.any(Number));
    expect(mine[0]).not.toHaveProperty('revokedAtMs');
    expect(mine[2]).not.toHaveProperty('lastUsedAtMs');
  });

  it('refuses a user name that is not 1 to 64 letters, digits, ".", "_", "@" or "-"', async () => {
    for (const user of ['', 'two words', 'x'.repeat(65), '<b>alice</b>', 'ålice', 'a/b']) {
      const attempt = keys.create(user);
      await expect(attempt, JSON.stringify(user)).rejects.toThrow(BadInputError);
      await expect(keys.create(user)).rejects.toThrow(/1 to 64 characters/);
    }
    for (const user of ['alice', 'a', 'alice.smith_2@example-corp', 'x'.repeat(64)]) {
      expect((await keys.create(user)).key.userId).toBe(user);
    }
  });
});

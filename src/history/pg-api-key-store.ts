/**
 * The ApiKeyStore (src/core/api-keys.ts) on the history database. A secret is `hb_<key id>_<43 random
 * base64url characters>` (256 random bits); the key id is 10 characters of [a-z0-9], public (it is in
 * `api-keys list`), and how `verify` finds the row. Non-obvious decisions:
 * - only sha256(secret), as hex, is stored: the secret is random enough that a slow hash adds nothing, and a
 *   copy of the table signs nobody in; hashes are compared with crypto.timingSafeEqual;
 * - revoked keys stay (marked), and revoking twice keeps the first time;
 * - `last_used_at` is written at most once a minute per key (checked on the row just read, and again in the
 *   update's condition for processes racing), so verifying is a read on almost every request;
 * - times come from this process's clock in whole milliseconds, as every history write does.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import { z } from 'zod';
import type { ApiKey, ApiKeyStore } from '../core/api-keys.js';
import { BadInputError } from '../errors.js';
import { timestamp } from './database-text.js';
import type { ApiKeysTable, HistoryDatabase, HistoryRunner } from './history-database.js';

const KEY_ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_ID_LENGTH = 10;
const KEY_ID = /^[a-z0-9]{10}$/;
const SECRET = /^hb_([a-z0-9]{10})_[A-Za-z0-9_-]{32,128}$/;
/** How stale `last_used_at` may be before a verify writes it again. */
const LAST_USED_EVERY_MS = 60_000;
/** Fresh ids tried before giving up (a collision of 36^10 ids is not expected in practice). */
const CREATE_ATTEMPTS = 5;

const userIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9._@-]{1,64}$/,
    'A user name is 1 to 64 characters: letters, digits, ".", "_", "@" or "-" (no spaces).',
  );

const ms = (value: Date | string): number => new Date(value).getTime();
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function newKeyId(): string {
  let id = '';
  for (let i = 0; i < KEY_ID_LENGTH; i++) id += KEY_ID_CHARS[randomInt(KEY_ID_CHARS.length)];
  return id;
}

function toKey(row: Selectable<ApiKeysTable>): ApiKey {
  const key: ApiKey = { id: row.key_id, userId: row.user_id, createdAtMs: ms(row.created_at) };
  if (row.last_used_at !== null) key.lastUsedAtMs = ms(row.last_used_at);
  if (row.revoked_at !== null) key.revokedAtMs = ms(row.revoked_at);
  return key;
}

export interface PgApiKeyStoreOptions {
  /** The clock (tests move it); default Date.now. */
  now?: () => number;
}

export class PgApiKeyStore implements ApiKeyStore {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<HistoryDatabase>,
    private readonly run: HistoryRunner,
    options: PgApiKeyStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async create(userId: string): Promise<{ key: ApiKey; secret: string }> {
    const parsed = userIdSchema.safeParse(userId);
    if (!parsed.success) throw new BadInputError(parsed.error.issues[0]?.message ?? 'That user name cannot be used.');
    return this.run(async () => {
      for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
        const keyId = newKeyId();
        const secret = `hb_${keyId}_${randomBytes(32).toString('base64url')}`;
        const row = await this.db
          .insertInto('api_keys')
          .values({
            key_id: keyId,
            user_id: parsed.data,
            secret_hash: sha256(secret).toString('hex'),
            created_at: new Date(this.now()).toISOString(),
          })
          .onConflict((oc) => oc.column('key_id').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (row) return { key: toKey(row), secret };
      }
      throw new Error(`No free API key id after ${CREATE_ATTEMPTS} tries`);
    });
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.run(() =>
      this.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').orderBy('key_id', 'desc').execute(),
    );
    return rows.map(toKey);
  }

  async revoke(id: string): Promise<ApiKey | undefined> {
    const keyId = typeof id === 'string' ? id.trim().toLowerCase() : '';
    if (!KEY_ID.test(keyId)) return undefined;
    const now = timestamp(this.now());
    const row = await this.run(() =>
      this.db
        .updateTable('api_keys')
        .set({ revoked_at: sql<string>`coalesce(revoked_at, ${now})` })
        .where('key_id', '=', keyId)
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? undefined : toKey(row);
  }

  async verify(secret: string): Promise<ApiKey | undefined> {
    if (typeof secret !== 'string') return undefined;
    const text = secret.trim();
    const keyId = SECRET.exec(text)?.[1];
    if (keyId === undefined) return undefined;
    const row = await this.run(() =>
      this.db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst(),
    );
    if (row === undefined || row.revoked_at !== null) return undefined;
    const stored = Buffer.from(row.secret_hash, 'hex');
    const given = sha256(text);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
    const key = toKey(row);
    const nowMs = this.now();
    if (key.lastUsedAtMs === undefined || nowMs - key.lastUsedAtMs >= LAST_USED_EVERY_MS) {
      const touched = await this.run(() =>
        this.db
          .updateTable('api_keys')
          .set({ last_used_at: new Date(nowMs).toISOString() })
          .where('key_id', '=', keyId)
          .where((eb) =>
            eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', timestamp(nowMs - LAST_USED_EVERY_MS))]),
          )
          .returning('last_used_at')
          .executeTakeFirst(),
      );
      if (touched?.last_used_at) key.lastUsedAtMs = ms(touched.last_used_at);
    }
    return key;
  }
}

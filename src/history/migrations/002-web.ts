/**
 * The web platform's schema: API keys, the attachments of a request turn, and the two indexes the web's
 * chats read through. Plain SQL, one statement at a time (PGlite runs one statement per query), as in
 * 001-history.ts. Non-obvious decisions:
 * - an API key is stored as its public id and the sha256 of the whole secret, never the secret: a copy of
 *   the database signs nobody in; `revoked_at` is kept (not a delete) so `api-keys list` shows it;
 * - `attachments` is a jsonb array of links, null when a turn had none (every turn before this migration);
 * - a person's chats page by keyset on (platform, user_id, last_activity_at desc, conversation_id desc), one
 *   index; a chat is found through the conversation's unique key (its id is the channel and the thread);
 * - `choice_key` is what was chosen (`<option set key>:<index>`, `reroll:<id>`), so a result names its option.
 */
import { type Kysely, sql } from 'kysely';

const UP = [
  `create table api_keys (
    key_id text primary key,
    user_id text not null,
    secret_hash text not null,
    created_at timestamptz not null,
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  'create index api_keys_user on api_keys (user_id)',
  'alter table turns add column attachments jsonb',
  'create index conversations_recent on conversations (platform, user_id, last_activity_at desc, conversation_id desc)',
  'alter table generations add column choice_key text',
];

const DOWN = [
  'alter table generations drop column if exists choice_key',
  'drop index if exists conversations_recent',
  'alter table turns drop column if exists attachments',
  'drop table if exists api_keys',
];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export const history002 = {
  up: (db: Kysely<unknown>) => run(db, UP),
  down: (db: Kysely<unknown>) => run(db, DOWN),
};

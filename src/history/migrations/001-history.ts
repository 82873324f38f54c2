/**
 * The first history schema: conversations, their turns, generations (the recipe, the current state, every
 * state change), and their assets. Written as plain SQL, one statement at a time (PGlite runs one statement
 * per query). Non-obvious decisions:
 * - a conversation is one person's side of a thread (platform, workspace, channel, thread, person), so
 *   `/forget` and `/history` never reach into anyone else's rows;
 * - `search` is a generated tsvector over prompt and label with the 'simple' configuration (no stemming,
 *   no stop words: prompts are in any language), searched with `websearch_to_tsquery`;
 * - `/history` pages by keyset on (platform, user_id, created_at desc, generation_id desc), one index;
 * - child rows cascade with their generation or conversation, so a delete can never leave orphans.
 */
import { type Kysely, sql } from 'kysely';

const STATES = "'queued', 'submitted', 'rendering', 'delivering', 'done', 'failed', 'canceled'";

const UP = [
  `create table conversations (
    conversation_id bigint generated always as identity primary key,
    platform text not null,
    workspace_id text not null,
    channel_id text not null,
    thread_id text not null,
    user_id text not null,
    title text,
    created_at timestamptz not null,
    last_activity_at timestamptz not null,
    unique (platform, workspace_id, channel_id, thread_id, user_id)
  )`,
  'create index conversations_person on conversations (platform, user_id)',
  'create index conversations_last_activity on conversations (last_activity_at)',

  `create table turns (
    turn_id text primary key,
    conversation_id bigint not null references conversations on delete cascade,
    role text not null check (role in ('request', 'reply')),
    text text not null,
    option_set jsonb,
    at timestamptz not null
  )`,
  'create index turns_conversation on turns (conversation_id, at)',

  `create table generations (
    generation_id text primary key,
    short_id text not null,
    platform text not null,
    user_id text not null,
    conversation_id bigint not null references conversations on delete cascade,
    kind text check (kind in ('text-to-image', 'text-to-video', 'image-to-video')),
    model_id text not null,
    prompt text not null default '',
    params jsonb not null default '{}',
    style jsonb,
    motions jsonb,
    label text not null default '',
    reason text not null default '',
    estimate jsonb,
    state text not null check (state in (${STATES})),
    failure_reason text,
    failure_message text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    search tsvector generated always as (to_tsvector('simple', prompt || ' ' || label)) stored
  )`,
  'create index generations_short_id on generations (short_id)',
  'create index generations_history on generations (platform, user_id, created_at desc, generation_id desc)',
  'create index generations_search on generations using gin (search)',
  'create index generations_updated on generations (updated_at)',
  'create index generations_conversation on generations (conversation_id)',

  `create table generation_states (
    generation_id text not null references generations on delete cascade,
    state text not null check (state in (${STATES})),
    at timestamptz not null,
    primary key (generation_id, state)
  )`,

  `create table assets (
    generation_id text not null references generations on delete cascade,
    "index" integer not null,
    storage_key text not null,
    content_type text not null,
    size_bytes bigint not null,
    provider_url text not null,
    width integer,
    height integer,
    duration_s real,
    primary key (generation_id, "index")
  )`,
];

const DOWN = ['assets', 'generation_states', 'generations', 'turns', 'conversations'].map(
  (table) => `drop table if exists ${table}`,
);

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export const history001 = {
  up: (db: Kysely<unknown>) => run(db, UP),
  down: (db: Kysely<unknown>) => run(db, DOWN),
};

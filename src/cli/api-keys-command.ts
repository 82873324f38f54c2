/**
 * `higgsbot api-keys create --user <name> | list [--json] | revoke <id>`: the web platform's keys, kept in
 * the history database the configuration names (DATABASE_URL, else the embedded one in DATA_DIR), so a
 * key made here is the one the bot's web API checks. A secret is printed once, when created, and never
 * again (only its hash is stored). Non-obvious decisions:
 * - the embedded database (PGlite) serves one process: while `higgsbot start` runs on the same DATA_DIR
 *   its folder is locked, and this command says so and what to do (DATABASE_URL), instead of the generic
 *   configuration message;
 * - a PostgreSQL server that does not answer is said plainly (the store's generic "briefly unavailable"
 *   text is written for chat);
 * - Higgsfield's credentials are not needed: the command touches nothing but the history database.
 */
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config.js';
import type { ApiKey, ApiKeyStore } from '../core/api-keys.js';
import type { HistoryStore } from '../core/history.js';
import { AppError, BadInputError, ConfigError, ErrorCode, ServiceUnavailableError } from '../errors.js';
import { openHistoryStore } from '../history/open-history-store.js';
import { silentLogger } from '../log.js';
import { type CliIo, ExitCode, line } from './io.js';

const USAGE = [
  'Usage:',
  '  higgsbot api-keys create --user <name> [--json]   a new key for <name>; its secret is shown once',
  '  higgsbot api-keys list [--json]                   every key: id, user, created, last used, revoked',
  '  higgsbot api-keys revoke <id>                     refuse a key from its next request on',
].join('\n');

export async function apiKeysCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { user: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [action, ...rest] = positionals;
  if (action === 'create') {
    if (rest.length > 0) throw new BadInputError(`create takes no arguments besides --user.\n${USAGE}`);
    if (values.user === undefined) throw new BadInputError(`create needs --user <name>: whose key it is.\n${USAGE}`);
    const user = values.user;
    return withKeys(io, async (keys) => {
      const { key, secret } = await keys.create(user);
      if (values.json) {
        line(io.stdout, JSON.stringify({ ...toJson(key), secret }, null, 2));
      } else {
        line(io.stdout, `Created API key ${key.id} for ${key.userId}:`);
        line(io.stdout);
        line(io.stdout, `  ${secret}`);
        line(io.stdout);
        line(
          io.stdout,
          'This secret will not be shown again: copy it now. Send it as "Authorization: Bearer <secret>".',
        );
      }
      return ExitCode.Ok;
    });
  }
  if (action === 'list') {
    if (rest.length > 0 || values.user !== undefined) throw new BadInputError(`list takes no arguments.\n${USAGE}`);
    return withKeys(io, async (keys) => {
      const all = await keys.list();
      if (values.json) line(io.stdout, JSON.stringify(all.map(toJson), null, 2));
      else printTable(io, all);
      return ExitCode.Ok;
    });
  }
  if (action === 'revoke') {
    const [id, ...extra] = rest;
    if (id === undefined || extra.length > 0 || values.user !== undefined) {
      throw new BadInputError(`revoke takes one key id (as \`higgsbot api-keys list\` shows it).\n${USAGE}`);
    }
    return withKeys(io, async (keys) => {
      const startedMs = Date.now();
      const key = await keys.revoke(id);
      if (key === undefined) {
        throw new BadInputError(`No API key has the id ${JSON.stringify(id)}. \`higgsbot api-keys list\` shows them.`);
      }
      const revokedAtMs = key.revokedAtMs ?? startedMs;
      line(
        io.stdout,
        revokedAtMs < startedMs
          ? `API key ${key.id} (${key.userId}) was already revoked on ${when(revokedAtMs)}.`
          : `Revoked API key ${key.id} (${key.userId}): requests with it are refused from now on.`,
      );
      return ExitCode.Ok;
    });
  }
  throw new BadInputError(
    action === undefined ? USAGE : `Unknown api-keys action ${JSON.stringify(action)}.\n${USAGE}`,
  );
}

/** Opens the configured history store, runs `work` on its keys, and closes it. */
async function withKeys(io: CliIo, work: (keys: ApiKeyStore) => Promise<number>): Promise<number> {
  const config = loadConfig(io.env);
  const store = await open(config);
  try {
    if (store.apiKeys === undefined) {
      throw new AppError(ErrorCode.ConfigInvalid, 'history store without API keys', {
        kind: 'config',
        userMessage: 'This history database keeps no API keys.',
      });
    }
    return await work(store.apiKeys);
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw unreachable(error);
    throw error;
  } finally {
    await store.close();
  }
}

async function open(config: Config): Promise<HistoryStore> {
  try {
    return await openHistoryStore(config.history, silentLogger());
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw unreachable(error);
    const locked =
      error instanceof ConfigError &&
      config.history.databaseUrl === undefined &&
      error.issues.some((issue) => issue.variable === 'DATABASE_URL');
    if (!locked) throw error;
    const message = [
      `The embedded history database in ${config.history.dataDir} is open in another process (a running \`higgsbot start\`?),`,
      'and it serves one process only. API keys live in the history database, so either:',
      '  - set DATABASE_URL to a PostgreSQL server, for the bot and this command alike (then both can run at once), or',
      '  - stop the bot, run this command, and start the bot again.',
    ].join('\n');
    throw new AppError(ErrorCode.ConfigInvalid, message, { kind: 'config', userMessage: message, cause: error });
  }
}

function unreachable(error: ServiceUnavailableError): AppError {
  const message = `${error.message}. Check DATABASE_URL and that the server is running, then try again.`;
  return new AppError(ErrorCode.ServiceUnavailable, message, {
    kind: 'unavailable',
    userMessage: message,
    cause: error,
  });
}

/** A time to the second, in UTC: `2026-11-21 12:00:05Z`. */
function when(atMs: number): string {
  return `${new Date(atMs).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

function toJson(key: ApiKey) {
  const iso = (atMs: number | undefined) => (atMs === undefined ? null : new Date(atMs).toISOString());
  return {
    id: key.id,
    user_id: key.userId,
    created_at: iso(key.createdAtMs),
    last_used_at: iso(key.lastUsedAtMs),
    revoked_at: iso(key.revokedAtMs),
  };
}

function printTable(io: CliIo, keys: readonly ApiKey[]): void {
  if (keys.length === 0) {
    line(io.stdout, 'No API keys yet. Create one with `higgsbot api-keys create --user <name>`.');
    return;
  }
  const header = ['ID', 'USER', 'CREATED', 'LAST USED', 'REVOKED'];
  const rows = [
    header,
    ...keys.map((key) => [
      key.id,
      key.userId,
      when(key.createdAtMs),
      key.lastUsedAtMs === undefined ? 'never' : when(key.lastUsedAtMs),
      key.revokedAtMs === undefined ? '-' : when(key.revokedAtMs),
    ]),
  ];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of rows) {
    line(
      io.stdout,
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
  const live = keys.filter((key) => key.revokedAtMs === undefined).length;
  line(io.stdout);
  line(io.stdout, `${keys.length} key(s), ${live} live.`);
}

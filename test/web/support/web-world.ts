/**
 * The web platform as `higgsbot start --role all` builds it with WEB_ENABLED, for the web specs: the
 * Higgsfield simulator, the offline recommender (no Claude key), Redis, a media folder, history in PGlite
 * (or a PostgreSQL database of the world's own with `postgres: true`), HTTP on a free port. `api` is a small
 * JSON client for the API; `newKey` makes a person's API key the way `higgsbot api-keys create` does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../../src/app/container.js';
import { loadConfig } from '../../../src/config.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../../src/higgsfield/simulator/index.js';
import { createSpecApp } from '../../adapters/support/platform-app.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { redisUrl, testPrefix } from '../../support/redis.js';

export interface WebWorldOptions {
  name: string;
  /** Variables on top of the defaults (e.g. WEB_RATE_LIMIT_PER_MINUTE, WEB_CORS_ORIGINS). */
  env?: Record<string, string>;
  sim?: SimulatorOptions;
  /** History in a PostgreSQL database of this world's own instead of PGlite. */
  postgres?: boolean;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: T;
  text: string;
}

export interface ApiRequest {
  method?: string;
  /** A secret from `newKey`; omitted: no Authorization header. */
  key?: string;
  /** JSON-encoded unless it is a string or a Buffer (then sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface WebWorld {
  app: App;
  sim: Simulator;
  url: string;
  prefix: string;
  mediaDir: string;
  /** The world's PostgreSQL database, with `postgres: true`. */
  database?: TestDatabase;
  newKey(userId: string): Promise<string>;
  api<T = unknown>(path: string, request?: ApiRequest): Promise<ApiAnswer<T>>;
  close(): Promise<void>;
}

export async function startWebWorld(options: WebWorldOptions): Promise<WebWorld> {
  const sim = await startSimulator({ queuedMs: 50, inProgressMs: 150, maxConcurrent: 200, ...options.sim });
  const prefix = testPrefix(`web-${options.name}`);
  const mediaDir = await mkdtemp(join(tmpdir(), `higgsbot-web-${options.name}-`));
  const database = options.postgres ? await createTestDatabase(`web_${options.name}`) : undefined;
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    HF_CREDENTIALS: 'sim-key:sim-secret',
    HIGGSFIELD_BASE_URL: sim.url,
    MEDIA_DIR: mediaDir,
    DATA_DIR: join(mediaDir, '.data'),
    ...(database ? { DATABASE_URL: database.url } : {}),
    HTTP_PORT: '0',
    WEB_ENABLED: 'true',
    ...options.env,
  });
  const app = await createSpecApp(config, true);
  const url = app.httpUrl as string;
  return {
    app,
    sim,
    url,
    prefix,
    mediaDir,
    ...(database ? { database } : {}),
    async newKey(userId) {
      const keys = app.history?.apiKeys;
      if (!keys) throw new Error('this world keeps no API keys');
      return (await keys.create(userId)).secret;
    },
    api: (path, request) => callApi(url, path, request),
    async close() {
      for (const closer of app.closers) await closer.close();
      await sim.close();
      await database?.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

/** One request to the API at `base`, answered as status, headers and (JSON) body. */
export async function callApi<T = unknown>(
  base: string,
  path: string,
  request: ApiRequest = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.key) headers.authorization = `Bearer ${request.key}`;
  let body: string | Buffer | undefined;
  if (request.body !== undefined) {
    if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) body = request.body;
    else {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const response = await fetch(`${base}${path}`, {
    method: request.method ?? 'GET',
    headers,
    ...(body ? { body } : {}),
  });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return {
    status: response.status,
    headers: response.headers,
    body: (isJson && text ? JSON.parse(text) : text) as T,
    text,
  };
}

/** Polls `probe` until it gives a value (or the time runs out, naming `what`). */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

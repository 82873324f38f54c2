/**
 * The web platform on the platform contract, as `higgsbot start` builds it: what it serves on the bot's port
 * (every path no other route takes, 503 until started, nothing in a worker), the OpenAPI 3.1 document of
 * every seed route and its reference page, Bearer keys, the CORS allowlist, the rate-limit headers and the
 * seeds' `{"detail": …}` errors. Route-by-route contracts are in the other web specs.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webConfig } from '../../src/adapters/web/web-config.js';
import { createWebPlatform } from '../../src/adapters/web/web-platform.js';
import { startHttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { redisUrl, testPrefix } from '../support/redis.js';
import { callApi, startWebWorld, type WebWorld } from './support/web-world.js';

const ORIGIN = 'http://localhost:3000';
let world: WebWorld;
let key: string;

beforeAll(async () => {
  world = await startWebWorld({ name: 'platform', env: { WEB_CORS_ORIGINS: ORIGIN } });
  key = await world.newKey('alice');
}, 30_000);

afterAll(async () => {
  await world?.close();
});

const SEED_ROUTES: Array<[string, string]> = [
  ['post', '/chats'],
  ['get', '/chats'],
  ['get', '/chats/{id}'],
  ['patch', '/chats/{id}'],
  ['delete', '/chats/{id}'],
  ['get', '/chats/{id}/messages'],
  ['post', '/chats/{id}/messages'],
  ['get', '/chats/{id}/events'],
  ['get', '/options/{id}'],
  ['post', '/higgsfield/generate'],
  ['post', '/attachments/presign'],
  ['get', '/attachments/by-chat/{id}'],
  ['get', '/higgsfield/text2image/styles'],
  ['get', '/higgsfield/image2video/motions'],
  ['get', '/health'],
  ['get', '/'],
  ['post', '/v1/chat'],
  ['post', '/v1/chat/stream'],
  ['post', '/v1/t2i/nano-banana'],
  ['post', '/v1/t2i/seedream4'],
  ['post', '/v1/t2v/minimax-hailuo-02'],
  ['post', '/v1/t2v/seedance-v1-lite'],
  ['post', '/v1/i2v/kling25'],
  ['post', '/v1/i2v/minimax'],
  ['post', '/v1/i2v/seedance'],
  ['post', '/v1/i2v/veo3'],
  ['post', '/v1/i2v/wan25-fast'],
  ['get', '/v1/jobs/{job_set_id}'],
  ['post', '/v1/jobs/{job_set_id}/refresh'],
  ['get', '/generations/{id}'],
  ['post', '/generations/{id}/cancel'],
  ['post', '/generations/{id}/reroll'],
  ['post', '/generations/{id}/animate'],
];

describe('the OpenAPI document and the reference page', () => {
  it('/openapi.json is OpenAPI 3.1 and documents every seed route, with a Bearer scheme', async () => {
    const doc = await callApi<{
      openapi: string;
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { scheme: string }>; schemas?: Record<string, unknown> };
    }>(world.url, '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const missing = SEED_ROUTES.filter(([method, path]) => !doc.body.paths[path]?.[method]);
    expect(missing).toEqual([]);
    expect(doc.body.components.securitySchemes.bearer?.scheme).toBe('bearer');
    expect(Object.keys(doc.body.components.schemas ?? {})).toEqual(expect.arrayContaining(['Error']));
  });

  it('/docs is a readable page served from this server (no CDN)', async () => {
    const page = await fetch(`${world.url}/docs/`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"']*\.js/);
  });
});

describe('keys, errors and limits', () => {
  it('no key: 401 with WWW-Authenticate and a detail; a wrong key: 401; a good key: 200', async () => {
    const none = await callApi<{ detail: string }>(world.url, '/chats');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.detail).toMatch(/api key/i);
    expect((await callApi(world.url, '/chats', { key: 'hb_nope_nope' })).status).toBe(401);
    expect((await callApi(world.url, '/chats', { key })).status).toBe(200);
  });

  it('every answer carries the RateLimit headers of the person’s key', async () => {
    const answer = await callApi(world.url, '/chats', { key });
    expect(answer.headers.get('ratelimit-limit')).toBe('60');
    expect(Number(answer.headers.get('ratelimit-remaining'))).toBeLessThan(60);
    expect(Number(answer.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
  });

  it('an unknown route is 404 with a detail; malformed JSON is 400; nothing is echoed as HTML', async () => {
    const unknown = await callApi<{ detail: string }>(world.url, '/nope/<script>', { key });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/json');
    const bad = await callApi<{ detail: string }>(world.url, '/chats', {
      method: 'POST',
      key,
      body: '{"title": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/json/i);
  });
});

describe('CORS: only the allowlisted origins', () => {
  it('a preflight from an allowed origin may send Authorization and JSON with PATCH, DELETE and PUT', async () => {
    const answer = await fetch(`${world.url}/chats/x`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(answer.status).toBeLessThan(300);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(answer.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
  });

  it('another origin gets no CORS headers, so a browser keeps the answer from its page', async () => {
    const answer = await fetch(`${world.url}/chats`, {
      headers: { origin: 'https://evil.example', authorization: `Bearer ${key}` },
    });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an allowed origin’s real request gets its origin back and can read the rate-limit headers', async () => {
    const answer = await fetch(`${world.url}/chats`, { headers: { origin: ORIGIN, authorization: `Bearer ${key}` } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(answer.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
  });
});

describe('the platform contract', () => {
  const deps = (role: 'all' | 'bot' | 'worker') => ({
    store: createLocalMediaStore({ dir: join(tmpdir(), 'higgsbot-web-platform-unused') }),
    logger: silentLogger(),
    console: { output: new PassThrough() },
    runtime: { redisUrl: redisUrl(), keyPrefix: testPrefix('web-platform-contract'), role },
  });
  const config = webConfig.build({
    WEB_ENABLED: true,
    WEB_RATE_LIMIT_PER_MINUTE: 60,
    WEB_MAX_UPLOAD_MB: 10,
    WEB_GENERATE_WAIT_S: 5,
  });

  it('is configured only with WEB_ENABLED=true', () => {
    expect(webConfig.build({})).toBeUndefined();
    expect(config).toBeDefined();
  });

  it('answers 503 with a detail on its paths until started, and a worker serves none', async () => {
    const bot = createWebPlatform(config!, deps('bot'));
    const worker = createWebPlatform(config!, deps('worker'));
    expect(worker.routes).toEqual([]);
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger(),
      routes: [...bot.routes],
    });
    try {
      const answer = await callApi<{ detail: string }>(server.url, '/chats');
      expect(answer.status).toBe(503);
      expect(answer.body.detail).toMatch(/starting/);
      expect((await callApi(server.url, '/healthz')).status).toBe(200);
    } finally {
      await server.close();
      await bot.stop();
      await worker.stop();
    }
  });

  it('doctor says where it serves, its limit and its CORS origins', async () => {
    const web = createWebPlatform({ ...config!, corsOrigins: [ORIGIN] }, deps('bot'));
    const [line] = await web.check();
    await web.stop();
    expect(line?.status).toBe('ok');
    expect(line?.detail).toContain('60 requests a minute per key');
    expect(line?.detail).toContain(ORIGIN);
  });
});

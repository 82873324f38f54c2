/**
 * The web chat's page as a browser gets it from the bot: `GET /` answers a browser's navigation with the built
 * page and every other client with the health answer, unchanged; `/assets/<file>` serves the built files with
 * their types, cached for a year, and nothing else (no listing, no dotfiles, nothing outside assets/, however
 * the path is spelled); the page and assets carry a Content-Security-Policy naming exactly the origins results
 * and uploads come from (this server's, and the bucket's with S3), plus the hardening headers. Without a build
 * a browser is told how to make one. The page is a fixture (support/web-ui-fixture.ts) served via WEB_UI_DIR.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateWebUi } from '../../src/adapters/web/web-page.js';
import { API_VERSION } from '../../src/adapters/web/web-server.js';
import { loadConfig } from '../../src/config.js';
import { linkOrigins } from '../../src/media/media-links.js';
import { createWebUiFixture, type WebUiFixture } from './support/web-ui-fixture.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const HEALTH = { status: 'healthy', version: API_VERSION, service: 'higgsbot' };
const SECRET = 'a-media-link-secret-of-at-least-32-chars';

const csp = (media: string[], uploads: string[]) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob: ${media.join(' ')}`,
    `media-src 'self' blob: ${media.join(' ')}`,
    `connect-src 'self' ${uploads.join(' ')}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

function expectHardened(headers: Headers, policy: string) {
  expect(headers.get('content-security-policy')).toBe(policy);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(headers.get('x-frame-options')).toBe('DENY');
}

/** A GET with the path sent exactly as written (fetch would resolve `..` before sending it). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

const asBrowser = (base: string, path = '/') => fetch(`${base}${path}`, { headers: { accept: BROWSER } });

describe('the built web chat', () => {
  let ui: WebUiFixture;
  let world: WebWorld;

  beforeAll(async () => {
    ui = await createWebUiFixture('page');
    // A tiny limit: the page and its assets must not count against it.
    world = await startWebWorld({ name: 'page-serving', env: { WEB_UI_DIR: ui.dir, WEB_RATE_LIMIT_PER_MINUTE: '3' } });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await ui?.close();
  });

  it('is what a browser opening / gets: the page as HTML, revalidated on every visit, without a key', async () => {
    const page = await asBrowser(world.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('vary')).toMatch(/accept/i);
    expect(await page.text()).toBe(ui.html);
  });

  it.each([
    ['no Accept', undefined],
    ['curl’s */*', '*/*'],
    ['JSON', 'application/json'],
    ['JSON ranked above HTML', 'text/html;q=0.5, application/json'],
    ['HTML and JSON ranked alike', 'application/json, text/html'],
  ])('with %s, / keeps answering the health check as JSON', async (_what, accept) => {
    const answer = await world.api('/', accept ? { headers: { accept } } : {});
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual(HEALTH);
    expect(answer.headers.get('vary')).toMatch(/accept/i);
  });

  it('serves the built script and stylesheet with their types, cached for a year as immutable', async () => {
    for (const [file, type] of [
      [ui.js, /^(text|application)\/javascript; charset=utf-8$/],
      [ui.css, /^text\/css; charset=utf-8$/],
    ] as const) {
      const answer = await fetch(`${world.url}/assets/${file.name}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(type);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await answer.text()).toBe(file.text);
    }
    expect((await fetch(`${world.url}/assets/nested/icon.svg`)).headers.get('content-type')).toMatch(/^image\/svg/);
  });

  it('puts the Content-Security-Policy and hardening headers on the page and on every asset', async () => {
    const policy = csp([world.url], [world.url]);
    expectHardened((await asBrowser(world.url)).headers, policy);
    expectHardened((await fetch(`${world.url}/assets/${ui.js.name}`)).headers, policy);
    expectHardened((await fetch(`${world.url}/assets/${ui.css.name}`)).headers, policy);
  });

  it('never counts the page or its assets against the rate limit', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await asBrowser(world.url)).status).toBe(200);
      expect((await fetch(`${world.url}/assets/${ui.js.name}`)).status).toBe(200);
    }
  });

  it.each(['/assets/nope.js', '/assets/', '/assets/nested', '/assets/nested/', '/assets/.env'])(
    '%s is not found: 404 {detail}, no listing',
    async (path) => {
      const answer = await world.api<{ detail: string }>(path);
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body.detail).toEqual(expect.any(String));
      expect(answer.text).not.toContain(ui.js.name);
      expect(answer.text).not.toContain('SECRET');
    },
  );

  it.each([
    '/assets/../manifest.json',
    '/assets/nested/../../manifest.json',
    '/assets/%2e%2e/manifest.json',
    '/assets/..%2fmanifest.json',
    '/assets/%2e%2e%2fmanifest.json',
    '/assets/%2E%2E%2Fmanifest.json',
    '/assets/..%5cmanifest.json',
    '/assets//manifest.json',
    '/assets/./../manifest.json',
    '/assets/%2fetc%2fpasswd',
  ])('%s does not leave assets/: refused, and the file outside is never sent', async (path) => {
    const answer = await rawGet(world.url, path);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('not an asset');
    expect(JSON.parse(answer.body)).toEqual({ detail: expect.any(String) });
  });

  it('serves only / as the page: the API’s paths stay JSON for a browser too', async () => {
    const answer = await asBrowser(world.url, '/health');
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await answer.json()).toEqual(HEALTH);
    const chats = await asBrowser(world.url, '/chats');
    expect(chats.status).toBe(401);
    expect(chats.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('the web chat before it is built', () => {
  let empty: string;
  let world: WebWorld;

  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'higgsbot-web-ui-empty-'));
    world = await startWebWorld({ name: 'page-not-built', env: { WEB_UI_DIR: empty } });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('tells a browser how to build it (503, plain text)', async () => {
    const page = await asBrowser(world.url);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await page.text()).toBe('The web chat is not built: run npm run build');
  });

  it('still answers every other client’s / with the health check, and assets with 404', async () => {
    const health = await world.api('/');
    expect(health.status).toBe(200);
    expect(health.body).toEqual(HEALTH);
    expect((await world.api('/assets/app-3f9a1c2b.js')).status).toBe(404);
  });
});

describe('the page’s Content-Security-Policy with S3 and a public address', () => {
  let ui: WebUiFixture;
  let world: WebWorld;

  beforeAll(async () => {
    ui = await createWebUiFixture('page-s3');
    world = await startWebWorld({
      name: 'page-s3',
      env: {
        WEB_UI_DIR: ui.dir,
        PUBLIC_URL: 'https://chat.example.com/higgsbot',
        MEDIA_LINK_SECRET: SECRET,
        S3_BUCKET: 'results',
        S3_ENDPOINT: 'http://127.0.0.1:9',
        S3_PUBLIC_URL: 'https://media.example.com',
        AWS_ACCESS_KEY_ID: 'key',
        AWS_SECRET_ACCESS_KEY: 'secret',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await ui?.close();
  });

  it('allows results and uploads from the public address’s origin and the bucket’s public origin, nothing else', async () => {
    const origins = ['https://chat.example.com', 'https://media.example.com'];
    const policy = csp(origins, origins);
    expectHardened((await asBrowser(world.url)).headers, policy);
    expectHardened((await fetch(`${world.url}/assets/${ui.css.name}`)).headers, policy);
  });
});

describe('the origins results and uploads come from, by storage', () => {
  const origins = (env: Record<string, string>, own = 'http://127.0.0.1:8080') =>
    linkOrigins(loadConfig(env).media, own);

  it.each<[string, Record<string, string>, string[]]>([
    ['the local folder', {}, ['http://127.0.0.1:8080']],
    [
      'S3 on an endpoint (by path)',
      { S3_BUCKET: 'media', S3_ENDPOINT: 'http://minio:9000' },
      ['http://127.0.0.1:8080', 'http://minio:9000'],
    ],
    [
      'S3 on an endpoint by virtual host',
      { S3_BUCKET: 'media', S3_ENDPOINT: 'https://s3.example.net', S3_FORCE_PATH_STYLE: 'false' },
      ['http://127.0.0.1:8080', 'https://media.s3.example.net'],
    ],
    [
      'S3 with a public address for the bucket',
      { S3_BUCKET: 'media', S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_URL: 'https://cdn.example.com/' },
      ['http://127.0.0.1:8080', 'https://cdn.example.com'],
    ],
    [
      'AWS S3',
      { S3_BUCKET: 'media', S3_REGION: 'eu-west-1' },
      ['http://127.0.0.1:8080', 'https://media.s3.eu-west-1.amazonaws.com'],
    ],
  ])('with %s', (_what, env, expected) => {
    expect(origins(env)).toEqual({ media: expected, uploads: expected });
  });
});

describe('where the built page is looked for', () => {
  const root = resolve(import.meta.dirname, '../..');

  it('is the package’s dist/web, from the sources and from the compiled files alike', () => {
    expect(locateWebUi()).toBe(join(root, 'dist', 'web'));
    expect(locateWebUi(join(root, 'dist', 'src', 'adapters', 'web'))).toBe(join(root, 'dist', 'web'));
  });

  it('is nowhere outside the package', () => {
    expect(locateWebUi(tmpdir())).toBeUndefined();
  });
});

/**
 * `higgsbot chat --simulate --web` as a person runs it: the built CLI (`node bin/higgsbot.js`) as a child
 * process with a fresh DATA_DIR and MEDIA_DIR. It prints one line, the address of the web chat on 127.0.0.1,
 * and listens there only; a browser gets the page (a fixture via WEB_UI_DIR, or 503 when there is no build),
 * every other client the health answer; keyless requests are the anonymous person `demo`; a message in a new
 * chat gets options, and option 1's result is linked on the demo's own origin and opens; SIGINT or SIGTERM
 * closes everything and exits 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliChild, httpStatus, spawnCli, stopAll } from '../e2e/support/cli-process.js';
import { printChildLogsOnFailure } from '../e2e/support/report.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';
import { createWebUiFixture, type WebUiFixture } from '../web/support/web-ui-fixture.js';
import { callApi, until } from '../web/support/web-world.js';
import { ensureBuilt } from './built-cli.js';

printChildLogsOnFailure();

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const ADDRESS_LINE = /^Higgsbot web chat: (http:\/\/127\.0\.0\.1:(\d+)\/)\n$/;
const prefix = testPrefix('web-demo');
let dir: string;
let ui: WebUiFixture;

interface Demo {
  child: CliChild;
  url: string;
  port: number;
}

/** The demo as a child process, once it printed its address. */
async function startDemo(name: string, env: Record<string, string>): Promise<Demo> {
  const child = spawnCli(name, ['chat', '--simulate', '--web', '--port', '0', '--render-ms', '200'], {
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    MEDIA_DIR: join(dir, `${name}-media`),
    DATA_DIR: join(dir, `${name}-data`),
    LOG_LEVEL: 'warn',
    ...env,
  });
  await child.waitForOutput(/Higgsbot web chat: .*\n/, 60_000);
  const match = ADDRESS_LINE.exec(child.stdout);
  if (!match?.[1] || !match[2]) throw new Error(`unexpected stdout: ${JSON.stringify(child.stdout)}`);
  return { child, url: match[1].replace(/\/$/, ''), port: Number(match[2]) };
}

/** Whether something accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-web-demo-'));
  ui = await createWebUiFixture('demo');
  await ensureBuilt();
}, 180_000);

afterAll(async () => {
  await stopAll();
  await deleteKeys(redisUrl(), prefix);
  await ui?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('higgsbot chat --simulate --web', () => {
  let demo: Demo;

  beforeAll(async () => {
    demo = await startDemo('web-demo', { WEB_UI_DIR: ui.dir });
  }, 90_000);

  it('prints one line on stdout, the web chat’s address on 127.0.0.1, and listens there only', async () => {
    expect(demo.child.stdout).toMatch(ADDRESS_LINE);
    expect(demo.port).toBeGreaterThan(0);
    expect(await accepts('127.0.0.1', demo.port)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((net) => net && net.family === 'IPv4' && !net.internal)
      .map((net) => net?.address as string);
    for (const address of others) expect(await accepts(address, demo.port), address).toBe(false);
  });

  it('gives a browser the page, with its Content-Security-Policy, and every other client the health answer', async () => {
    const page = await fetch(`${demo.url}/`, { headers: { accept: BROWSER } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain(`img-src 'self' blob: ${demo.url}`);
    expect(await page.text()).toBe(ui.html);
    const script = await fetch(`${demo.url}/assets/${ui.js.name}`);
    expect(script.status).toBe(200);
    expect(await script.text()).toBe(ui.js.text);
    const health = await callApi(demo.url, '/', { headers: { accept: 'application/json' } });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'healthy', service: 'higgsbot' });
  });

  it('signs in nobody: every keyless request is the anonymous person “demo”', async () => {
    const me = await callApi(demo.url, '/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user_id: 'demo', anonymous: true, media_origins: [demo.url] });
  });

  it('answers a message in a new chat with options; option 1’s result is served from its own origin', async () => {
    const chat = await callApi<{ id: string }>(demo.url, '/chats', { method: 'POST', body: { title: 'Demo' } });
    expect(chat.status).toBe(201);
    const posted = await callApi<{ message: { render_payload: Array<{ type: string; option_id?: string }> } }>(
      demo.url,
      `/chats/${chat.body.id}/messages`,
      { method: 'POST', body: { text: 'a lighthouse on a cliff at dusk, as a picture' } },
    );
    expect(posted.status, posted.text).toBe(201);
    const first = posted.body.message.render_payload.find((chunk) => chunk.type === 'button');
    expect(first?.option_id).toEqual(expect.any(String));

    const generated = await callApi<{ generation_id: string; url: string }>(demo.url, '/higgsfield/generate', {
      method: 'POST',
      body: { option_id: first?.option_id },
    });
    expect(generated.status, generated.text).toBe(200);
    const link = new URL(generated.body.url);
    expect(link.origin).toBe(demo.url);
    expect(link.pathname).toMatch(/^\/media\//);
    const file = await fetch(generated.body.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^(image|video)\//);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);

    // The gallery shows it too, once history has heard.
    const gallery = await until(async () => {
      const page = await callApi<{ items: Array<{ generation_id: string; media: Array<{ url: string }> }> }>(
        demo.url,
        '/generations',
      );
      return page.body.items.some((item) => item.generation_id === generated.body.generation_id) ? page : undefined;
    }, 'the result in the gallery');
    expect(new URL(gallery.body.items[0]?.media[0]?.url ?? '').origin).toBe(demo.url);
  });

  it('closes everything on SIGINT and exits 0', async () => {
    demo.child.child.kill('SIGINT');
    expect(await demo.child.exited).toBe(0);
    expect(await httpStatus(demo.port, '/healthz')).toBe(0);
  });
});

describe('higgsbot chat --simulate --web without a built page', () => {
  it('tells a browser to build it, and exits 0 on SIGTERM', async () => {
    const empty = await mkdtemp(join(dir, 'no-ui-'));
    const demo = await startDemo('web-demo-unbuilt', { WEB_UI_DIR: empty });
    const page = await fetch(`${demo.url}/`, { headers: { accept: BROWSER } });
    expect(page.status).toBe(503);
    expect(await page.text()).toBe('The web chat is not built: run npm run build');
    demo.child.child.kill('SIGTERM');
    expect(await demo.child.exited).toBe(0);
    expect(demo.child.stdout).toMatch(ADDRESS_LINE);
  }, 90_000);
});

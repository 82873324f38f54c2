/**
 * The probe/route server on a real loopback socket: built-in probes, routing answers (404/405), handler
 * failures turning into detail-free 500s, and close() not waiting on an idle keep-alive connection.
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServer, type Readiness, sendJson, startHttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log.js';

describe('startHttpServer', () => {
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  let server: HttpServer;
  let readiness: () => Promise<Readiness> = async () => ({ ok: true });

  beforeAll(async () => {
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger(),
      readiness: () => readiness(),
      routes: [
        { method: 'POST', path: '/echo', handler: (_req, res) => sendJson(res, 201, { echoed: true }) },
        { method: 'GET', path: '/files/', prefix: true, handler: (req, res) => sendJson(res, 200, { at: req.url }) },
        { method: 'GET', path: '/files/big/', prefix: true, handler: (_req, res) => sendJson(res, 200, { big: true }) },
        { method: 'GET', path: '/files/index', handler: (_req, res) => sendJson(res, 200, { index: true }) },
        {
          method: 'GET',
          path: '/boom',
          handler: async () => {
            throw new Error('secret detail');
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await server.close();
    await agent.destroy();
  });

  async function call(method: 'GET' | 'POST', path: string) {
    const res = await request(`${server.url}${path}`, { method, dispatcher: agent });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  it('reports a loopback url and the bound port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers /healthz with 200', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(res.text)).toEqual({ ok: true });
  });

  it('answers /readyz from readiness(): 200, 503 with detail, 503 when it throws', async () => {
    expect((await call('GET', '/readyz')).status).toBe(200);
    readiness = async () => ({ ok: false, detail: { redis: 'down' } });
    const notReady = await call('GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.text)).toEqual({ ok: false, detail: { redis: 'down' } });
    readiness = async () => {
      throw new Error('probe crashed');
    };
    expect((await call('GET', '/readyz')).status).toBe(503);
    readiness = async () => ({ ok: true });
  });

  it('routes by exact path and method; 404 and 405 otherwise', async () => {
    expect((await call('POST', '/echo?x=1')).status).toBe(201);
    const missing = await call('GET', '/echo/more');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ error: 'not found' });
    const wrong = await call('GET', '/echo');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect((await call('POST', '/healthz')).status).toBe(405);
  });

  it('routes prefix paths: an exact path first, then the longest prefix; 405 names their methods', async () => {
    const under = await call('GET', '/files/2026/a.png?x=1');
    expect(JSON.parse(under.text)).toEqual({ at: '/files/2026/a.png?x=1' });
    expect(JSON.parse((await call('GET', '/files/big/b.mp4')).text)).toEqual({ big: true });
    expect(JSON.parse((await call('GET', '/files/index')).text)).toEqual({ index: true });
    expect((await call('GET', '/files')).status).toBe(404);
    const wrong = await call('POST', '/files/a.png');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
  });

  it('turns a handler error into a 500 without details', async () => {
    const res = await call('GET', '/boom');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('secret');
    expect(JSON.parse(res.text)).toEqual({ error: 'internal error' });
  });

  it('binds 0.0.0.0 by default, reports 127.0.0.1, and closes with a keep-alive socket open', async () => {
    const other = await startHttpServer({ port: 0, logger: silentLogger(), routes: [] });
    expect(other.url).toBe(`http://127.0.0.1:${other.port}`);
    const res = await request(`${other.url}/healthz`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

/**
 * The holding proxy the fault specs stand between the processes and the doubles: it forwards every request as
 * it came (method, path, headers, body byte for byte) and answers as the target did, and it can hold one
 * exchange after the target processed it (the caller never hears) or before the target sees it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HoldingProxy, startHoldingProxy } from './support/holding-proxy.js';
import { settle, waitUntil } from './support/wait.js';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: Buffer;
}

let target: Server;
let proxy: HoldingProxy;
const seen: Seen[] = [];

beforeAll(async () => {
  target = createServer(async (req, res) => {
    const body = await buffer(req);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    res.writeHead(201, { 'content-type': 'application/octet-stream', 'x-target': 'yes' });
    res.end(Buffer.concat([Buffer.from('echo:'), body]));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  proxy = await startHoldingProxy(`http://127.0.0.1:${(target.address() as AddressInfo).port}/api/`);
});

afterAll(async () => {
  await proxy.close();
  await new Promise((r) => target.close(r));
});

function send(path: string, body: Buffer, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = request(`${proxy.origin}${path}`, { method: 'POST', agent: false, headers }, async (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: await buffer(res) });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the holding proxy', () => {
  it('keeps the target path and forwards method, path, query, headers and a binary body byte for byte', async () => {
    expect(proxy.url).toBe(`${proxy.origin}/api/`);
    const body = randomBytes(1024 * 1024);
    const answer = await send('/api/files.upload?x=1', body, {
      'content-type': 'multipart/form-data; boundary=b',
      'x-custom': 'kept',
    });
    const got = seen.at(-1)!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/api/files.upload?x=1');
    expect(got.headers['x-custom']).toBe('kept');
    expect(got.headers['content-type']).toBe('multipart/form-data; boundary=b');
    expect(got.body.equals(body)).toBe(true);
    expect(answer.status).toBe(201);
    expect(answer.headers['x-target']).toBe('yes');
    expect(answer.body.equals(Buffer.concat([Buffer.from('echo:'), body]))).toBe(true);
    expect(proxy.exchanges.at(-1)).toMatchObject({ method: 'POST', path: '/api/files.upload', status: 201 });
  });

  it('holds a response after the target processed the request, until released', async () => {
    const hold = proxy.holdResponse({ method: 'POST', path: /complete$/, where: (r) => r.body.toString() === 'two' });
    const before = seen.length;
    const other = await send('/api/complete', Buffer.from('one')); // does not match the body condition
    expect(other.status).toBe(201);
    let answered = false;
    const pending = send('/api/complete', Buffer.from('two')).then((a) => {
      answered = true;
      return a;
    });
    const held = await hold.reached;
    expect(held.body.toString()).toBe('two');
    expect(seen.slice(before).map((s) => s.body.toString())).toEqual(['one', 'two']);
    await settle(200);
    expect(answered).toBe(false);
    hold.release();
    expect((await pending).body.toString()).toBe('echo:two');
  });

  it('holds a request before the target sees it, until released', async () => {
    const hold = proxy.holdRequest({ path: /held$/ });
    const before = seen.length;
    const pending = send('/api/held', Buffer.from('later'));
    await hold.reached;
    await settle(200);
    expect(seen.length).toBe(before);
    hold.release();
    expect((await pending).body.toString()).toBe('echo:later');
    await waitUntil(() => seen.length === before + 1, { timeoutMs: 2_000, what: 'the target saw it' });
  });
});

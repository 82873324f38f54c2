/**
 * The signed media route on a real loopback server, for both stores (a temp folder, and S3 on s3rver): a
 * result stored with PUBLIC_URL set gets a link on that address which opens through the route with the stored
 * type and length (whole, HEAD, and byte ranges); a changed signature, an expired link and `..` or encoded
 * keys are refused with one plain 403, and nothing outside the media folder can be reached.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { createMediaRoutes } from '../../src/http/media-route.js';
import { silentLogger } from '../../src/log.js';
import { createMediaStore, type ServableMediaStore } from '../../src/media/create-media-store.js';
import { signMediaKey } from '../../src/media/media-links.js';
import type { S3MediaStore } from '../../src/media/s3-media-store.js';
import { freePort } from '../support/free-port.js';

const secret = 'route-secret-with-at-least-32-characters';
const ttlS = 3600;
let clock = Date.now();
let root: string;
let s3rver: S3rver;
let s3Endpoint: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'higgsbot-media-route-'));
  await mkdir(join(root, 's3rver'));
  // A file beside the media folder that no link may ever reach.
  await writeFile(join(root, 'outside.txt'), 'not for you');
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(root, 's3rver'),
    configureBuckets: [{ name: 'route-bucket', configs: [] }],
  });
  const { port } = await s3rver.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3rver?.close();
  await rm(root, { recursive: true, force: true });
});

/** A request with the target sent exactly as written (clients normalise `..` away). */
function rawGet(base: string, target: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: target, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(3000, 7)]);

describe.each(['local', 's3'] as const)('signed media route (%s store)', (kind) => {
  let server: HttpServer;
  let store: ServableMediaStore;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const media: Config['media'] = {
      dir: join(root, 'media'),
      linkTtlS: ttlS,
      signedLinks: { publicUrl, secret },
      ...(kind === 's3'
        ? {
            s3: {
              bucket: 'route-bucket',
              region: 'us-east-1',
              endpoint: s3Endpoint,
              forcePathStyle: true,
              accessKeyId: 'S3RVER',
              secretAccessKey: 'S3RVER',
            },
          }
        : {}),
    };
    store = createMediaStore(media, { now: () => clock });
    server = await startHttpServer({
      port,
      host: '127.0.0.1',
      logger: silentLogger(),
      routes: createMediaRoutes({ store, secret, logger: silentLogger(), now: () => clock }),
    });
  });

  afterAll(async () => {
    await server?.close();
    if (store?.kind === 's3') (store as S3MediaStore).close();
  });

  const putPng = (key: string) =>
    store.put(key, Readable.from([png]), {
      contentType: 'image/png',
      maxBytes: 1 << 20,
      providerUrl: 'https://cdn.example/x.png',
    });

  it('gives a result stored with PUBLIC_URL a link on that address that opens with its type and length', async () => {
    clock = Date.now();
    const asset = await putPng('2026/11/22/gen-a-0.png');
    const link = new URL(asset.url);
    expect(link.origin).toBe(publicUrl);
    expect(link.pathname).toBe('/media/2026/11/22/gen-a-0.png');

    const res = await request(asset.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-length']).toBe(String(png.length));
    expect(res.headers['content-disposition']).toBe('inline; filename="gen-a-0.png"');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(Buffer.from(await res.body.arrayBuffer()).equals(png)).toBe(true);
  });

  it('answers HEAD with the headers alone, and serves byte ranges (phones play video by range)', async () => {
    const asset = await putPng('2026/11/22/gen-b-0.png');
    const head = await request(asset.url, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(png.length));
    expect(head.headers['content-type']).toBe('image/png');
    expect(await head.body.text()).toBe('');

    const first = await request(asset.url, { headers: { range: 'bytes=0-3' } });
    expect(first.statusCode).toBe(206);
    expect(first.headers['content-range']).toBe(`bytes 0-3/${png.length}`);
    expect(Buffer.from(await first.body.arrayBuffer()).toString('latin1')).toBe('\x89PNG');
    const tail = await request(asset.url, { headers: { range: 'bytes=-10' } });
    expect(tail.statusCode).toBe(206);
    expect((await tail.body.arrayBuffer()).byteLength).toBe(10);
    const past = await request(asset.url, { headers: { range: `bytes=${png.length}-` } });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${png.length}`);
    await past.body.dump();
  });

  it('refuses a changed signature, another key and an expired link alike: 403, no detail', async () => {
    clock = Date.now();
    const asset = await putPng('2026/11/22/gen-c-0.png');
    const url = new URL(asset.url);
    const sig = url.searchParams.get('sig') ?? '';
    const tampered = new URL(url);
    tampered.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    const otherKey = new URL(url);
    otherKey.pathname = '/media/2026/11/22/gen-a-0.png';
    const noSig = new URL(url);
    noSig.searchParams.delete('sig');

    const answers = [];
    for (const target of [tampered, otherKey, noSig]) {
      const res = await request(target);
      answers.push({ status: res.statusCode, text: await res.body.text() });
    }
    clock += (ttlS + 1) * 1000;
    const expired = await request(asset.url);
    answers.push({ status: expired.statusCode, text: await expired.body.text() });
    clock = Date.now();

    for (const answer of answers) {
      expect(answer).toEqual({ status: 403, text: 'This link is not valid or has expired.\n' });
    }
    expect((await request(asset.url)).statusCode).toBe(200);
  });

  it('refuses `..`, encoded and empty path parts, even with a valid signature for them', async () => {
    const exp = Math.floor(clock / 1000) + 600;
    for (const key of ['../outside.txt', '%2e%2e/outside.txt', '..%2Foutside.txt', 'a/../outside.txt', 'a//b.png']) {
      const res = await rawGet(publicUrl, `/media/${key}?exp=${exp}&sig=${signMediaKey(secret, key, exp)}`);
      expect(res.status, key).not.toBe(200);
      expect(res.text, key).not.toContain('not for you');
    }
  });

  it('answers 404 for a valid link whose file is gone', async () => {
    const key = '2026/11/22/never-stored.png';
    const exp = Math.floor(clock / 1000) + 600;
    const res = await request(`${publicUrl}/media/${key}?exp=${exp}&sig=${signMediaKey(secret, key, exp)}`);
    expect(res.statusCode).toBe(404);
    expect(await res.body.text()).toBe('This file is no longer available.\n');
  });
});

/**
 * downloadToStore against a real node:http server and a real local store: the happy path and redirects,
 * type and size refusals before the body is read, final 4xx versus retryable 423/429/5xx/network, and a provider
 * socket that dies mid-body.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaStore } from '../../src/core/ports.js';
import { AppError, ErrorCode } from '../../src/errors.js';
import { renderPng } from '../../src/higgsfield/simulator/index.js';
import { downloadToStore, extensionFor, isAllowedType } from '../../src/media/download.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { sampleMemoryPeak } from '../support/memory.js';
import { startServer, streamBytes, type TestServer } from './support/http-server.js';
import { MIB } from './support/streams.js';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200_000, 7)]);
const REAL_PNG = renderPng('download', 48);
let dir: string;
let server: TestServer;
let store: MediaStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-download-'));
  store = createLocalMediaStore({ dir });
  server = await startServer((req, res) => {
    switch (req.url) {
      case '/real.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': REAL_PNG.length });
        res.end(REAL_PNG);
        return;
      case '/ok.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
        res.end(PNG);
        return;
      case '/chunked.png':
        res.writeHead(200, { 'content-type': 'image/png; charset=binary' });
        void streamBytes(res, 3 * MIB, PNG.subarray(0, 8));
        return;
      case '/big.mp4':
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 30 * MIB });
        void streamBytes(res, 30 * MIB);
        return;
      case '/redirect':
        res.writeHead(302, { location: '/ok.png' }).end();
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' }).end();
        return;
      case '/to-file':
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
        return;
      case '/page':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>');
        return;
      case '/huge':
        // Announces 50 MB and sends nothing unless read: a client that waited for the body would hang.
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 50 * MIB });
        res.flushHeaders();
        return;
      case '/missing':
        res.writeHead(404, { 'content-type': 'text/plain' }).end('gone');
        return;
      case '/busy':
        res.writeHead(503).end();
        return;
      case '/locked':
        res.writeHead(423, { 'content-type': 'application/json' }).end('{"detail":"temporarily blocked"}');
        return;
      case '/slow-down':
        res.writeHead(429, { 'retry-after': '1' }).end();
        return;
      case '/dies':
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 2 * MIB });
        res.write(Buffer.alloc(100_000));
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      default:
        res.writeHead(500).end();
    }
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const download = (path: string, key: string, extra: Partial<Parameters<typeof downloadToStore>[0]> = {}) =>
  downloadToStore({
    url: `${server.url}${path}`,
    store,
    key,
    maxBytes: 10 * MIB,
    allowedTypes: ['image/', 'video/mp4'],
    timeoutMs: 5_000,
    ...extra,
  });

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('downloadToStore', () => {
  it('streams a provider file into the store', async () => {
    const asset = await download('/ok.png', 'd/ok.png');
    expect(asset).toMatchObject({ key: 'd/ok.png', contentType: 'image/png', sizeBytes: PNG.length });
    expect(asset.providerUrl).toBe(`${server.url}/ok.png`);
    expect(await readFile(join(dir, 'd/ok.png'))).toEqual(PNG);
  });

  it('reads an image’s width and height from the bytes on their way into the store, and nothing it cannot read', async () => {
    expect(await download('/real.png', 'd/real.png')).toMatchObject({ width: 48, height: 48 });
    const unreadable = await download('/ok.png', 'd/ok2.png');
    expect(unreadable.width).toBeUndefined();
    expect(unreadable.durationS).toBeUndefined();
  });

  it('downloads 30 MB with memory that does not grow with the file', async () => {
    const sampler = sampleMemoryPeak();
    const asset = await download('/big.mp4', 'd/big.mp4', { maxBytes: 64 * MIB });
    const peak = sampler.stop();
    expect(asset.sizeBytes).toBe(30 * MIB);
    expect(peak.heapBytes + peak.arrayBuffersBytes).toBeLessThan(20 * MIB);
  });

  it('follows up to 3 redirects, and no further', async () => {
    expect((await download('/redirect', 'd/redirected.png')).sizeBytes).toBe(PNG.length);
    const error = await failure(download('/loop', 'd/loop.png'));
    expect(error).toMatchObject({ code: ErrorCode.MediaFetchFailed, retryable: false });
    expect(error.message).toContain('HTTP 302');
  });

  it('refuses non-http URLs, also as redirect targets', async () => {
    const direct = await failure(download('', 'd/x.png', { url: 'file:///etc/passwd' }));
    expect(direct).toMatchObject({ code: ErrorCode.MediaFetchFailed, retryable: false });
    const redirected = await failure(download('/to-file', 'd/x.png'));
    expect(redirected).toMatchObject({ code: ErrorCode.MediaFetchFailed, retryable: false });
  });

  it('refuses a content-type that is not allowed', async () => {
    const error = await failure(download('/page', 'd/page.png'));
    expect(error).toMatchObject({ code: ErrorCode.MediaBadType, kind: 'failed', retryable: false });
    expect(error.message).toContain('text/html');
    expect(await readdir(dir)).not.toContain('page.png');
  });

  it('refuses a content-length over the cap without reading the body', async () => {
    const started = performance.now();
    const error = await failure(download('/huge', 'd/huge.mp4'));
    expect(error.code).toBe(ErrorCode.MediaTooLarge);
    expect(error.message).toContain('50 MB; the limit is 10 MB');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await store.exists('d/huge.mp4')).toBe(false);
  });

  it('stops a body without content-length at the cap', async () => {
    const error = await failure(download('/chunked.png', 'd/chunked.png', { maxBytes: 1 * MIB }));
    expect(error.code).toBe(ErrorCode.MediaTooLarge);
    expect(await store.exists('d/chunked.png')).toBe(false);
    const asset = await download('/chunked.png', 'd/chunked.png', { maxBytes: 4 * MIB });
    expect(asset).toMatchObject({ contentType: 'image/png', sizeBytes: 3 * MIB });
  });

  it('treats a 404 as final and a 503 as retryable', async () => {
    const notFound = await failure(download('/missing', 'd/missing.png'));
    expect(notFound).toMatchObject({ code: ErrorCode.MediaFetchFailed, kind: 'unavailable', retryable: false });
    expect(notFound.message).toContain('HTTP 404');
    const busy = await failure(download('/busy', 'd/busy.png'));
    expect(busy).toMatchObject({ code: ErrorCode.MediaFetchFailed, kind: 'unavailable', retryable: true });
    expect(busy.message).toContain('HTTP 503');
  });

  it('treats a 423 (temporarily blocked) and a 429 as retryable, as the API client does', async () => {
    const locked = await failure(download('/locked', 'd/locked.png'));
    expect(locked).toMatchObject({ code: ErrorCode.MediaFetchFailed, kind: 'unavailable', retryable: true });
    expect(locked.message).toContain('HTTP 423');
    expect(locked.userMessage).toContain('try again');
    const limited = await failure(download('/slow-down', 'd/slow-down.png'));
    expect(limited).toMatchObject({ code: ErrorCode.MediaFetchFailed, retryable: true });
  });

  it('treats an unreachable host and a socket dying mid-body as retryable', async () => {
    const closed = await startServer(() => {});
    const url = closed.url;
    await closed.close();
    const refused = await failure(download('', 'd/refused.png', { url: `${url}/x.png` }));
    expect(refused).toMatchObject({ code: ErrorCode.MediaFetchFailed, retryable: true });

    const died = await failure(download('/dies', 'd/dies.mp4'));
    expect(died).toMatchObject({ code: ErrorCode.MediaFetchFailed, retryable: true });
    expect(await readdir(join(dir, 'd'))).not.toContain('dies.mp4');
    expect((await readdir(join(dir, 'd'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('maps content types to extensions and matches allowed types', () => {
    expect(extensionFor('image/png')).toBe('png');
    expect(extensionFor('image/jpeg')).toBe('jpg');
    expect(extensionFor('image/webp')).toBe('webp');
    expect(extensionFor('image/gif')).toBe('gif');
    expect(extensionFor('video/mp4')).toBe('mp4');
    expect(extensionFor('video/quicktime')).toBe('mov');
    expect(extensionFor('audio/mpeg')).toBe('mp3');
    expect(extensionFor('audio/wav')).toBe('wav');
    expect(extensionFor('Video/MP4; codecs="avc1"')).toBe('mp4');
    expect(extensionFor('application/octet-stream')).toBe('bin');
    expect(isAllowedType('image/webp', ['image/'])).toBe(true);
    expect(isAllowedType('video/mp4', ['image/', 'video/mp4'])).toBe(true);
    expect(isAllowedType('video/mp42', ['video/mp4'])).toBe(false);
    expect(isAllowedType('', ['image/'])).toBe(false);
  });
});

/**
 * Input-image checks: magic-byte sniffing of real PNG/JPEG/WebP/GIF headers, files refused for type, size
 * and absence, and fetchImage against real node:http servers: allowed hosts, headers kept to the original
 * origin, and a 50 MB stream cut off after maxBytes+1 bytes.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import {
  fetchImage,
  hostAllowed,
  IMAGE_INPUT_MAX_BYTES,
  readImageFile,
  sniffImageType,
} from '../../src/media/image-input.js';
import { startServer, streamBytes, type TestServer } from './support/http-server.js';
import { MIB } from './support/streams.js';

// Real files: a 1x1 PNG, a 1x1 GIF, a 1x1 lossless WebP, and the start of a JFIF JPEG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64)]);

let dir: string;
let server: TestServer;
let other: TestServer;
let streamed = 0;
const seenAuth: Array<string | undefined> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-image-input-'));
  other = await startServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  });
  server = await startServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    switch (req.url) {
      case '/cat.png':
        // A lying content-type: the bytes decide.
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PNG);
        return;
      case '/fake.png':
        res.writeHead(200, { 'content-type': 'image/png' }).end('<html>definitely not a png</html>');
        return;
      case '/endless.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        void streamBytes(res, 50 * MIB, PNG.subarray(0, 16)).then((n) => {
          streamed = n;
        });
        return;
      case '/announced-big.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 30 * MIB });
        res.flushHeaders();
        return;
      case '/elsewhere':
        res.writeHead(302, { location: `${other.url}/cat.png` }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
});

afterAll(async () => {
  await server?.close();
  await other?.close();
  await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<BadInputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadInputError);
  return error as BadInputError;
}

describe('sniffImageType', () => {
  it('recognises PNG, JPEG, WebP and GIF by their magic bytes', () => {
    expect(sniffImageType(PNG)).toBe('image/png');
    expect(sniffImageType(JPEG)).toBe('image/jpeg');
    expect(sniffImageType(WEBP)).toBe('image/webp');
    expect(sniffImageType(GIF)).toBe('image/gif');
    expect(sniffImageType(PNG.subarray(0, 12))).toBe('image/png');
  });

  it('refuses anything else', () => {
    expect(sniffImageType(Buffer.from('hello, world'))).toBeUndefined();
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
    expect(sniffImageType(PNG.subarray(0, 4))).toBeUndefined();
  });
});

describe('readImageFile', () => {
  it('reads a real image and reports its type and size', async () => {
    const path = join(dir, 'pic.webp');
    await writeFile(path, WEBP);
    expect(await readImageFile(path, IMAGE_INPUT_MAX_BYTES)).toEqual({
      bytes: WEBP,
      contentType: 'image/webp',
      sizeBytes: WEBP.length,
    });
  });

  it('refuses a text file, an oversize file and a missing file with messages for people', async () => {
    const text = join(dir, 'notes.png');
    await writeFile(text, 'just some notes');
    expect((await refusal(readImageFile(text, IMAGE_INPUT_MAX_BYTES))).message).toBe(
      `${text} is not a PNG, JPEG, WebP or GIF image`,
    );

    const big = join(dir, 'big.png');
    await writeFile(big, PNG);
    await truncate(big, Math.round(31.2 * MIB)); // sparse: instant, no real 31 MB written
    expect((await refusal(readImageFile(big, IMAGE_INPUT_MAX_BYTES))).message).toBe(
      `${big} is 31.2 MB; the limit is 20 MB`,
    );

    const missing = join(dir, 'nope.png');
    expect((await refusal(readImageFile(missing, IMAGE_INPUT_MAX_BYTES))).message).toBe(`${missing} was not found`);
    expect((await refusal(readImageFile(dir, IMAGE_INPUT_MAX_BYTES))).message).toContain('is not a file');
  });
});

describe('fetchImage', () => {
  it('fetches an image and trusts the bytes, not the declared type', async () => {
    const image = await fetchImage({ url: `${server.url}/cat.png`, maxBytes: MIB, allowedHosts: ['127.0.0.1'] });
    expect(image).toEqual({ bytes: PNG, contentType: 'image/png', sizeBytes: PNG.length });
  });

  it('refuses a non-image served as image/png', async () => {
    const error = await refusal(fetchImage({ url: `${server.url}/fake.png`, maxBytes: MIB }));
    expect(error.message).toContain('is not a PNG, JPEG, WebP or GIF image');
  });

  it('refuses hosts outside allowedHosts before connecting', async () => {
    seenAuth.length = 0;
    const error = await refusal(
      fetchImage({ url: `${server.url}/cat.png`, allowedHosts: ['cdn.discordapp.com', '.slack.com'] }),
    );
    expect(error.message).toContain('Images are only accepted from cdn.discordapp.com, .slack.com');
    expect(seenAuth).toEqual([]);
    expect(hostAllowed('files.slack.com', ['.slack.com'])).toBe(true);
    expect(hostAllowed('evilslack.com', ['.slack.com'])).toBe(false);
    expect(hostAllowed('CDN.discordapp.com', ['cdn.discordapp.com'])).toBe(true);
    expect(hostAllowed('media.discordapp.net', ['cdn.discordapp.com'])).toBe(false);
  });

  it('sends headers to the original origin only, not across a redirect', async () => {
    seenAuth.length = 0;
    const image = await fetchImage({
      url: `${server.url}/elsewhere`,
      headers: { authorization: 'Bearer xoxb-secret' },
    });
    expect(image.contentType).toBe('image/png');
    expect(seenAuth).toEqual(['Bearer xoxb-secret', undefined]);
  });

  it('says which HTTP status it got, and when a host is unreachable', async () => {
    expect((await refusal(fetchImage({ url: `${server.url}/gone.png` }))).message).toContain('HTTP 404');
    const closed = await startServer(() => {});
    await closed.close();
    expect((await refusal(fetchImage({ url: `${closed.url}/x.png` }))).message).toContain('could not be reached');
    expect((await refusal(fetchImage({ url: 'not a url' }))).message).toContain('not a valid URL');
    expect((await refusal(fetchImage({ url: 'ftp://127.0.0.1/x.png' }))).message).toContain('http or https');
  });

  it('refuses an announced size over the cap without reading', async () => {
    const started = performance.now();
    const error = await refusal(fetchImage({ url: `${server.url}/announced-big.png` }));
    expect(error.message).toContain('is 30 MB; the limit is 20 MB');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('stops reading a 50 MB stream just past maxBytes, and returns quickly', async () => {
    streamed = 0;
    const started = performance.now();
    const error = await refusal(fetchImage({ url: `${server.url}/endless.png`, maxBytes: MIB }));
    expect(error.message).toContain('is larger than the limit of 1 MB');
    expect(performance.now() - started).toBeLessThan(2_000);
    await expect.poll(() => streamed, { timeout: 2_000 }).toBeGreaterThan(0);
    // The server stopped well short of 50 MB: only what socket buffers held beyond the 1 MB read.
    expect(streamed).toBeLessThan(16 * MIB);
  });
});

/**
 * The S3 MediaStore against s3rver (a real S3 HTTP server, in-process, on a temp folder): a 20 MB stream
 * goes up as a 3-part multipart upload, the presigned URL serves the same bytes, over-cap uploads abort
 * and leave no object. s3rver does not verify SigV4 signatures, so these tests cannot catch signing bugs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortedError, BadInputError, ErrorCode, isAppError } from '../../src/errors.js';
import { createMediaStore } from '../../src/media/create-media-store.js';
import { createS3Client } from '../../src/media/s3-client.js';
import { createS3MediaStore, type S3MediaStore } from '../../src/media/s3-media-store.js';
import { MIB, patternStream, sha256Of } from './support/streams.js';

let dir: string;
let server: S3rver;
let store: S3MediaStore;
let endpoint: string;
let client: S3Client;
/** Names of the S3 commands sent, in order (e.g. 'UploadPart'). */
const commands: string[] = [];
const settings = () => ({
  bucket: 'test-bucket',
  region: 'us-east-1',
  endpoint,
  forcePathStyle: true,
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-s3rver-'));
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'test-bucket', configs: [] }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  client = createS3Client(settings());
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  store = createS3MediaStore({ s3: settings(), presignTtlS: 3600, client });
});

afterAll(async () => {
  store?.close();
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const put = (maxBytes: number, extra: Record<string, unknown> = {}) => ({
  contentType: 'video/mp4',
  maxBytes,
  providerUrl: 'https://cdn.example/v.mp4',
  ...extra,
});

describe('S3 media store (s3rver)', () => {
  it('uploads a 20 MB stream in parts and the presigned URL serves the same bytes', async () => {
    const source = patternStream(20 * MIB);
    commands.length = 0;
    const asset = await store.put('2026/11/21/gen-0.mp4', source.stream, put(64 * MIB));
    // 8 + 8 + 4 MiB, then the presigned GET (signed locally, not sent).
    expect(commands).toEqual([
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'UploadPart',
      'CompleteMultipartUpload',
      'GetObject',
    ]);
    expect(asset).toMatchObject({
      key: '2026/11/21/gen-0.mp4',
      contentType: 'video/mp4',
      sizeBytes: 20 * MIB,
      providerUrl: 'https://cdn.example/v.mp4',
    });
    expect(asset.path).toBeUndefined();
    const url = new URL(asset.url);
    expect(url.origin).toBe(endpoint);
    expect(url.pathname).toBe('/test-bucket/2026/11/21/gen-0.mp4');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');

    const res = await request(asset.url);
    expect(res.statusCode).toBe(200);
    const served = await sha256Of(res.body);
    expect(served.size).toBe(20 * MIB);
    expect(served.head).toEqual(Buffer.alloc(16, 0));
    expect(served.hex).toBe(source.digest());

    expect(await store.exists('2026/11/21/gen-0.mp4')).toBe(true);
    const opened = await sha256Of(await store.open('2026/11/21/gen-0.mp4'));
    expect(opened.hex).toBe(source.digest());
  });

  it('stores a small file with a single PUT', async () => {
    const asset = await store.put('small/a.png', Readable.from([Buffer.from('tiny image')]), {
      contentType: 'image/png',
      maxBytes: 1024,
      providerUrl: 'https://cdn.example/a.png',
    });
    expect(asset.sizeBytes).toBe(10);
    const res = await request(asset.url);
    expect(res.headers['content-type']).toBe('image/png');
    expect(await res.body.text()).toBe('tiny image');
  });

  it('aborts a multipart upload past maxBytes and leaves no object', async () => {
    const source = patternStream(20 * MIB);
    commands.length = 0;
    const error = await store.put('over/cap.mp4', source.stream, put(10 * MIB)).catch((e: unknown) => e);
    expect(isAppError(error, ErrorCode.MediaTooLarge)).toBe(true);
    expect(commands).not.toContain('CompleteMultipartUpload');
    // lib-storage aborts the multipart upload in the background (s3rver answers it with an error).
    await vi.waitFor(() => expect(commands).toContain('AbortMultipartUpload'));
    expect(source.stream.destroyed).toBe(true);
    expect(await store.exists('over/cap.mp4')).toBe(false);
  });

  it('aborts a single-part upload past maxBytes and leaves no object', async () => {
    const source = patternStream(2 * MIB);
    const error = await store.put('over/small.png', source.stream, put(1 * MIB)).catch((e: unknown) => e);
    expect(isAppError(error, ErrorCode.MediaTooLarge)).toBe(true);
    expect(await store.exists('over/small.png')).toBe(false);
  });

  it('refuses an announced size over the cap before reading, and bad keys', async () => {
    const source = patternStream(4 * MIB);
    const error = await store
      .put('over/announced.mp4', source.stream, put(1 * MIB, { expectedBytes: 4 * MIB }))
      .catch((e: unknown) => e);
    expect(isAppError(error, ErrorCode.MediaTooLarge)).toBe(true);
    expect(source.pulled()).toBe(0);
    await expect(store.put('../x', Readable.from([Buffer.from('x')]), put(10))).rejects.toBeInstanceOf(BadInputError);
  });

  it('honours the abort signal mid-upload', async () => {
    const controller = new AbortController();
    const source = patternStream(20 * MIB, (i) => {
      if (i === 200) controller.abort();
    });
    const error = await store
      .put('aborted/a.mp4', source.stream, put(64 * MIB, { signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(source.stream.destroyed).toBe(true);
    expect(await store.exists('aborted/a.mp4')).toBe(false);
  });

  it('reports missing keys: exists false, open MEDIA_NOT_FOUND', async () => {
    expect(await store.exists('missing/none.png')).toBe(false);
    await expect(store.open('missing/none.png')).rejects.toMatchObject({ code: ErrorCode.MediaNotFound });
  });

  it('clamps the presign lifetime to 7 days', async () => {
    const long = createS3MediaStore({
      s3: settings(),
      presignTtlS: 30 * 24 * 3600,
    });
    const url = new URL(await long.presign('small/a.png'));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('604800');
    expect((await request(url)).statusCode).toBe(200);
    long.close();
  });

  it('presigns on S3_PUBLIC_URL when set, so the link names the public host (SigV4 signs the host)', async () => {
    const publicStore = createS3MediaStore({ s3: { ...settings(), publicUrl: 'https://media.example.com' }, client });
    const asset = await publicStore.put('public/p.png', Readable.from([Buffer.from('public bytes')]), {
      contentType: 'image/png',
      maxBytes: 1024,
      providerUrl: 'https://cdn.example/p.png',
    });
    const url = new URL(asset.url);
    expect(url.origin).toBe('https://media.example.com');
    expect(url.pathname).toBe('/test-bucket/public/p.png');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // The signature differs from one made for the internal endpoint: it could not be rewritten afterwards.
    expect(new URL(await store.presign('public/p.png')).searchParams.get('X-Amz-Signature')).not.toBe(
      url.searchParams.get('X-Amz-Signature'),
    );
    // What a proxy at the public host forwards to the server: the same path and query (s3rver skips SigV4).
    const res = await request(`${endpoint}${url.pathname}${url.search}`);
    expect(await res.body.text()).toBe('public bytes');
    publicStore.close();
  });

  it('takes the public storage URL over the bot’s signed route when both are configured', async () => {
    const both = createMediaStore({
      dir: './media',
      linkTtlS: 3600,
      signedLinks: { publicUrl: 'https://bot.example.com', secret: 'x'.repeat(32) },
      s3: { ...settings(), publicUrl: 'https://media.example.com' },
    });
    const viaBot = createMediaStore({
      dir: './media',
      linkTtlS: 3600,
      signedLinks: { publicUrl: 'https://bot.example.com', secret: 'x'.repeat(32) },
      s3: settings(),
    });
    const body = () => Readable.from([Buffer.from('x')]);
    const options = { contentType: 'image/png', maxBytes: 10, providerUrl: 'https://cdn.example/x.png' };
    const publicUrl = new URL((await both.put('rule/a.png', body(), options)).url);
    expect(publicUrl.origin).toBe('https://media.example.com');
    expect(publicUrl.searchParams.get('X-Amz-Expires')).toBe('3600');
    const botUrl = new URL((await viaBot.put('rule/b.png', body(), options)).url);
    expect(`${botUrl.origin}${botUrl.pathname}`).toBe('https://bot.example.com/media/rule/b.png');
    for (const s of [both, viaBot]) (s as S3MediaStore).close();
  });

  it('tells type and size without reading, and reads a byte range', async () => {
    await store.put('head/h.mp4', Readable.from([Buffer.from('0123456789')]), put(1024));
    expect(await store.head('head/h.mp4')).toEqual({ contentType: 'video/mp4', sizeBytes: 10 });
    expect(await store.head('head/none.mp4')).toBeUndefined();
    const part = await store.read('head/h.mp4', { start: 2, end: 5 });
    expect(Buffer.concat(await part.toArray()).toString()).toBe('2345');
  });
});

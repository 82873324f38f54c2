/**
 * The local MediaStore on a temp folder: a 30 MB stream with bounded memory (sampled after forced GCs,
 * so garbage awaiting collection does not count), over-cap and aborted writes that leave nothing behind,
 * key validation, and the open/exists round trip.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, BadInputError, ErrorCode, isAppError } from '../../src/errors.js';
import { createMediaStore } from '../../src/media/create-media-store.js';
import { createLocalMediaStore, type LocalMediaStore } from '../../src/media/local-media-store.js';
import { sampleMemoryPeak } from '../support/memory.js';
import { MIB, patternStream, sha256Of } from './support/streams.js';

let dir: string;
let store: LocalMediaStore;
const put = (maxBytes: number, extra: Record<string, unknown> = {}) => ({
  contentType: 'video/mp4',
  maxBytes,
  providerUrl: 'https://cdn.example/x.mp4',
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-local-store-'));
  store = createLocalMediaStore({ dir });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('local media store', () => {
  it('streams 30 MB to disk with memory that does not grow with the file', async () => {
    const sampler = sampleMemoryPeak();
    const source = patternStream(30 * MIB);
    const asset = await store.put('2026/11/21/big.mp4', source.stream, put(64 * MIB));
    const peak = sampler.stop();

    expect(asset.sizeBytes).toBe(30 * MIB);
    expect(asset.path).toBe(join(dir, '2026/11/21/big.mp4'));
    expect(isAbsolute(asset.path ?? '')).toBe(true);
    expect(asset.url).toBe('https://cdn.example/x.mp4');
    // Memory still held after a collection: freed pages the allocator keeps (RSS) say nothing about the file.
    expect(peak.heapBytes + peak.arrayBuffersBytes).toBeLessThan(20 * MIB);
    const read = await sha256Of(await store.open('2026/11/21/big.mp4'));
    expect(read.size).toBe(30 * MIB);
    expect(read.hex).toBe(source.digest());
    expect(await readdir(join(dir, '2026/11/21'))).toEqual(['big.mp4']);
  });

  it('aborts past maxBytes, destroys the source and leaves neither file nor temp file', async () => {
    const source = patternStream(8 * MIB);
    const error = await store.put('over/cap.mp4', source.stream, put(1 * MIB)).catch((e: unknown) => e);
    expect(isAppError(error, ErrorCode.MediaTooLarge)).toBe(true);
    expect(error).toMatchObject({ kind: 'failed', retryable: false });
    expect((error as Error & { userMessage: string }).userMessage).toContain('1 MB');
    expect(source.stream.destroyed).toBe(true);
    expect(source.pulled()).toBeLessThan(40);
    expect(await readdir(join(dir, 'over'))).toEqual([]);
    expect(await store.exists('over/cap.mp4')).toBe(false);
  });

  it('refuses an announced size over the cap before reading a byte', async () => {
    const source = patternStream(4 * MIB);
    const error = await store
      .put('announced/too-big.mp4', source.stream, put(1 * MIB, { expectedBytes: 4 * MIB }))
      .catch((e: unknown) => e);
    expect(isAppError(error, ErrorCode.MediaTooLarge)).toBe(true);
    expect((error as Error).message).toContain('4 MB; the limit is 1 MB');
    expect(source.pulled()).toBe(0);
    expect(source.stream.destroyed).toBe(true);
    expect(await store.exists('announced/too-big.mp4')).toBe(false);
  });

  it('honours the abort signal mid-stream and cleans up', async () => {
    const controller = new AbortController();
    const source = patternStream(16 * MIB, (i) => {
      if (i === 10) controller.abort();
    });
    const error = await store
      .put('aborted/a.mp4', source.stream, put(64 * MIB, { signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(await readdir(join(dir, 'aborted'))).toEqual([]);
  });

  it('refuses bad keys with a BadInputError and destroys the body', async () => {
    for (const key of [
      '../escape.png',
      '/etc/passwd',
      'a/../b.png',
      'a b.png',
      '',
      'a//b.png',
      './a.png',
      'é.png',
      'a\\b',
    ]) {
      const body = Readable.from([Buffer.from('x')]);
      await expect(store.put(key, body, put(1024)), key).rejects.toBeInstanceOf(BadInputError);
      expect(body.destroyed).toBe(true);
    }
    await expect(store.exists('../x')).rejects.toBeInstanceOf(BadInputError);
    await expect(store.open('/x')).rejects.toBeInstanceOf(BadInputError);
  });

  it('round-trips open, head, ranged reads and exists, and reports a missing key as MEDIA_NOT_FOUND', async () => {
    const withUrl = createLocalMediaStore({ dir, linkFor: (key) => `https://media.example/files/${key}` });
    const asset = await withUrl.put('r/t.png', Readable.from([Buffer.from('hello '), Buffer.from('world')]), {
      contentType: 'image/png',
      maxBytes: 1024,
      providerUrl: 'https://cdn.example/t.png',
    });
    expect(asset).toMatchObject({
      key: 'r/t.png',
      contentType: 'image/png',
      sizeBytes: 11,
      url: 'https://media.example/files/r/t.png',
      providerUrl: 'https://cdn.example/t.png',
    });
    expect(await withUrl.exists('r/t.png')).toBe(true);
    expect(await withUrl.exists('r/none.png')).toBe(false);
    expect(await withUrl.exists('r')).toBe(false);
    expect(Buffer.concat(await (await withUrl.open('r/t.png')).toArray()).toString()).toBe('hello world');
    await expect(withUrl.open('r/none.png')).rejects.toMatchObject({ code: ErrorCode.MediaNotFound });
    await expect(withUrl.open('r')).rejects.toMatchObject({ code: ErrorCode.MediaNotFound });
    // The folder keeps no metadata: the type comes from the key's extension.
    expect(await withUrl.head('r/t.png')).toEqual({ contentType: 'image/png', sizeBytes: 11 });
    expect(await withUrl.head('r/none.png')).toBeUndefined();
    expect(await withUrl.head('r')).toBeUndefined();
    const part = await withUrl.read('r/t.png', { start: 6, end: 10 });
    expect(Buffer.concat(await part.toArray()).toString()).toBe('world');
    await expect(withUrl.read('r/none.png')).rejects.toMatchObject({ code: ErrorCode.MediaNotFound });
    await expect(withUrl.head('../x')).rejects.toBeInstanceOf(BadInputError);
  });

  it('createMediaStore picks local without S3 settings and S3 with them', () => {
    expect(createMediaStore({ dir, linkTtlS: 3600 }).kind).toBe('local');
    const s3 = createMediaStore({
      dir,
      linkTtlS: 3600,
      s3: { bucket: 'b', region: 'us-east-1', forcePathStyle: true },
    });
    expect(s3.kind).toBe('s3');
  });
});

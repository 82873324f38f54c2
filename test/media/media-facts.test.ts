/**
 * What a file's first bytes say: an image's size in each format people get (PNG, GIF, JPEG, WebP) and an
 * MP4's duration from its movie header, version 0 and 1; anything unrecognised or cut short says nothing.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { renderPng } from '../../src/higgsfield/simulator/index.js';
import { HEAD_BYTES, HeadCapture, mediaFacts } from '../../src/media/media-facts.js';

const gif = (w: number, h: number) => {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'ascii');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return b;
};

/** SOI, an APP0 segment to skip, then a baseline start-of-frame. */
const jpeg = (w: number, h: number) => {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(h, 5);
  sof.writeUInt16BE(w, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
};

const webpVp8x = (w: number, h: number) => {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'ascii');
  b.write('WEBP', 8, 'ascii');
  b.write('VP8X', 12, 'ascii');
  b.writeUIntLE(w - 1, 24, 3);
  b.writeUIntLE(h - 1, 27, 3);
  return b;
};

/** ftyp, then moov with an mvhd of the given version. */
const mp4 = (version: 0 | 1, timescale: number, duration: number) => {
  const ftyp = Buffer.alloc(16);
  ftyp.writeUInt32BE(16, 0);
  ftyp.write('ftypisom', 4, 'ascii');
  const body = Buffer.alloc(version === 0 ? 100 : 112);
  body[0] = version;
  if (version === 0) {
    body.writeUInt32BE(timescale, 12);
    body.writeUInt32BE(duration, 16);
  } else {
    body.writeUInt32BE(timescale, 20);
    body.writeBigUInt64BE(BigInt(duration), 24);
  }
  const mvhd = Buffer.concat([Buffer.alloc(4), Buffer.from('mvhd'), body]);
  mvhd.writeUInt32BE(mvhd.length, 0);
  const moov = Buffer.concat([Buffer.alloc(4), Buffer.from('moov'), mvhd]);
  moov.writeUInt32BE(moov.length, 0);
  return Buffer.concat([ftyp, moov]);
};

describe('media facts', () => {
  it.each([
    ['a PNG', renderPng('facts', 32), 'image/png', { width: 32, height: 32 }],
    ['a GIF', gif(640, 480), 'image/gif', { width: 640, height: 480 }],
    ['a JPEG', jpeg(1920, 1080), 'image/jpeg', { width: 1920, height: 1080 }],
    ['a WebP', webpVp8x(1024, 768), 'image/webp', { width: 1024, height: 768 }],
    ['an MP4 (mvhd v0)', mp4(0, 1000, 5_040), 'video/mp4', { durationS: 5.04 }],
    ['an MP4 (mvhd v1)', mp4(1, 90_000, 900_000), 'video/mp4', { durationS: 10 }],
  ])('reads %s', (_what, bytes, type, facts) => {
    expect(mediaFacts(bytes, type)).toEqual(facts);
  });

  it.each([
    ['bytes of no known format', Buffer.from('not an image at all'), 'image/png'],
    ['a PNG cut before its header', renderPng('facts', 32).subarray(0, 20), 'image/png'],
    ['a JPEG without a frame header', jpeg(10, 10).subarray(0, 22), 'image/jpeg'],
    ['an MP4 whose movie header is not at the start', Buffer.alloc(64), 'video/mp4'],
    ['an MP4 with a zero timescale', mp4(0, 0, 10), 'video/mp4'],
    ['audio', Buffer.alloc(64), 'audio/mpeg'],
  ])('says nothing for %s', (_what, bytes, type) => {
    expect(mediaFacts(bytes, type)).toEqual({});
  });

  it('keeps only the head of what passes through, and passes everything on', async () => {
    const capture = new HeadCapture();
    const seen: Buffer[] = [];
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(16 * 1024, i));
    await pipeline(Readable.from(chunks), capture, async (source) => {
      for await (const chunk of source) seen.push(chunk as Buffer);
    });
    expect(Buffer.concat(seen).length).toBe(160 * 1024);
    expect(capture.head().length).toBe(HEAD_BYTES);
    expect(
      capture
        .head()
        .subarray(0, 16 * 1024)
        .equals(chunks[0]!),
    ).toBe(true);
  });
});

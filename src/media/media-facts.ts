/**
 * What a stored file's first bytes say about it: an image's width and height (PNG, GIF, JPEG, WebP) and a
 * video's duration (MP4/QuickTime, from the `mvhd` box when the movie header comes first, as it does in files
 * made for streaming). Read from the head the download already streams through, never a second fetch; a
 * format not recognised, or a header beyond the head, gives nothing (history keeps what is known).
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface MediaFacts {
  width?: number;
  height?: number;
  durationS?: number;
}

/** How much of the start of a file is kept to read its facts. */
export const HEAD_BYTES = 64 * 1024;

/** A pass-through that keeps the first `HEAD_BYTES` of what flows through it. */
export class HeadCapture extends Transform {
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.kept < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.kept);
      this.chunks.push(part);
      this.kept += part.length;
    }
    done(null, chunk);
  }

  head(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export function mediaFacts(head: Buffer, contentType: string): MediaFacts {
  if (contentType.startsWith('image/')) return imageSize(head) ?? {};
  if (contentType.startsWith('video/')) {
    const durationS = mp4DurationS(head);
    return durationS === undefined ? {} : { durationS };
  }
  return {};
}

function imageSize(b: Buffer): { width: number; height: number } | undefined {
  // PNG: the IHDR chunk comes first.
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('ascii', 12, 16) === 'IHDR') {
    return positive(b.readUInt32BE(16), b.readUInt32BE(20));
  }
  if (b.length >= 10 && b.toString('ascii', 0, 3) === 'GIF') return positive(b.readUInt16LE(6), b.readUInt16LE(8));
  if (b.length >= 30 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP') {
    return webpSize(b);
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  return undefined;
}

function webpSize(b: Buffer): { width: number; height: number } | undefined {
  const kind = b.toString('ascii', 12, 16);
  if (kind === 'VP8X') return positive(1 + b.readUIntLE(24, 3), 1 + b.readUIntLE(27, 3));
  if (kind === 'VP8L' && b[20] === 0x2f) {
    const bits = b.readUInt32LE(21);
    return positive((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (kind === 'VP8 ' && b.length >= 30) return positive(b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  return undefined;
}

/** The first start-of-frame marker (SOF0–SOF15, except DHT, JPG and DAC) carries the size. */
function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = b.readUInt16BE(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return positive(b.readUInt16BE(at + 7), b.readUInt16BE(at + 5));
    at += 2 + length;
  }
  return undefined;
}

/** `mvhd`: version 0 has 32-bit times (timescale at +12, duration at +16 from its version byte), 1 has 64-bit. */
function mp4DurationS(b: Buffer): number | undefined {
  const at = b.indexOf('mvhd', 4, 'ascii');
  if (at < 0) return undefined;
  const body = at + 4;
  const version = b[body];
  let timescale: number;
  let duration: number;
  if (version === 0 && body + 20 <= b.length) {
    timescale = b.readUInt32BE(body + 12);
    duration = b.readUInt32BE(body + 16);
  } else if (version === 1 && body + 32 <= b.length) {
    timescale = b.readUInt32BE(body + 20);
    duration = Number(b.readBigUInt64BE(body + 24));
  } else {
    return undefined;
  }
  if (timescale === 0 || !Number.isFinite(duration) || duration <= 0) return undefined;
  return Math.round((duration / timescale) * 1000) / 1000;
}

function positive(width: number, height: number): { width: number; height: number } | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

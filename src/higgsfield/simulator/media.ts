/**
 * Fake outputs: a real 64x64 PNG (CRC32 computed here, since Node 20's zlib has none) and an MP4 body of
 * any size, streamed in 64 KiB slices of one shared zero buffer so a 50 MB video never sits in memory.
 * The MP4 is an `ftyp` box followed by a `free` box of zeros: a well-formed box sequence.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array, seed = 0): number {
  let crc = (seed ^ 0xffffffff) >>> 0;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A 64x64 RGB gradient whose colours derive from `seed` (request id + output index). */
export function renderPng(seed: string, size = 64): Buffer {
  const digest = createHash('sha256').update(seed).digest();
  const [r0 = 0, g0 = 0, b0 = 0, r1 = 255, g1 = 255, b1 = 255] = digest;
  const rowBytes = 1 + size * 3;
  const raw = Buffer.alloc(rowBytes * size);
  for (let y = 0; y < size; y++) {
    raw[y * rowBytes] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const t = (x + y) / (2 * (size - 1));
      const at = y * rowBytes + 1 + x * 3;
      raw[at] = Math.round(r0 + (r1 - r0) * t);
      raw[at + 1] = Math.round(g0 + (g1 - g0) * t);
      raw[at + 2] = Math.round(b0 + (b1 - b0) * t);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit depth, RGB, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

/** The first bytes of the MP4: `ftyp` (isom) then a `free` box header covering the rest of the file. */
export function mp4Header(totalBytes: number): Buffer {
  const ftyp = Buffer.alloc(32);
  ftyp.writeUInt32BE(32, 0);
  ftyp.write('ftypisom', 4, 'ascii');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isomiso2avc1mp41', 16, 'ascii');
  const rest = totalBytes - ftyp.length;
  if (rest < 8 || rest > 0xffffffff) return ftyp.subarray(0, Math.min(totalBytes, ftyp.length));
  const free = Buffer.alloc(8);
  free.writeUInt32BE(rest, 0);
  free.write('free', 4, 'ascii');
  return Buffer.concat([ftyp, free]);
}

/** A stream of exactly `totalBytes`: the header, then zero slices; pulled, so it honours backpressure. */
export function mp4Stream(totalBytes: number): Readable {
  const header = mp4Header(totalBytes);
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const chunk =
        sent < header.length ? header.subarray(sent) : ZEROS.subarray(0, Math.min(CHUNK, totalBytes - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

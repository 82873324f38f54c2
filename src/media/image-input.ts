/**
 * Checks the images people hand us (a file in the terminal, an attachment URL in chat) before anything is
 * queued. The type comes from magic bytes, never from a declared content-type or file name, and a fetch
 * keeps at most maxBytes+1 bytes: a server that streams forever costs one chunk past the cap, no more.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { AbortedError, BadInputError } from '../errors.js';
import { contentLength, describeUrl, discard, httpGet } from './http-get.js';
import { describeOverLimit, formatMegabytes, MIB } from './media-common.js';
import type { LookupAll } from './public-address.js';

export const IMAGE_INPUT_MAX_BYTES = 20 * MIB;

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 3;
/** Enough bytes to tell every supported type apart (WebP needs 12). */
const SNIFF_BYTES = 12;

export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';

export interface ImageInput {
  bytes: Buffer;
  contentType: ImageType;
  sizeBytes: number;
}

const NOT_AN_IMAGE = 'is not a PNG, JPEG, WebP or GIF image';

/** The image type from the first bytes of a file, or undefined. */
export function sniffImageType(firstBytes: Buffer): ImageType | undefined {
  const b = firstBytes;
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  const ascii = (from: number, to: number) => b.subarray(from, to).toString('latin1');
  if (b.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Reads and checks an image file given by path. Every refusal is a BadInputError for the person. */
export async function readImageFile(path: string, maxBytes: number = IMAGE_INPUT_MAX_BYTES): Promise<ImageInput> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new BadInputError(`${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BadInputError(`${path} was not found`, error);
    throw new BadInputError(`${path} could not be read`, error);
  }
  if (size > maxBytes) throw new BadInputError(`${path} is ${describeOverLimit(size, maxBytes)}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new BadInputError(`${path} could not be read`, error);
  }
  if (bytes.length > maxBytes) throw new BadInputError(`${path} is ${describeOverLimit(bytes.length, maxBytes)}`);
  const contentType = sniffImageType(bytes);
  if (!contentType) throw new BadInputError(`${path} ${NOT_AN_IMAGE}`);
  return { bytes, contentType, sizeBytes: bytes.length };
}

export interface FetchImageOptions {
  url: string;
  maxBytes?: number;
  /** Hosts images may come from: exact ('cdn.discordapp.com') or by suffix ('.slack.com'). */
  allowedHosts?: readonly string[];
  /** Sent to the original origin only (e.g. `Authorization: Bearer xoxb-…` for Slack files). */
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  /**
   * The link came from a person, not from the platform: every hop's host is resolved once, refused when any
   * address is private, loopback, link-local or otherwise not public, and connected to at the checked
   * address only (no DNS rebinding). Takes the place of `dispatcher`.
   */
  publicOnly?: boolean;
  /** With publicOnly: how host names are resolved (default node:dns `lookup`, all addresses). */
  lookup?: LookupAll;
  /** With publicOnly, specs only: which addresses count as public (default isPublicAddress). */
  isPublicAddress?: (address: string) => boolean;
  /** Whole-fetch deadline. Default 15 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('.') ? h.endsWith(e) : h === e;
  });
}

/** Fetches an image a person linked or attached. Every refusal is a BadInputError for the person. */
export async function fetchImage(options: FetchImageOptions): Promise<ImageInput> {
  const maxBytes = options.maxBytes ?? IMAGE_INPUT_MAX_BYTES;
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (error) {
    throw new BadInputError('That image link is not a valid URL', error);
  }
  const label = `The image at ${describeUrl(url)}`;
  const checkUrl = (u: URL) => {
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new BadInputError(`${label} is not an http or https link`);
    }
    if (options.allowedHosts && !hostAllowed(u.hostname, options.allowedHosts)) {
      throw new BadInputError(`Images are only accepted from ${options.allowedHosts.join(', ')} (not ${u.hostname})`);
    }
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const failed = (error: unknown): Error => {
    if (error instanceof BadInputError) return error;
    if (options.signal?.aborted) return new AbortedError('Fetching the image was aborted', error);
    if (deadline.aborted) return new BadInputError(`${label} did not arrive within ${timeoutMs / 1000} s`, error);
    return new BadInputError(`${label} could not be reached`, error);
  };

  let res: Awaited<ReturnType<typeof httpGet>>;
  try {
    res = await httpGet({
      url,
      timeoutMs,
      maxRedirects: MAX_REDIRECTS,
      checkUrl,
      signal,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.publicOnly
        ? {
            publicOnly: {
              ...(options.lookup ? { lookup: options.lookup } : {}),
              ...(options.isPublicAddress ? { isPublic: options.isPublicAddress } : {}),
            },
          }
        : {}),
    });
  } catch (error) {
    throw failed(error);
  }
  const { body } = res;
  if (res.statusCode < 200 || res.statusCode > 299) {
    discard(body);
    throw new BadInputError(`${label} could not be fetched (HTTP ${res.statusCode})`);
  }
  const declared = contentLength(res.headers);
  if (declared !== undefined && declared > maxBytes) {
    discard(body);
    throw new BadInputError(`${label} is ${describeOverLimit(declared, maxBytes)}`);
  }

  const chunks: Buffer[] = [];
  let total = 0;
  let sniffed: ImageType | undefined;
  try {
    // Leaving this loop early (throw) destroys the body, which closes the socket: nothing more is read.
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (total + chunk.length > maxBytes) {
        throw new BadInputError(`${label} is larger than the limit of ${formatMegabytes(maxBytes)}`);
      }
      chunks.push(chunk);
      total += chunk.length;
      if (sniffed === undefined && total >= SNIFF_BYTES) {
        sniffed = sniffImageType(Buffer.concat(chunks, total).subarray(0, SNIFF_BYTES));
        if (sniffed === undefined) throw new BadInputError(`${label} ${NOT_AN_IMAGE}`);
      }
    }
  } catch (error) {
    discard(body);
    throw failed(error);
  }
  const bytes = Buffer.concat(chunks, total);
  const contentType = sniffed ?? sniffImageType(bytes);
  if (!contentType) throw new BadInputError(`${label} ${NOT_AN_IMAGE}`);
  return { bytes, contentType, sizeBytes: total };
}

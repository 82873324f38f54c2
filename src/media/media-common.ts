/**
 * Pieces both media stores share: storage-key validation, size formatting, the typed media errors, the
 * read side the signed media route uses, and a byte-counting Transform. The counter errors on the first
 * byte past the cap, so a store never holds or writes more than one chunk beyond it, whatever the source
 * claims about its size.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { AbortedError, AppError, BadInputError, ErrorCode } from '../errors.js';

export const MIB = 1024 * 1024;

/** What a store knows of a stored file without reading it. */
export interface StoredMediaInfo {
  contentType: string;
  sizeBytes: number;
}

/** An inclusive byte range of a stored file, as in `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The read side of a store, for serving stored files over HTTP (src/http/media-route.ts). */
export interface MediaReader {
  /** Type and size of a stored file; undefined when there is none under `key`. */
  head(key: string): Promise<StoredMediaInfo | undefined>;
  /** The file's bytes, or only `range` of them; MEDIA_NOT_FOUND when it is missing. */
  read(key: string, range?: ByteRange): Promise<Readable>;
}

const TYPES_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

/** The content type a key's extension stands for ('…/gen-0.png' → 'image/png'); octet-stream when unknown. */
export function contentTypeOfKey(key: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase() ?? '';
  return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

const KEY_PATTERN = /^[A-Za-z0-9._/-]+$/;

/** Throws a BadInputError unless `key` is a relative path of `[A-Za-z0-9._/-]` without `..` or empty parts. */
export function validateMediaKey(key: string): string {
  const ok =
    key.length > 0 &&
    key.length <= 1024 &&
    KEY_PATTERN.test(key) &&
    !key.includes('..') &&
    !key.startsWith('/') &&
    key.split('/').every((part) => part !== '' && part !== '.');
  if (!ok) throw new BadInputError(`"${key.slice(0, 80)}" is not a valid media key`);
  return key;
}

/** '31.2 MB', '20 MB' (binary megabytes, one decimal, no trailing .0). */
export function formatMegabytes(bytes: number, decimals = 1): string {
  return `${Number((bytes / MIB).toFixed(decimals))} MB`;
}

/** '31.2 MB; the limit is 20 MB', with more precision when one decimal would show the same number twice. */
export function describeOverLimit(sizeBytes: number, maxBytes: number): string {
  const limit = formatMegabytes(maxBytes);
  const size = formatMegabytes(sizeBytes) === limit ? formatMegabytes(sizeBytes, 3) : formatMegabytes(sizeBytes);
  return `${size}; the limit is ${limit}`;
}

export function mediaTooLargeError(maxBytes: number, sizeBytes?: number): AppError {
  const limit = formatMegabytes(maxBytes);
  const detail = sizeBytes === undefined ? `more than ${limit}` : describeOverLimit(sizeBytes, maxBytes);
  return new AppError(ErrorCode.MediaTooLarge, `Media file is too large: ${detail}`, {
    kind: 'failed',
    retryable: false,
    userMessage: `The generated file is larger than the ${limit} size cap, so it was not kept.`,
  });
}

export function mediaNotFoundError(key: string, cause?: unknown): AppError {
  return new AppError(ErrorCode.MediaNotFound, `Stored media ${key} was not found`, {
    kind: 'internal',
    cause,
  });
}

export function mediaStoreFailedError(action: string, key: string, cause: unknown): AppError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new AppError(ErrorCode.MediaStoreFailed, `Could not ${action} media ${key}${reason}`, {
    kind: 'unavailable',
    retryable: true,
    userMessage: 'The result could not be stored right now. Please try again in a few minutes.',
    cause,
  });
}

/**
 * The error a store's `put` should throw for `error`: AppErrors as they are, the caller's abort as
 * AbortedError, anything else (disk, network to the bucket) as a retryable MEDIA_STORE_FAILED.
 */
export function putFailure(error: unknown, key: string, signal: AbortSignal | undefined): AppError {
  if (error instanceof AppError) return error;
  if (signal?.aborted) return new AbortedError(`Storing media ${key} was aborted`, error);
  return mediaStoreFailedError('store', key, error);
}

/** Refuses before reading when the source announced more than the cap, or the caller already aborted. */
export function refuseEarly(
  body: { destroy(error?: Error): unknown },
  key: string,
  options: { maxBytes: number; expectedBytes?: number; signal?: AbortSignal },
): void {
  let error: AppError | undefined;
  if (options.expectedBytes !== undefined && options.expectedBytes > options.maxBytes) {
    error = mediaTooLargeError(options.maxBytes, options.expectedBytes);
  } else if (options.signal?.aborted) {
    error = new AbortedError(`Storing media ${key} was aborted`, options.signal.reason);
  }
  if (error) {
    body.destroy();
    throw error;
  }
}

/** Passes bytes through, counting them; errors with MEDIA_TOO_LARGE on the first chunk past `maxBytes`. */
export class ByteCounter extends Transform {
  bytes = 0;
  tooLarge: AppError | undefined;
  readonly #maxBytes: number;
  readonly #onLimit: (() => void) | undefined;

  constructor(maxBytes: number, onLimit?: () => void) {
    super();
    this.#maxBytes = maxBytes;
    this.#onLimit = onLimit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#maxBytes) {
      this.tooLarge = mediaTooLargeError(this.#maxBytes);
      this.#onLimit?.();
      done(this.tooLarge);
      return;
    }
    done(null, chunk);
  }
}

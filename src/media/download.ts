/**
 * Fetches a finished result from the provider's URL straight into a MediaStore, never buffering the file.
 * Status, content-type and content-length are checked before a byte of the body is read; a failure of the
 * provider's socket mid-body is re-raised inside the stream as MEDIA_FETCH_FAILED so the store passes it on.
 */
import type { Dispatcher } from 'undici';
import type { MediaStore } from '../core/ports.js';
import type { MediaAsset } from '../core/types.js';
import { AbortedError, AppError, ErrorCode } from '../errors.js';
import { contentLength, describeUrl, discard, headerValue, httpGet, isRetryableStatus } from './http-get.js';
import { mediaTooLargeError } from './media-common.js';
import { HeadCapture, mediaFacts } from './media-facts.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

export interface DownloadOptions {
  url: string;
  store: MediaStore;
  key: string;
  maxBytes: number;
  /** Content types accepted: prefixes ending in '/' ('image/') or exact types ('video/mp4'). */
  allowedTypes: readonly string[];
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  /** Idle timeout: to the response headers, and between body chunks. Default 30 s. */
  timeoutMs?: number;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
};

/** The file extension for a content type ('image/jpeg' → 'jpg'), 'bin' when unknown. */
export function extensionFor(contentType: string): string {
  return EXTENSIONS[mediaType(contentType)] ?? 'bin';
}

/** 'Image/PNG; charset=x' → 'image/png'. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function isAllowedType(contentType: string, allowed: readonly string[]): boolean {
  const type = mediaType(contentType);
  if (type === '') return false;
  return allowed.some((entry) => {
    const want = entry.toLowerCase();
    return want.endsWith('/') ? type.startsWith(want) : type === want;
  });
}

export async function downloadToStore(options: DownloadOptions): Promise<MediaAsset> {
  const { signal } = options;
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (error) {
    throw fetchFailed(`The media URL is not a valid URL`, false, error);
  }
  const shown = describeUrl(url);

  let res: Awaited<ReturnType<typeof httpGet>>;
  try {
    res = await httpGet({
      url,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRedirects: MAX_REDIRECTS,
      checkUrl: (u) => {
        if (u.protocol !== 'http:' && u.protocol !== 'https:') {
          throw fetchFailed(`Refusing to fetch media over ${u.protocol} (${describeUrl(u)})`, false);
        }
      },
      ...(signal ? { signal } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal?.aborted) throw new AbortedError(`Downloading ${shown} was aborted`, error);
    throw fetchFailed(`Could not reach ${shown}: ${errorText(error)}`, true, error);
  }

  const { statusCode, headers, body } = res;
  if (statusCode < 200 || statusCode > 299) {
    discard(body);
    throw fetchFailed(`Fetching ${describeUrl(res.url)} answered HTTP ${statusCode}`, isRetryableStatus(statusCode));
  }
  const contentType = headerValue(headers['content-type']) ?? '';
  if (!isAllowedType(contentType, options.allowedTypes)) {
    discard(body);
    throw new AppError(
      ErrorCode.MediaBadType,
      `${shown} is ${contentType || 'of no declared type'}; expected ${options.allowedTypes.join(', ')}`,
      { kind: 'failed', retryable: false, userMessage: 'The generated file was not of the expected type.' },
    );
  }
  const declared = contentLength(headers);
  if (declared !== undefined && declared > options.maxBytes) {
    discard(body);
    throw mediaTooLargeError(options.maxBytes, declared);
  }

  // The store destroys what it is given on failure; a destroyed `source` stops the provider's socket too.
  // It keeps the file's first bytes on the way, for its dimensions or duration.
  const source = new HeadCapture();
  body.on('error', (error) => {
    source.destroy(
      signal?.aborted
        ? new AbortedError(`Downloading ${shown} was aborted`, error)
        : fetchFailed(`Downloading ${shown} failed mid-way: ${errorText(error)}`, true, error),
    );
  });
  source.on('close', () => body.destroy());
  body.pipe(source);

  const asset = await options.store.put(options.key, source, {
    contentType: mediaType(contentType),
    maxBytes: options.maxBytes,
    providerUrl: options.url,
    ...(declared !== undefined ? { expectedBytes: declared } : {}),
    ...(signal ? { signal } : {}),
  });
  return { ...asset, ...mediaFacts(source.head(), asset.contentType) };
}

function fetchFailed(message: string, retryable: boolean, cause?: unknown): AppError {
  return new AppError(ErrorCode.MediaFetchFailed, message, {
    kind: 'unavailable',
    retryable,
    userMessage: retryable
      ? 'The finished file could not be downloaded from Higgsfield right now. Please try again in a few minutes.'
      : 'The finished file could not be downloaded from Higgsfield.',
    cause,
  });
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

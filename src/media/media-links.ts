/**
 * Links people can open for stored results, and the one rule for which link an asset gets:
 *   1. S3 with S3_PUBLIC_URL: a presigned GET on that public endpoint;
 *   2. else, with PUBLIC_URL: this bot's own signed route, `<PUBLIC_URL>/media/<key>?exp=<unix s>&sig=<mac>`;
 *   3. else as before: a presigned GET on S3_ENDPOINT (or AWS) for S3, the provider's URL for the local store.
 * The signature is HMAC-SHA256 over a versioned "key, expiry" string only, not over the origin: PUBLIC_URL can
 * move (or sit behind a path prefix at a proxy) without breaking the links already posted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.js';
import { validateMediaKey } from './media-common.js';

/** The signed route serves every path under this prefix. */
export const MEDIA_ROUTE_PREFIX = '/media/';

/** 'public-storage', 'signed-route', 'storage' (presigned on S3_ENDPOINT or AWS) or 'provider' (rules 1–3). */
export type MediaLinkKind = 'public-storage' | 'signed-route' | 'storage' | 'provider';

export function mediaLinkKind(media: Config['media']): MediaLinkKind {
  if (media.s3?.publicUrl) return 'public-storage';
  if (media.signedLinks) return 'signed-route';
  return media.s3 ? 'storage' : 'provider';
}

const MAC_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const EXP_PATTERN = /^\d{1,12}$/;

/** The `sig` of a link to `key` valid until `exp` (unix seconds): base64url HMAC-SHA256, 43 characters. */
export function signMediaKey(secret: string, key: string, exp: number): string {
  return createHmac('sha256', secret).update(`higgsbot-media-v1\n${key}\n${exp}`).digest('base64url');
}

/**
 * True when `sig` signs `key` until `exp` and `exp` is still ahead of `nowMs`. The MAC is compared in
 * constant time; malformed parameters are refused before any comparison.
 */
export function verifyMediaLink(
  secret: string,
  key: string,
  exp: string | null | undefined,
  sig: string | null | undefined,
  nowMs: number,
): boolean {
  if (!exp || !sig || !EXP_PATTERN.test(exp) || !MAC_PATTERN.test(sig)) return false;
  const expires = Number(exp);
  if (expires * 1000 <= nowMs) return false;
  const expected = Buffer.from(signMediaKey(secret, key, expires));
  return timingSafeEqual(expected, Buffer.from(sig));
}

export interface MediaLinkSignerOptions {
  /** PUBLIC_URL: the public base of this bot's HTTP port (a path prefix is kept). */
  publicUrl: string;
  secret: string;
  /** Link lifetime in seconds. */
  ttlS: number;
  now?: () => number;
}

/** Makes `<publicUrl>/media/<key>?exp=…&sig=…` links that expire `ttlS` seconds after they are made. */
export function createMediaLinkSigner(options: MediaLinkSignerOptions): (key: string) => string {
  const base = options.publicUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  return (key: string) => {
    validateMediaKey(key);
    const exp = Math.floor(now() / 1000) + Math.max(1, Math.floor(options.ttlS));
    return `${base}${MEDIA_ROUTE_PREFIX}${key}?exp=${exp}&sig=${signMediaKey(options.secret, key, exp)}`;
  };
}

export interface MediaLinksSummary {
  kind: MediaLinkKind;
  /** Where links point, when they point at our side (not the provider). */
  origin?: string;
  /** Why people outside may not be able to open the links, for `doctor` or a start-up log line. */
  warning?: string;
}

/** Which links this configuration makes, and a warning when they would point at a host only we can reach. */
export function describeMediaLinks(media: Config['media']): MediaLinksSummary {
  const kind = mediaLinkKind(media);
  const base =
    kind === 'public-storage'
      ? media.s3?.publicUrl
      : kind === 'signed-route'
        ? media.signedLinks?.publicUrl
        : undefined;
  if (base) return { kind, origin: new URL(base).origin };
  if (kind !== 'storage') return { kind };
  const endpoint = media.s3?.endpoint;
  if (!endpoint) return { kind, origin: 'AWS S3' };
  const origin = new URL(endpoint).origin;
  if (!isPrivateHost(new URL(endpoint).hostname)) return { kind, origin };
  const warning =
    `links to results are presigned on ${origin}, which people outside cannot open: ` +
    'set S3_PUBLIC_URL (the public address of the storage) or PUBLIC_URL (this bot’s public address)';
  return { kind, origin, warning };
}

/** Where a browser loads results from and sends uploads to: origins, for a page's Content-Security-Policy. */
export interface LinkOrigins {
  /** Results: this bot's own origin (signed links, uploads through us), and the bucket's with S3. */
  media: string[];
  /** Uploads: this bot's own origin, and the bucket's with S3 (presigned PUTs). */
  uploads: string[];
}

/**
 * The origins people's browsers reach for results and uploads: `ownUrl` (PUBLIC_URL, else the HTTP server's
 * address) and, with S3, the bucket's origin as links are presigned on it — S3_PUBLIC_URL when set, else
 * S3_ENDPOINT, else AWS — by path or by virtual host as the client addresses it. The bucket is listed whenever
 * S3 is set, whichever link rule applies: a page that allows it costs nothing when links go through us.
 */
export function linkOrigins(media: Config['media'], ownUrl: string): LinkOrigins {
  const own = new URL(ownUrl).origin;
  const bucket = media.s3 ? bucketOrigin(media.s3) : undefined;
  const both = bucket && bucket !== own ? [own, bucket] : [own];
  return { media: [...both], uploads: [...both] };
}

function bucketOrigin(s3: NonNullable<Config['media']['s3']>): string {
  const base = s3.publicUrl ?? s3.endpoint;
  if (!base) {
    return s3.forcePathStyle
      ? `https://s3.${s3.region}.amazonaws.com`
      : `https://${s3.bucket}.s3.${s3.region}.amazonaws.com`;
  }
  const url = new URL(base);
  return s3.forcePathStyle ? url.origin : `${url.protocol}//${s3.bucket}.${url.host}`;
}

/** Single-label names (a compose service such as `minio`), loopback, and private or link-local IPv4. */
function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host === '[::1]') {
    return true;
  }
  const ipv4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (ipv4) {
    const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
    return (
      a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
    );
  }
  return !host.includes('.') && !host.startsWith('[');
}

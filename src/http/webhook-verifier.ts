/**
 * Standard Webhooks verification for Higgsfield deliveries: HMAC-SHA256 over `id.timestamp.body`, any of
 * several secrets (rotation) against any `v1,` signature. Implemented on node:crypto instead of the
 * `standardwebhooks` package because that one hard-codes the 5-minute tolerance and reads the real clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError, ErrorCode } from '../errors.js';

export type WebhookRejectReason = 'missing_headers' | 'bad_timestamp' | 'stale' | 'forged' | 'not_json';

/** A delivery we refuse. `reason` is safe to log and to answer with; it never contains a signature. */
export class WebhookVerificationError extends AppError {
  readonly reason: WebhookRejectReason;

  constructor(reason: WebhookRejectReason, message: string) {
    super(ErrorCode.WebhookInvalid, message, { kind: 'bad_input' });
    this.reason = reason;
  }
}

export interface VerifiedWebhook {
  webhookId: string;
  timestampS: number;
  payload: unknown;
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface WebhookVerifier {
  verify(rawBody: Buffer, headers: WebhookHeaders): VerifiedWebhook;
}

export interface WebhookVerifierOptions {
  /** `whsec_<base64>`; the first is current, the others are accepted during a rotation. */
  secrets: string[];
  /** Accepted clock skew either way, in seconds. Default 300. */
  toleranceS?: number;
  /** Current time in ms since the epoch. Default Date.now. */
  now?: () => number;
}

const PREFIX = 'whsec_';
const MAX_ID_LENGTH = 256;

function decodeSecret(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  if (key.length === 0) {
    throw new AppError(ErrorCode.ConfigInvalid, 'A webhook signing secret is empty or not base64 (expected whsec_…)', {
      kind: 'config',
    });
  }
  return key;
}

/** One header value; repeated headers are refused for id and timestamp, joined for signatures. */
function single(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

function lowerCased(headers: WebhookHeaders): WebhookHeaders {
  const out: WebhookHeaders = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}

export function createWebhookVerifier(options: WebhookVerifierOptions): WebhookVerifier {
  if (options.secrets.length === 0) {
    throw new AppError(ErrorCode.ConfigInvalid, 'At least one webhook signing secret is required', { kind: 'config' });
  }
  const keys = options.secrets.map(decodeSecret);
  const toleranceS = options.toleranceS ?? 300;
  const now = options.now ?? Date.now;

  return {
    verify(rawBody, rawHeaders) {
      const headers = lowerCased(rawHeaders);
      const id = single(headers, 'webhook-id');
      const timestamp = single(headers, 'webhook-timestamp');
      const signatureHeader = headers['webhook-signature'];
      const signatureValue = Array.isArray(signatureHeader) ? signatureHeader.join(' ') : signatureHeader;
      if (!id || !timestamp || !signatureValue) {
        throw new WebhookVerificationError('missing_headers', 'Missing webhook-id, -timestamp or -signature header');
      }
      if (id.length > MAX_ID_LENGTH || /\s/.test(id)) {
        throw new WebhookVerificationError('missing_headers', 'Malformed webhook-id header');
      }
      if (!/^\d{1,12}$/.test(timestamp)) {
        throw new WebhookVerificationError('bad_timestamp', 'webhook-timestamp is not a unix time in seconds');
      }
      const timestampS = Number(timestamp);
      const nowS = Math.floor(now() / 1000);
      if (Math.abs(nowS - timestampS) > toleranceS) {
        throw new WebhookVerificationError('stale', `webhook-timestamp is more than ${toleranceS} s away from now`);
      }

      const signed = Buffer.concat([Buffer.from(`${id}.${timestampS}.`, 'utf8'), rawBody]);
      const expected = keys.map((key) => Buffer.from(createHmac('sha256', key).update(signed).digest('base64')));
      const offered = signatureValue
        .split(' ')
        .filter((s) => s.startsWith('v1,'))
        .map((s) => Buffer.from(s.slice(3)));
      // Every pair is compared (no early exit on a match) so timing does not reveal which secret matched.
      let matched = false;
      for (const candidate of offered) {
        for (const want of expected) {
          if (candidate.length === want.length && timingSafeEqual(candidate, want)) matched = true;
        }
      }
      if (!matched) throw new WebhookVerificationError('forged', 'No webhook signature matches a known secret');

      let payload: unknown;
      try {
        payload = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookVerificationError('not_json', 'Webhook body is not JSON');
      }
      return { webhookId: id, timestampS, payload };
    },
  };
}

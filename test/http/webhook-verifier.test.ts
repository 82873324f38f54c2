/**
 * The hand-rolled Standard Webhooks check against signatures made by the reference `standardwebhooks`
 * package: tolerance and clock are injected, so no test waits or depends on the wall clock.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { createWebhookVerifier, type WebhookVerificationError } from '../../src/http/webhook-verifier.js';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const NOW_MS = 1_800_000_000_000;
const now = () => NOW_MS;
const body = Buffer.from(
  JSON.stringify({ status: 'completed', request_id: 'r1', images: [{ url: 'https://x/1.png' }] }),
);

function headers(secrets: string[], opts: { id?: string; atMs?: number; payload?: Buffer } = {}) {
  const id = opts.id ?? 'msg_1';
  const at = new Date(opts.atMs ?? NOW_MS);
  const payload = opts.payload ?? body;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, payload)).join(' '),
  };
}

function rejection(fn: () => unknown): WebhookVerificationError {
  try {
    fn();
  } catch (err) {
    expect(isAppError(err, 'WEBHOOK_INVALID')).toBe(true);
    return err as WebhookVerificationError;
  }
  throw new Error('expected a rejection');
}

describe('createWebhookVerifier', () => {
  const current = newSecret();
  const old = newSecret();

  it('accepts a signature made by standardwebhooks and returns id, timestamp and payload', () => {
    const verifier = createWebhookVerifier({ secrets: [current], now });
    const result = verifier.verify(body, headers([current]));
    expect(result).toEqual({ webhookId: 'msg_1', timestampS: NOW_MS / 1000, payload: JSON.parse(body.toString()) });
  });

  it('agrees with standardwebhooks Webhook.verify on a real-clock delivery', () => {
    const h = headers([current], { atMs: Date.now() });
    expect(new Webhook(current).verify(body, h)).toEqual(
      createWebhookVerifier({ secrets: [current] }).verify(body, h).payload,
    );
  });

  it('accepts any secret against any signature (rotation)', () => {
    const verifier = createWebhookVerifier({ secrets: [current, old], now });
    expect(verifier.verify(body, headers([old])).webhookId).toBe('msg_1');
    const onlyOld = createWebhookVerifier({ secrets: [old], now });
    expect(onlyOld.verify(body, headers([current, old])).webhookId).toBe('msg_1');
  });

  it('accepts mixed-case header names and a secret without the whsec_ prefix', () => {
    const verifier = createWebhookVerifier({ secrets: [current.slice('whsec_'.length)], now });
    const h = headers([current]);
    const upper = {
      'Webhook-Id': h['webhook-id'],
      'WEBHOOK-TIMESTAMP': h['webhook-timestamp'],
      'Webhook-Signature': h['webhook-signature'],
    };
    expect(verifier.verify(body, upper).webhookId).toBe('msg_1');
  });

  it('rejects missing headers', () => {
    const verifier = createWebhookVerifier({ secrets: [current], now });
    const { 'webhook-signature': _sig, ...rest } = headers([current]);
    expect(rejection(() => verifier.verify(body, rest)).reason).toBe('missing_headers');
    expect(rejection(() => verifier.verify(body, {})).reason).toBe('missing_headers');
  });

  it('rejects a malformed timestamp', () => {
    const verifier = createWebhookVerifier({ secrets: [current], now });
    const h = { ...headers([current]), 'webhook-timestamp': '17e8' };
    expect(rejection(() => verifier.verify(body, h)).reason).toBe('bad_timestamp');
  });

  it('rejects timestamps outside the tolerance either way, and honours a custom tolerance', () => {
    const verifier = createWebhookVerifier({ secrets: [current], now });
    expect(rejection(() => verifier.verify(body, headers([current], { atMs: NOW_MS - 301_000 }))).reason).toBe('stale');
    expect(rejection(() => verifier.verify(body, headers([current], { atMs: NOW_MS + 301_000 }))).reason).toBe('stale');
    expect(verifier.verify(body, headers([current], { atMs: NOW_MS - 299_000 })).webhookId).toBe('msg_1');
    const strict = createWebhookVerifier({ secrets: [current], now, toleranceS: 10 });
    expect(rejection(() => strict.verify(body, headers([current], { atMs: NOW_MS - 11_000 }))).reason).toBe('stale');
  });

  it('rejects forged signatures, tampered bodies, ids and timestamps', () => {
    const verifier = createWebhookVerifier({ secrets: [current], now });
    expect(rejection(() => verifier.verify(body, headers([newSecret()]))).reason).toBe('forged');
    const h = headers([current]);
    expect(rejection(() => verifier.verify(Buffer.from(`${body} `), h)).reason).toBe('forged');
    expect(rejection(() => verifier.verify(body, { ...h, 'webhook-id': 'msg_2' })).reason).toBe('forged');
    const ts = String(Number(h['webhook-timestamp']) + 1);
    expect(rejection(() => verifier.verify(body, { ...h, 'webhook-timestamp': ts })).reason).toBe('forged');
    const v2 = h['webhook-signature'].replace('v1,', 'v2,');
    expect(rejection(() => verifier.verify(body, { ...h, 'webhook-signature': v2 })).reason).toBe('forged');
  });

  it('rejects a correctly signed body that is not JSON', () => {
    const verifier = createWebhookVerifier({ secrets: [current], now });
    const payload = Buffer.from('not json');
    expect(rejection(() => verifier.verify(payload, headers([current], { payload }))).reason).toBe('not_json');
  });

  it('refuses to start without a usable secret', () => {
    expect(() => createWebhookVerifier({ secrets: [] })).toThrow(/secret/);
    expect(() => createWebhookVerifier({ secrets: ['whsec_'] })).toThrow(/secret/);
  });
});

/**
 * Signed media links and the rule for which link a stored result gets: public storage first, then the bot's
 * own signed route, then what the storage gives (presigned S3, or the provider's URL). A link binds the key
 * and the expiry; changing either, or the signature, or waiting past the expiry, refuses it.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { BadInputError } from '../../src/errors.js';
import {
  createMediaLinkSigner,
  describeMediaLinks,
  mediaLinkKind,
  signMediaKey,
  verifyMediaLink,
} from '../../src/media/media-links.js';

const secret = 'test-secret-with-at-least-32-characters';
const t0 = Date.UTC(2026, 10, 22, 12, 0, 0);

function parts(url: string) {
  const u = new URL(url);
  return { u, exp: u.searchParams.get('exp'), sig: u.searchParams.get('sig') };
}

describe('signed media links', () => {
  const sign = createMediaLinkSigner({
    publicUrl: 'https://bot.example.com/higgsbot/',
    secret,
    ttlS: 3600,
    now: () => t0,
  });

  it('point at PUBLIC_URL (its path prefix kept) under /media/, expiring after the lifetime', () => {
    const { u, exp, sig } = parts(sign('2026/11/22/gen-0.png'));
    expect(u.origin).toBe('https://bot.example.com');
    expect(u.pathname).toBe('/higgsbot/media/2026/11/22/gen-0.png');
    expect(Number(exp)).toBe(t0 / 1000 + 3600);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyMediaLink(secret, '2026/11/22/gen-0.png', exp, sig, t0)).toBe(true);
  });

  it('refuse another key, another expiry, another secret, a changed signature and an expired link', () => {
    const key = '2026/11/22/gen-0.png';
    const { exp, sig } = parts(sign(key));
    const flipped = `${sig?.[0] === 'A' ? 'B' : 'A'}${sig?.slice(1)}`;
    expect(verifyMediaLink(secret, '2026/11/22/gen-1.png', exp, sig, t0)).toBe(false);
    expect(verifyMediaLink(secret, key, String(Number(exp) + 1), sig, t0)).toBe(false);
    expect(verifyMediaLink(`${secret}x`, key, exp, sig, t0)).toBe(false);
    expect(verifyMediaLink(secret, key, exp, flipped, t0)).toBe(false);
    expect(verifyMediaLink(secret, key, exp, sig, t0 + 3600_000)).toBe(false);
    expect(verifyMediaLink(secret, key, exp, sig, t0 + 3599_000)).toBe(true);
  });

  it('refuse malformed parameters before comparing anything', () => {
    const key = 'a/b.png';
    const exp = t0 / 1000 + 60;
    const sig = signMediaKey(secret, key, exp);
    expect(verifyMediaLink(secret, key, null, sig, t0)).toBe(false);
    expect(verifyMediaLink(secret, key, String(exp), null, t0)).toBe(false);
    expect(verifyMediaLink(secret, key, `${exp}.0`, sig, t0)).toBe(false);
    expect(verifyMediaLink(secret, key, String(exp), `${sig}=`, t0)).toBe(false);
    expect(verifyMediaLink(secret, key, String(exp), sig.slice(0, 42), t0)).toBe(false);
  });

  it('are never made for a key that is not a canonical media key', () => {
    expect(() => sign('../etc/passwd')).toThrow(BadInputError);
    expect(() => sign('a//b.png')).toThrow(BadInputError);
  });
});

describe('which link a stored result gets', () => {
  const s3 = { bucket: 'higgsbot-media', region: 'us-east-1', endpoint: 'http://minio:9000', forcePathStyle: true };
  const signedLinks = { publicUrl: 'https://bot.example.com', secret };
  const media = (extra: Partial<Config['media']>): Config['media'] => ({ dir: './media', linkTtlS: 3600, ...extra });

  it('public storage first, then the bot’s signed route, then the storage’s own or the provider’s URL', () => {
    expect(mediaLinkKind(media({ s3: { ...s3, publicUrl: 'https://media.example.com' }, signedLinks }))).toBe(
      'public-storage',
    );
    expect(mediaLinkKind(media({ s3, signedLinks }))).toBe('signed-route');
    expect(mediaLinkKind(media({ signedLinks }))).toBe('signed-route');
    expect(mediaLinkKind(media({ s3 }))).toBe('storage');
    expect(mediaLinkKind(media({}))).toBe('provider');
  });

  it('warns when links would be presigned on a host only the bot can reach (compose’s http://minio:9000)', () => {
    expect(describeMediaLinks(media({ s3 }))).toMatchObject({
      kind: 'storage',
      origin: 'http://minio:9000',
      warning: expect.stringContaining('set S3_PUBLIC_URL'),
    });
    const local = { ...s3, endpoint: 'http://192.168.1.20:9000' };
    expect(describeMediaLinks(media({ s3: local })).warning).toContain('PUBLIC_URL');
    expect(describeMediaLinks(media({ s3: { ...s3, endpoint: 'https://s3.eu.example.net' } })).warning).toBeUndefined();
    expect(describeMediaLinks(media({ s3, signedLinks }))).toEqual({
      kind: 'signed-route',
      origin: 'https://bot.example.com',
    });
    expect(describeMediaLinks(media({}))).toEqual({ kind: 'provider' });
  });
});

/**
 * `GET /me`, the web chat's first question: who am I signed in as, and which origins may my results come
 * from. A key answers for its person; no key, a wrong key and a revoked key answer 401 with the detail every
 * route gives (that is how the page knows to ask for a key). A deployment with WEB_ANONYMOUS_USER answers a
 * keyless request as that person, marked anonymous, while a key sent there still counts (and a bad one is
 * still refused, never quietly anonymous).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const Me = z.strictObject({ user_id: z.string(), anonymous: z.boolean(), media_origins: z.array(z.string()) });
const ErrorBody = z.strictObject({ detail: z.string() });
const MISSING = 'Missing API key: send Authorization: Bearer <key>.';
const INVALID = 'Invalid or revoked API key.';

describe('GET /me with keys', () => {
  let world: WebWorld;

  beforeAll(async () => {
    world = await startWebWorld({ name: 'me', env: { WEB_RATE_LIMIT_PER_MINUTE: '10000' } });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('names the key’s person, not anonymous, and the origin results are linked on', async () => {
    const key = await world.newKey('alice');
    const answer = await world.api('/me', { key });
    expect(answer.status).toBe(200);
    expect(Me.parse(answer.body)).toEqual({ user_id: 'alice', anonymous: false, media_origins: [world.url] });
  });

  it.each([
    ['no key', undefined, MISSING],
    ['a key that was never made', 'hb_nope_0123456789abcdef', INVALID],
    ['a header that is no Bearer key', 'two words', MISSING],
  ])('with %s answers 401 {detail} asking for a Bearer key', async (_what, key, detail) => {
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    const answer = await world.api('/me', { headers });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(ErrorBody.parse(answer.body).detail).toBe(detail);
  });

  it('refuses a key once it is revoked', async () => {
    const keys = world.app.history?.apiKeys;
    if (!keys) throw new Error('no key store');
    const { key, secret } = await keys.create('bob');
    expect((await world.api('/me', { key: secret })).status).toBe(200);
    await keys.revoke(key.id);
    const answer = await world.api('/me', { key: secret });
    expect(answer.status).toBe(401);
    expect(ErrorBody.parse(answer.body).detail).toBe(INVALID);
  });
});

describe('GET /me where keyless requests act as an anonymous person', () => {
  let world: WebWorld;

  beforeAll(async () => {
    world = await startWebWorld({
      name: 'me-anonymous',
      env: {
        WEB_RATE_LIMIT_PER_MINUTE: '10000',
        WEB_ANONYMOUS_USER: 'demo',
        PUBLIC_URL: 'https://chat.example.com',
        MEDIA_LINK_SECRET: 'a-media-link-secret-of-at-least-32-chars',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('answers a request without a key as that person, marked anonymous, with the public address’s origin', async () => {
    const answer = await world.api('/me');
    expect(answer.status).toBe(200);
    expect(Me.parse(answer.body)).toEqual({
      user_id: 'demo',
      anonymous: true,
      media_origins: ['https://chat.example.com'],
    });
  });

  it('still answers a key for its own person', async () => {
    const answer = await world.api('/me', { key: await world.newKey('carol') });
    expect(Me.parse(answer.body)).toMatchObject({ user_id: 'carol', anonymous: false });
  });

  it('still refuses a wrong key rather than treating it as anonymous', async () => {
    const answer = await world.api('/me', { key: 'hb_nope_0123456789abcdef' });
    expect(answer.status).toBe(401);
    expect(ErrorBody.parse(answer.body).detail).toBe(INVALID);
  });
});

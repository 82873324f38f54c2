/**
 * The Higgsfield webhook route end to end: the simulator delivers to a real loopback server, the seen-keys
 * live in a real Redis under a per-file prefix. Hand-signed deliveries (standardwebhooks `sign`) cover the
 * cases the simulator cannot produce: forgeries, stale timestamps, bad payloads, oversize bodies.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderRequest } from '../../src/core/provider.js';
import { type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { createHiggsfieldWebhookHandler, MAX_WEBHOOK_BODY_BYTES, seenKey } from '../../src/http/webhook-route.js';
import { createWebhookVerifier } from '../../src/http/webhook-verifier.js';
import { silentLogger } from '../../src/log.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const current = newSecret();
const old = newSecret();
const rotatedTo = newSecret();
const prefix = testPrefix('webhook');

interface Received {
  route: string;
  status: ProviderRequest;
  webhookId: string;
}

describe('Higgsfield webhook route', () => {
  const url = redisUrl();
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  const received: Received[] = [];
  let failNext = 0;
  let redis: Redis;
  let server: HttpServer;
  let sim: Simulator;
  let rotatingSim: Simulator;

  const onStatus = (route: string) => async (status: ProviderRequest, meta: { webhookId: string }) => {
    if (failNext > 0) {
      failNext--;
      throw new Error('downstream unavailable');
    }
    received.push({ route, status, webhookId: meta.webhookId });
  };

  beforeAll(async () => {
    redis = new Redis(url);
    const logger = silentLogger();
    const handler = (route: string, secrets: string[]) =>
      createHiggsfieldWebhookHandler({
        verifier: createWebhookVerifier({ secrets }),
        redis,
        keyPrefix: prefix,
        onStatus: onStatus(route),
        logger,
      });
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      routes: [
        { method: 'POST', path: '/webhooks/higgsfield', handler: handler('main', [current]) },
        { method: 'POST', path: '/webhooks/rotated', handler: handler('rotated', [current, old]) },
        { method: 'POST', path: '/webhooks/old-only', handler: handler('old-only', [old]) },
      ],
    });
    const fast = { queuedMs: 20, inProgressMs: 30, webhookRetryDelaysMs: [50] };
    sim = await startSimulator({ ...fast, webhookSecret: current });
    rotatingSim = await startSimulator({ ...fast, webhookSecret: rotatedTo, extraSigningSecrets: [old] });
  });

  afterAll(async () => {
    await sim?.close();
    await rotatingSim?.close();
    await server?.close();
    await agent.destroy();
    redis?.disconnect();
    await deleteKeys(url, prefix);
  });

  async function submit(target: Simulator, path: string): Promise<string> {
    const hook = encodeURIComponent(`${server.url}${path}`);
    const res = await request(`${target.url}/nano-banana?hf_webhook=${hook}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: 'Key sim-key:sim-secret', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x' }),
    });
    expect(res.statusCode).toBe(200);
    const body = (await res.body.json()) as { request_id: string };
    return body.request_id;
  }

  async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 3_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  function delivery(target: Simulator, requestId: string) {
    return target.webhookDeliveries().find((d) => d.requestId === requestId);
  }

  /** A hand-made delivery: signed by `secrets` at `at`, to `path`. */
  async function post(path: string, payload: unknown, opts: { secrets?: string[]; at?: Date; id?: string } = {}) {
    const id = opts.id ?? `msg_${randomBytes(8).toString('hex')}`;
    const at = opts.at ?? new Date();
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const res = await request(`${server.url}${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': (opts.secrets ?? [current]).map((s) => new Webhook(s).sign(id, at, body)).join(' '),
      },
      body,
    });
    return { id, status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  }

  const completed = (requestId: string) => ({
    status: 'completed',
    request_id: requestId,
    images: [{ url: `https://cdn.example/${requestId}.png` }],
  });
  const countFor = (requestId: string) => received.filter((r) => r.status.requestId === requestId).length;

  it('accepts a delivery signed by the simulator and hands over the completed request', async () => {
    const requestId = await submit(sim, '/webhooks/higgsfield');
    const got = await waitFor('onStatus', () => received.find((r) => r.status.requestId === requestId));
    expect(got.route).toBe('main');
    expect(got.status).toMatchObject({ requestId, status: 'completed', terminal: true });
    expect(got.status.outputs.length).toBeGreaterThan(0);
    expect(got.status.outputs[0]).toMatchObject({ type: 'image', url: expect.stringMatching(/^http/) });
    const sent = await waitFor('delivery status', () =>
      delivery(sim, requestId)?.lastStatus ? delivery(sim, requestId) : undefined,
    );
    expect(sent).toMatchObject({ lastStatus: 200, attempts: 1, webhookId: got.webhookId });
    const ttl = await redis.ttl(seenKey(prefix, got.webhookId));
    expect(ttl).toBeGreaterThan(86_000);

    // Replay of the same delivery (same webhook-id, fresh timestamp and signature): 200, not handled twice.
    await sim.redeliverWebhook(requestId);
    expect(delivery(sim, requestId)).toMatchObject({ lastStatus: 200, attempts: 2 });
    expect(countFor(requestId)).toBe(1);
  });

  it('answers a re-sent delivery with 200 duplicate and calls onStatus once', async () => {
    const first = await post('/webhooks/higgsfield', completed('replayed'));
    expect(first).toMatchObject({ status: 200, body: { ok: true } });
    const again = await post('/webhooks/higgsfield', completed('replayed'), { id: first.id });
    expect(again).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
    expect(countFor('replayed')).toBe(1);
  });

  it('refuses a forged signature with 401 and never calls onStatus', async () => {
    const res = await post('/webhooks/higgsfield', completed('forged'), { secrets: [newSecret()] });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'webhook rejected: forged' });
    expect(countFor('forged')).toBe(0);
    expect(await redis.exists(seenKey(prefix, res.id))).toBe(0);
  });

  it('refuses a delivery signed 10 minutes ago with 401', async () => {
    const res = await post('/webhooks/higgsfield', completed('stale'), { at: new Date(Date.now() - 10 * 60_000) });
    expect(res).toMatchObject({ status: 401, body: { error: 'webhook rejected: stale' } });
    expect(countFor('stale')).toBe(0);
  });

  it('refuses unsigned deliveries (401) and signed payloads that are not a request status (400)', async () => {
    const unsigned = await request(`${server.url}/webhooks/higgsfield`, {
      method: 'POST',
      dispatcher: agent,
      body: JSON.stringify(completed('unsigned')),
    });
    expect(unsigned.statusCode).toBe(401);
    expect(await unsigned.body.json()).toEqual({ error: 'webhook rejected: missing_headers' });
    const notJson = await post('/webhooks/higgsfield', 'not json');
    expect(notJson).toMatchObject({ status: 401, body: { error: 'webhook rejected: not_json' } });
    const wrongShape = await post('/webhooks/higgsfield', { status: 'exploded', request_id: 'odd' });
    expect(wrongShape.status).toBe(400);
    expect(countFor('odd')).toBe(0);
  });

  it('accepts, during rotation, a delivery signed only by the old secret', async () => {
    const res = await post('/webhooks/rotated', completed('old-signed'), { secrets: [old] });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(received.find((r) => r.status.requestId === 'old-signed')?.route).toBe('rotated');
  });

  it('accepts a simulator delivery carrying two signatures when only the old secret is configured', async () => {
    const requestId = await submit(rotatingSim, '/webhooks/old-only');
    const got = await waitFor('onStatus', () => received.find((r) => r.status.requestId === requestId));
    expect(got).toMatchObject({ route: 'old-only', status: { status: 'completed' } });
  });

  it('answers 500 when onStatus throws, forgets the id, and accepts the retry', async () => {
    failNext = 1;
    const requestId = await submit(sim, '/webhooks/higgsfield');
    const got = await waitFor('retried onStatus', () => received.find((r) => r.status.requestId === requestId));
    // The simulator records the retry's answer once it has read it: a moment after our handler ran.
    await waitFor('the retry answered 200', () => (delivery(sim, requestId)?.lastStatus === 200 ? true : undefined));
    expect(delivery(sim, requestId)).toMatchObject({ attempts: 2, lastStatus: 200, webhookId: got.webhookId });
    expect(countFor(requestId)).toBe(1);

    failNext = 1;
    const first = await post('/webhooks/higgsfield', completed('flaky'));
    expect(first).toMatchObject({ status: 500, body: { error: 'internal error' } });
    expect(await redis.exists(seenKey(prefix, first.id))).toBe(0);
    const retry = await post('/webhooks/higgsfield', completed('flaky'), { id: first.id });
    expect(retry).toMatchObject({ status: 200, body: { ok: true } });
    expect(countFor('flaky')).toBe(1);
  });

  it('answers 413 to a body over 1 MiB, declared or streamed', async () => {
    const big = Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 0x20);
    const declared = await request(`${server.url}/webhooks/higgsfield`, {
      method: 'POST',
      dispatcher: agent,
      body: big,
    });
    expect(declared.statusCode).toBe(413);
    await declared.body.dump();
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield Buffer.alloc(256 * 1024, 0x20);
    }
    const streamed = await request(`${server.url}/webhooks/higgsfield`, {
      method: 'POST',
      dispatcher: agent,
      body: Readable.from(chunks()),
    });
    expect(streamed.statusCode).toBe(413);
    expect(await streamed.body.json()).toEqual({ error: `body larger than ${MAX_WEBHOOK_BODY_BYTES} bytes` });
  });
});

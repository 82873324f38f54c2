/**
 * The Higgsfield simulator over real HTTP on 127.0.0.1: auth, validation, lifecycle, media, cancel,
 * idempotency, concurrency, signed webhooks (with retries and rotation), uploads and fault injection.
 * Short timings keep the file fast; every server started here is closed in afterAll.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';

const AUTH = `Key ${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`;
const SOUL = 'higgsfield-ai/soul/v2/standard';
const VEO = 'veo3.1/fast';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely and asserted with expect
  json: () => any;
}

async function call(
  sim: Simulator,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { body?: unknown; raw?: Buffer | string; headers?: Record<string, string>; auth?: boolean } = {},
): Promise<Reply> {
  const url = path.startsWith('http') ? path : `${sim.url}${path}`;
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth !== false) headers.authorization = AUTH;
  let body: Buffer | string | null = options.raw ?? null;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await request(url, { method, headers, body });
  const buf = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body: buf, json: () => JSON.parse(buf.toString('utf8')) };
}

const submit = (sim: Simulator, model: string, body: unknown, headers?: Record<string, string>, query = '') =>
  call(sim, 'POST', `/${model}${query}`, { body, ...(headers ? { headers } : {}) });

async function waitFor<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const finalStatus = (sim: Simulator, id: string) =>
  waitFor(
    async () => (await call(sim, 'GET', `/requests/${id}/status`)).json(),
    (body) => !['queued', 'in_progress'].includes(body.status),
  );

describe('Higgsfield simulator: requests', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ queuedMs: 50, inProgressMs: 100, maxConcurrent: 100 });
  });
  afterAll(() => sim.close());

  it('rejects calls without or with wrong credentials with 401 Invalid credentials', async () => {
    const none = await call(sim, 'GET', '/models', { auth: false });
    const wrong = await call(sim, 'GET', '/models', { auth: false, headers: { authorization: 'Key sim-key:nope' } });
    for (const res of [none, wrong]) expect([res.status, res.json()]).toEqual([401, { detail: 'Invalid credentials' }]);
  });

  it('puts an X-Correlation-ID uuid on every response', async () => {
    for (const res of [await call(sim, 'GET', '/models', { auth: false }), await call(sim, 'GET', '/nowhere')]) {
      expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers 404 Model not found for an unknown model and 404 Not Found elsewhere', async () => {
    const res = await submit(sim, 'no/such-model', { prompt: 'x' });
    expect([res.status, res.json()]).toEqual([404, { detail: 'Model not found' }]);
    expect((await call(sim, 'GET', '/nowhere')).status).toBe(404);
    expect((await call(sim, 'GET', `/${SOUL}`)).status).toBe(405);
  });

  it('answers 422 naming the field for a bad enum, a missing prompt and invalid JSON', async () => {
    const bad = await submit(sim, SOUL, { prompt: 'x', aspect_ratio: '5:7' });
    expect(bad.status).toBe(422);
    expect(bad.json().detail).toEqual([expect.objectContaining({ loc: ['body', 'aspect_ratio'], type: 'enum' })]);
    const missing = (await submit(sim, SOUL, { aspect_ratio: '1:1' })).json().detail;
    expect(missing).toEqual([expect.objectContaining({ loc: ['body', 'prompt'], type: 'missing' })]);
    const extra = (await submit(sim, VEO, { prompt: 'x', style_id: 'y' })).json().detail;
    expect(extra).toEqual([expect.objectContaining({ loc: ['body', 'style_id'], type: 'extra_forbidden' })]);
    const json = await call(sim, 'POST', `/${SOUL}`, { raw: '{nope', headers: { 'content-type': 'application/json' } });
    expect(json.json().detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
  });

  it('moves queued -> in_progress -> completed and serves each image as a valid PNG', async () => {
    const res = await submit(sim, SOUL, { prompt: 'a red fox', batch_size: 4 });
    const queued = res.json();
    expect(queued).toEqual({
      status: 'queued',
      request_id: expect.any(String),
      status_url: `${sim.url}/requests/${queued.request_id}/status`,
      cancel_url: `${sim.url}/requests/${queued.request_id}/cancel`,
    });
    const seen = new Set<string>();
    const done = await waitFor(
      async () => (await call(sim, 'GET', `/requests/${queued.request_id}/status`)).json(),
      (body) => {
        seen.add(body.status);
        return body.status === 'completed';
      },
    );
    expect([...seen]).toEqual(['queued', 'in_progress', 'completed']);
    expect(done.images).toHaveLength(4);
    const png = await call(sim, 'GET', done.images[1].url, { auth: false });
    expect(png.headers['content-type']).toBe('image/png');
    expect([...png.body.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.body.toString('ascii', 12, 16)).toBe('IHDR');
    const idatLength = png.body.readUInt32BE(33);
    expect(inflateSync(png.body.subarray(41, 41 + idatLength))).toHaveLength(64 * (1 + 64 * 3));
    expect(sim.request(queued.request_id)?.statusReads).toBeGreaterThanOrEqual(3);
    expect((await call(sim, 'GET', done.images[0].url.replace('/0.png', '/4.png'), { auth: false })).status).toBe(404);
  });

  it('completes a video model with an MP4 of exactly videoSizeBytes starting with an ftyp box', async () => {
    sim.scriptNext({ status: 'completed', videoSizeBytes: 200_003 });
    const { request_id } = (await submit(sim, VEO, { prompt: 'waves' })).json();
    const done = await finalStatus(sim, request_id);
    const mp4 = await call(sim, 'GET', done.video.url, { auth: false });
    expect(mp4.headers['content-type']).toBe('video/mp4');
    expect(Number(mp4.headers['content-length'])).toBe(200_003);
    expect(mp4.body).toHaveLength(200_003);
    expect(mp4.body.toString('ascii', 4, 12)).toBe('ftypisom');
  });

  it('fails on sim:fail with an error, and reports nsfw on sim:nsfw', async () => {
    const failed = await finalStatus(sim, (await submit(sim, SOUL, { prompt: 'x sim:fail' })).json().request_id);
    expect(failed).toEqual({
      status: 'failed',
      request_id: expect.any(String),
      error: 'Simulated failure: the model could not render this prompt',
    });
    const nsfw = await finalStatus(sim, (await submit(sim, SOUL, { prompt: 'sim:nsfw' })).json().request_id);
    expect(nsfw).toEqual({ status: 'nsfw', request_id: expect.any(String) });
  });

  it('lets scriptNext override prompt markers, in FIFO order', async () => {
    sim.scriptNext({ status: 'completed' });
    sim.scriptNext({ status: 'failed', error: 'boom' });
    const a = (await submit(sim, SOUL, { prompt: 'sim:fail' })).json().request_id;
    const b = (await submit(sim, SOUL, { prompt: 'fine' })).json().request_id;
    expect((await finalStatus(sim, a)).status).toBe('completed');
    expect(await finalStatus(sim, b)).toMatchObject({ status: 'failed', error: 'boom' });
  });

  it('cancels a queued request (202, then canceled) and refuses once started (400)', async () => {
    sim.scriptNext({ status: 'completed', queuedMs: 5000 });
    const queued = (await submit(sim, SOUL, { prompt: 'x' })).json().request_id;
    const ok = await call(sim, 'POST', `/requests/${queued}/cancel`);
    expect([ok.status, ok.body.length]).toEqual([202, 0]);
    expect((await call(sim, 'GET', `/requests/${queued}/status`)).json()).toEqual({
      status: 'canceled',
      request_id: queued,
    });
    sim.scriptNext({ status: 'stuck', queuedMs: 0 });
    const running = (await submit(sim, SOUL, { prompt: 'x' })).json().request_id;
    const late = await call(sim, 'POST', `/requests/${running}/cancel`);
    expect([late.status, late.json()]).toEqual([400, { detail: 'Request cannot be canceled: it has already started' }]);
    expect(sim.request(running)?.terminalAtMs).toBeUndefined();
    expect((await call(sim, 'POST', '/requests/00000000-0000-4000-8000-000000000000/cancel')).status).toBe(404);
  });

  it('replays an Idempotency-Key with the same body (any key order) and refuses a different one', async () => {
    const key = { 'idempotency-key': 'order-42' };
    const first = (await submit(sim, SOUL, { prompt: 'cat', aspect_ratio: '1:1' }, key)).json();
    const created = sim.stats().requestsCreated;
    const again = await submit(sim, SOUL, { aspect_ratio: '1:1', prompt: 'cat' }, key);
    expect([again.status, again.json().request_id]).toEqual([200, first.request_id]);
    expect(sim.stats().requestsCreated).toBe(created);
    const other = await submit(sim, SOUL, { prompt: 'dog', aspect_ratio: '1:1' }, key);
    expect([other.status, other.json()]).toEqual([
      422,
      { detail: 'Idempotency-Key was reused with different parameters' },
    ]);
    expect((await submit(sim, SOUL, { prompt: 'x' }, { 'idempotency-key': 'has space' })).status).toBe(422);
  });

  it('deletes a terminal request, after which its media are gone', async () => {
    const done = await finalStatus(sim, (await submit(sim, SOUL, { prompt: 'x' })).json().request_id);
    const del = await call(sim, 'DELETE', `/requests/${done.request_id}`);
    expect(del.json()).toEqual({ request_id: done.request_id, deleted: true });
    expect((await call(sim, 'GET', done.images[0].url, { auth: false })).status).toBe(404);
  });

  it('round-trips an upload and refuses credentials or another Content-Type on the PUT', async () => {
    const issued = (
      await call(sim, 'POST', '/files/generate-upload-url', { body: { content_type: 'image/png' } })
    ).json();
    expect(issued.upload_headers).toEqual({ 'Content-Type': 'image/png', 'x-amz-tagging': 'retention=temporary' });
    const bytes = Buffer.from('not really a png, but bytes');
    const put = (headers: Record<string, string>, auth = false) =>
      call(sim, 'PUT', issued.upload_url, { raw: bytes, headers, auth });
    expect((await put(issued.upload_headers, true)).status).toBe(403);
    expect((await put({ 'content-type': 'image/jpeg' })).status).toBe(403);
    expect((await call(sim, 'GET', issued.public_url, { auth: false })).status).toBe(404);
    expect((await put(issued.upload_headers)).status).toBe(200);
    const got = await call(sim, 'GET', issued.public_url, { auth: false });
    expect([got.headers['content-type'], got.body.equals(bytes)]).toEqual(['image/png', true]);
    const badType = await call(sim, 'POST', '/files/generate-upload-url', { body: { content_type: 'text/html' } });
    expect(badType.status).toBe(422);
  });

  it('answers an injected fault once, then handles normally', async () => {
    sim.injectFault({ method: 'GET', pathPrefix: '/models', status: 503 });
    const fault = await call(sim, 'GET', '/models');
    expect([fault.status, fault.json()]).toEqual([503, { detail: 'Injected fault' }]);
    expect((await call(sim, 'GET', '/models')).status).toBe(200);
  });

  it('serves style and motion catalogs, the model list and estimates', async () => {
    const styles = (await call(sim, 'GET', '/v1/text2image/soul-styles/v2')).json();
    expect(styles.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(['464ea177-8d40-4940-8d9d-b438bab269c7', '524be50a-4388-4ff5-a843-a73d2dd7ef87']),
    );
    const motions = (await call(sim, 'GET', '/v1/motions')).json();
    expect(motions.find((m: { name: string }) => m.name === 'Zoom In')).toMatchObject({
      id: 'fbcbec5b-30f8-4b17-ba6e-8e8d5b265562',
      start_end_frame: true,
    });
    const models = (await call(sim, 'GET', '/models')).json();
    expect(models).toContainEqual(
      expect.objectContaining({ slug: VEO, output_type: 'video', operation_type: 'text2video' }),
    );
    const est = (await call(sim, 'POST', `/estimate/${VEO}`, { body: { prompt: 'x' } })).json();
    expect(est.usd).toBe(est.credits * 0.0625);
  });
});

describe('Higgsfield simulator: concurrency limit', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ queuedMs: 100, inProgressMs: 100, maxConcurrent: 2 });
  });
  afterAll(() => sim.close());

  it('answers 400 at the limit, and accepts again once requests finish', async () => {
    const ids = [
      (await submit(sim, SOUL, { prompt: 'a' })).json().request_id,
      (await submit(sim, SOUL, { prompt: 'b' })).json().request_id,
    ];
    const third = await submit(sim, SOUL, { prompt: 'c' });
    expect([third.status, third.json()]).toEqual([
      400,
      {
        detail:
          'Maximum number of concurrent requests (2) has been reached. Wait for an existing request to reach a terminal status.',
      },
    ]);
    await waitFor(
      () => ids.map((id) => sim.request(id)?.status),
      (s) => s.every((x) => x === 'completed'),
    );
    expect((await submit(sim, SOUL, { prompt: 'c' })).status).toBe(200);
  });
});

interface Received {
  headers: Record<string, string>;
  body: string;
}

async function startReceiver(statuses: number[]): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      got.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?x=1`, got };
}

describe('Higgsfield simulator: webhooks', () => {
  const extra = `whsec_${Buffer.from('rotated-secret-rotated-secret!!').toString('base64')}`;
  let sim: Simulator;
  const servers: Server[] = [];
  beforeAll(async () => {
    sim = await startSimulator({
      queuedMs: 20,
      inProgressMs: 30,
      extraSigningSecrets: [extra],
      webhookRetryDelaysMs: [30, 30],
    });
  });
  afterAll(async () => {
    await sim.close();
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const hooked = async (statuses: number[], prompt = 'x') => {
    const receiver = await startReceiver(statuses);
    servers.push(receiver.server);
    const query = `?hf_webhook=${encodeURIComponent(receiver.url)}`;
    const id: string = (await submit(sim, SOUL, { prompt }, undefined, query)).json().request_id;
    return { ...receiver, id };
  };

  it('delivers a terminal status signed by the current and the rotated secret', async () => {
    const { got, id } = await hooked([], 'sim:fail');
    await waitFor(
      () => got.length,
      (n) => n >= 1,
    );
    const [hit] = got;
    expect(JSON.parse(hit!.body)).toMatchObject({ status: 'failed', request_id: id });
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(hit!.headers['webhook-id']).toMatch(/^msg_/);
    expect(hit!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(sim.webhookSecret).verify(hit!.body, hit!.headers)).toMatchObject({ request_id: id });
    expect(() => new Webhook(extra).verify(hit!.body, hit!.headers)).not.toThrow();
    await sim.redeliverWebhook(id);
    expect(got[1]?.headers['webhook-id']).toBe(hit!.headers['webhook-id']);
  });

  it('retries after a 500 with the same webhook-id, but never after a 4xx', async () => {
    const retried = await hooked([500]);
    const failedOnce = await hooked([410]);
    await waitFor(
      () => retried.got.length,
      (n) => n >= 2,
    );
    expect(retried.got[1]!.headers['webhook-id']).toBe(retried.got[0]!.headers['webhook-id']);
    // The delivery record is updated once the receiver's answer is read, just after the receiver saw the request.
    await waitFor(
      () => sim.webhookDeliveries().find((d) => d.requestId === retried.id)?.lastStatus,
      (status) => status === 200,
    );
    expect(sim.webhookDeliveries().find((d) => d.requestId === retried.id)).toMatchObject({
      attempts: 2,
      lastStatus: 200,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(failedOnce.got).toHaveLength(1);
  });

  it('sends no webhook for a canceled request', async () => {
    sim.scriptNext({ status: 'completed', queuedMs: 150, inProgressMs: 10 });
    const { got, id } = await hooked([]);
    expect((await call(sim, 'POST', `/requests/${id}/cancel`)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(got).toHaveLength(0);
  });
});

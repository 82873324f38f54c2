import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { HiggsfieldClient, type HiggsfieldClientOptions } from '../../src/higgsfield/client.js';
import { HiggsfieldError } from '../../src/higgsfield/errors.js';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';

const SOUL = 'higgsfield-ai/soul/v2/standard';
const KLING_T2V = 'kling-video/v2.5-turbo/pro/text-to-video';

let sim: Simulator;

function client(overrides: Partial<HiggsfieldClientOptions> = {}): HiggsfieldClient {
  return new HiggsfieldClient({
    baseUrl: sim.url,
    credentials: SIMULATOR_CREDENTIALS,
    logger: silentLogger(),
    retry: { attempts: 3, baseMs: 10, maxMs: 40 },
    ...overrides,
  });
}

/** Every POST that reached the Soul endpoint, injected faults included. */
function submitCalls(): number {
  return sim.stats().calls.filter((c) => c.method === 'POST' && c.path === `/${SOUL}`).length;
}

async function untilTerminal(hf: HiggsfieldClient, requestId: string) {
  for (let i = 0; i < 200; i++) {
    const status = await hf.status(requestId);
    if (status.terminal) return status;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`request ${requestId} did not finish`);
}

async function failure(promise: Promise<unknown>): Promise<HiggsfieldError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HiggsfieldError);
    return error as HiggsfieldError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 40, inProgressMs: 80, maxConcurrent: 50, videoSizeBytes: 4096 });
});
afterAll(async () => {
  await sim.close();
});

describe('Higgsfield client against the simulator', () => {
  it('follows an image request from queued to completed and returns the image URLs', async () => {
    const hf = client();
    const submitted = await hf.submit(SOUL, { prompt: 'a red fox in snow', batch_size: 4 });
    expect(submitted.status).toBe('queued');
    expect(submitted.terminal).toBe(false);
    const seen = new Set<string>();
    let done = submitted;
    while (!done.terminal) {
      done = await hf.status(submitted.requestId);
      seen.add(done.status);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect([...seen]).toEqual(expect.arrayContaining(['in_progress', 'completed']));
    expect(done.outputs).toHaveLength(4);
    expect(done.outputs.every((o) => o.type === 'image' && o.url.startsWith(sim.url))).toBe(true);
  });

  it('returns the video URL of a completed video request', async () => {
    const hf = client();
    const { requestId } = await hf.submit(KLING_T2V, { prompt: 'waves at night' });
    const done = await untilTerminal(hf, requestId);
    expect(done.status).toBe('completed');
    expect(done.outputs).toEqual([{ type: 'video', url: expect.stringContaining('.mp4') }]);
  });

  it('reports failed with the provider’s reason, and nsfw', async () => {
    const hf = client();
    const failed = await untilTerminal(hf, (await hf.submit(SOUL, { prompt: 'sim:fail a castle' })).requestId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('could not render');
    const nsfw = await untilTerminal(hf, (await hf.submit(SOUL, { prompt: 'sim:nsfw a castle' })).requestId);
    expect(nsfw.status).toBe('nsfw');
    expect(nsfw.outputs).toEqual([]);
  });

  it('cancels a queued request, and says it is too late once rendering', async () => {
    const hf = client();
    const queued = await hf.submit(SOUL, { prompt: 'a quiet lake' });
    await hf.cancel(queued.requestId);
    expect((await hf.status(queued.requestId)).status).toBe('canceled');

    sim.scriptNext({ status: 'completed', queuedMs: 0, inProgressMs: 5_000 });
    const running = await hf.submit(SOUL, { prompt: 'a busy street' });
    await new Promise((r) => setTimeout(r, 20));
    const error = await failure(hf.cancel(running.requestId));
    expect(error.code).toBe(ErrorCode.HfCancelTooLate);
    expect(error.userMessage).toMatch(/too late/i);
  });

  it('rejects wrong credentials as a final configuration error (401)', async () => {
    const error = await failure(
      client({ credentials: { keyId: 'sim-key', keySecret: 'wrong' } }).status('00000000-0000-0000-0000-000000000000'),
    );
    expect(error.status).toBe(401);
    expect(error.code).toBe(ErrorCode.HfAuth);
    expect(error.retryable).toBe(false);
    expect(error.kind).toBe('config');
    expect(sim.stats().calls.filter((c) => c.status === 401)).toHaveLength(1);
  });

  it('surfaces the 422 validation details Higgsfield gives', async () => {
    // Our registry validates first, so send a body only the server refuses: ask the simulator to inject it.
    sim.injectFault({
      method: 'POST',
      pathPrefix: `/${SOUL}`,
      status: 422,
      body: { detail: [{ loc: ['body', 'aspect_ratio'], msg: 'Input should be 16:9 or 9:16', type: 'enum' }] },
    });
    const error = await failure(client().submit(SOUL, { prompt: 'p' }));
    expect(error.code).toBe(ErrorCode.HfValidation);
    expect(error.message).toContain('aspect_ratio: Input should be 16:9 or 9:16');
    expect(error.userMessage).toContain('aspect_ratio');
  });

  it('refuses invalid parameters before any call reaches Higgsfield', async () => {
    const before = sim.stats().submitCalls;
    await expect(client().submit(SOUL, { prompt: 'p', aspect_ratio: '5:7' })).rejects.toThrow(/aspect_ratio must be/);
    expect(sim.stats().submitCalls).toBe(before);
  });

  it('recognises the account concurrency limit (400) and does not retry it', async () => {
    const active = sim.requests().filter((r) => r.status === 'queued' || r.status === 'in_progress').length;
    sim.configure({ maxConcurrent: active + 1 });
    try {
      sim.scriptNext({ status: 'stuck' });
      const hf = client();
      const first = await hf.submit(SOUL, { prompt: 'first' });
      const before = submitCalls();
      const error = await failure(hf.submit(SOUL, { prompt: 'second' }, { idempotencyKey: 'gen-concurrency-2' }));
      expect(error.status).toBe(400);
      expect(error.code).toBe(ErrorCode.HfConcurrencyLimit);
      expect(error.userMessage).toMatch(/slot/);
      expect(submitCalls()).toBe(before + 1);
      await hf.cancel(first.requestId).catch(() => undefined);
    } finally {
      sim.configure({ maxConcurrent: 50 });
    }
  });

  it('returns the same request for a resubmit with the same idempotency key', async () => {
    const hf = client();
    const created = sim.stats().requestsCreated;
    const a = await hf.submit(SOUL, { prompt: 'same', seed: 7 }, { idempotencyKey: 'gen-idem-1' });
    const b = await hf.submit(SOUL, { seed: 7, prompt: 'same' }, { idempotencyKey: 'gen-idem-1' });
    expect(b.requestId).toBe(a.requestId);
    expect(sim.stats().requestsCreated).toBe(created + 1);
    const mismatch = await failure(hf.submit(SOUL, { prompt: 'different' }, { idempotencyKey: 'gen-idem-1' }));
    expect(mismatch.code).toBe(ErrorCode.HfValidation);
  });

  it('retries a submit that carries an idempotency key after a 5xx, paying once', async () => {
    const created = sim.stats().requestsCreated;
    sim.injectFault({ method: 'POST', pathPrefix: `/${SOUL}`, status: 502 });
    const req = await client().submit(SOUL, { prompt: 'retry me' }, { idempotencyKey: 'gen-retry-1' });
    expect(req.status).toBe('queued');
    expect(sim.stats().requestsCreated).toBe(created + 1);
  });

  it('never retries a submit without an idempotency key', async () => {
    sim.injectFault({ method: 'POST', pathPrefix: `/${SOUL}`, status: 503 });
    const calls = submitCalls();
    const error = await failure(client().submit(SOUL, { prompt: 'no key' }));
    expect(error.code).toBe(ErrorCode.HfUnavailable);
    expect(error.retryable).toBe(true);
    expect(submitCalls()).toBe(calls + 1);
  });

  it('retries a status read after a 5xx and returns the answer', async () => {
    const hf = client();
    const { requestId } = await hf.submit(SOUL, { prompt: 'status retry' });
    sim.injectFault({ method: 'GET', pathPrefix: `/requests/${requestId}`, status: 500, times: 2 });
    const status = await hf.status(requestId);
    expect(status.requestId).toBe(requestId);
    const reads = sim.stats().calls.filter((c) => c.path === `/requests/${requestId}/status`);
    expect(reads.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('maps 423 and 503 to retryable errors and 403 to a refusal', async () => {
    const hf = client({ retry: { attempts: 1 } });
    sim.injectFault({ pathPrefix: '/v1/motions', status: 423, body: { detail: 'Model temporarily blocked' } });
    expect((await failure(hf.listMotions())).code).toBe(ErrorCode.HfModelBlocked);
    sim.injectFault({ pathPrefix: '/v1/motions', status: 403, body: { detail: 'Not enough credits' } });
    const refused = await failure(hf.listMotions());
    expect(refused.code).toBe(ErrorCode.HfForbidden);
    expect(refused.retryable).toBe(false);
    expect(refused.userMessage).toMatch(/credits/);
  });

  it('aborts a call that outlasts its timeout', async () => {
    sim.injectFault({ pathPrefix: '/v1/text2image/soul-styles/v2', status: 0, delayMs: 1_000 });
    const started = performance.now();
    const error = await failure(client({ timeoutMs: 100, retry: { attempts: 1 } }).listStyles());
    expect(error.code).toBe(ErrorCode.HfTimeout);
    expect(error.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(800);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    sim.injectFault({ pathPrefix: '/v1/motions', status: 0, delayMs: 1_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(client().listMotions({ signal: controller.signal })).rejects.toMatchObject({
      code: ErrorCode.Aborted,
    });
  });

  it('uploads an input image and hands back a public URL that serves it', async () => {
    const bytes = Buffer.from('\x89PNG\r\n\x1a\nnot-really-a-png-but-bytes');
    const publicUrl = await client().uploadFile(bytes, 'image/png', { sizeBytes: bytes.length });
    const res = await fetch(publicUrl);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('reads the style and motion catalogs', async () => {
    const hf = client();
    const styles = await hf.listStyles();
    const motions = await hf.listMotions();
    expect(styles.map((s) => s.name)).toContain('General');
    expect(motions.find((m) => m.name === 'Zoom In')?.id).toBe('fbcbec5b-30f8-4b17-ba6e-8e8d5b265562');
    expect(typeof motions[0]?.startEndFrame).toBe('boolean');
  });

  it('sends the webhook URL with the submit', async () => {
    const { requestId } = await client().submit(SOUL, { prompt: 'hook' }, { webhookUrl: 'http://127.0.0.1:9/hook' });
    expect(sim.request(requestId)?.webhookUrl).toBe('http://127.0.0.1:9/hook');
  });

  it('treats an unreachable host as a retryable network error', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((r) => server.close(() => r()));
    const error = await failure(client({ baseUrl: `http://127.0.0.1:${port}`, retry: { attempts: 1 } }).listModels());
    expect(error.code).toBe(ErrorCode.HfNetwork);
    expect(error.retryable).toBe(true);
  });
});

/**
 * Higgsfield as the generation provider, against the built-in simulator over HTTP: a model's facts come
 * from the registry, an option is submitted with its prompt and idempotency key, a completed status carries
 * its outputs, and a cancel that comes too late is the answer 'too-late' rather than an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationProvider, ProviderRequest } from '../../src/core/provider.js';
import type { GenerationOption } from '../../src/core/types.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';

const SOUL = 'higgsfield-ai/soul/v2/standard';

let sim: Simulator;
let provider: GenerationProvider;

function soul(prompt: string, params: Record<string, unknown> = {}): GenerationOption {
  return { kind: 'text-to-image', modelId: SOUL, prompt, params, label: prompt, reason: 'test' };
}

async function untilTerminal(requestId: string): Promise<ProviderRequest> {
  for (let i = 0; i < 200; i++) {
    const status = await provider.status(requestId);
    if (status.terminal) return status;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`request ${requestId} did not finish`);
}

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 40, inProgressMs: 80, maxConcurrent: 50 });
  provider = createHiggsfieldProvider(
    new HiggsfieldClient({
      baseUrl: sim.url,
      credentials: SIMULATOR_CREDENTIALS,
      logger: silentLogger(),
      retry: { attempts: 2, baseMs: 10, maxMs: 40 },
    }),
  );
});
afterAll(async () => {
  await sim.close();
});

describe('the Higgsfield provider', () => {
  it('describes a model from the registry, and knows no model it does not offer', () => {
    expect(provider.model(SOUL)).toEqual({
      id: SOUL,
      title: expect.stringContaining('Soul'),
      kind: 'text-to-image',
      typicalSeconds: expect.any(Number),
      deadlineMs: expect.any(Number),
    });
    expect(provider.model('no-such/model')).toBeUndefined();
  });

  it('submits an option with its prompt once per idempotency key, and reads its completed outputs', async () => {
    const option = soul('a red fox in snow', { batch_size: 4 });
    const first = await provider.submit(option, { idempotencyKey: 'gen-provider-1' });
    const again = await provider.submit(option, { idempotencyKey: 'gen-provider-1' });
    expect(again.requestId).toBe(first.requestId);
    expect(sim.requests().filter((r) => r.idempotencyKey === 'gen-provider-1')).toHaveLength(1);

    const done = await untilTerminal(first.requestId);
    expect(done).toMatchObject({ requestId: first.requestId, status: 'completed', terminal: true });
    expect(done.outputs).toHaveLength(4);
    expect(done.outputs.every((o) => o.type === 'image' && o.url.startsWith(sim.url))).toBe(true);
  });

  it('asks to be told at the webhook URL when the request ends', async () => {
    const { requestId } = await provider.submit(soul('hook'), {
      idempotencyKey: 'gen-provider-hook',
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    expect(sim.request(requestId)?.webhookUrl).toBe('http://127.0.0.1:9/hook');
  });

  it('cancels a request still queued, and answers too-late once it renders', async () => {
    sim.scriptNext({ status: 'completed', queuedMs: 5_000, inProgressMs: 100 });
    const queued = await provider.submit(soul('a quiet lake'), { idempotencyKey: 'gen-provider-queued' });
    expect(await provider.cancel(queued.requestId)).toBe('canceled');
    expect((await provider.status(queued.requestId)).status).toBe('canceled');

    sim.scriptNext({ status: 'completed', queuedMs: 0, inProgressMs: 5_000 });
    const rendering = await provider.submit(soul('a busy street'), { idempotencyKey: 'gen-provider-rendering' });
    await new Promise((r) => setTimeout(r, 20));
    expect(await provider.cancel(rendering.requestId)).toBe('too-late');
  });

  it('prices an option in credits, hosts an input image, and lists styles and motions', async () => {
    expect(await provider.estimate(soul('a price'), {})).toBeGreaterThan(0);
    const bytes = Buffer.from('\x89PNG\r\n\x1a\nbytes');
    const url = await provider.upload({ bytes, contentType: 'image/png', sizeBytes: bytes.length });
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true);
    expect((await provider.styles()).map((s) => s.name)).toContain('General');
    expect((await provider.motions()).find((m) => m.name === 'Zoom In')?.startEndFrame).toEqual(expect.any(Boolean));
  });
});

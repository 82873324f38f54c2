import { readFile, stat } from 'node:fs/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import { FAIL_MESSAGE } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { createPipeline } from '../../src/queue/create-pipeline.js';
import { sampleMemoryPeak } from '../support/memory.js';
import { type Harness, spec, startHarness } from '../support/pipeline-harness.js';

const SOUL = 'higgsfield-ai/soul/v2/standard';
const KLING = 'kling-video/v2.5-turbo/pro/text-to-video';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('generation pipeline, polling', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ name: 'pipeline', sim: { videoSizeBytes: 300_000 } });
  });
  afterAll(async () => h.close());

  it('turns a chosen image option into a stored PNG posted to the conversation, paying once', async () => {
    const { generationId, duplicate, position } = await h.pipeline.service.enqueue(spec(SOUL, 'a red fox in snow'));
    expect(duplicate).toBe(false);
    expect(position).toBeGreaterThanOrEqual(1);
    const end = await h.finished(generationId);
    expect(end.state).toBe('done');
    const states = h.eventsOf(generationId).map((e) => e.state);
    expect(states[0]).toBe('queued');
    expect(states).toEqual(expect.arrayContaining(['submitted', 'delivering', 'done']));
    const result = h.publisher.results.find((r) => r.generationId === generationId);
    const asset = result?.assets[0];
    expect(asset?.contentType).toBe('image/png');
    expect((await readFile(asset?.path ?? '')).subarray(0, 8).equals(PNG)).toBe(true);
    expect(h.sim.requests().filter((r) => r.idempotencyKey === generationId)).toHaveLength(1);
  });

  it('delivers a video model’s MP4', async () => {
    const { generationId } = await h.pipeline.service.enqueue(spec(KLING, 'waves at night'));
    expect((await h.finished(generationId)).state).toBe('done');
    const asset = h.publisher.results.find((r) => r.generationId === generationId)?.assets[0];
    expect(asset?.contentType).toBe('video/mp4');
    expect((await stat(asset?.path ?? '')).size).toBe(300_000);
  });

  it('collapses a double click onto one generation and says so', async () => {
    const choice = spec(SOUL, 'double click', { choiceKey: 'opt-abc-1-user' });
    const [first, second] = await Promise.all([h.pipeline.service.enqueue(choice), h.pipeline.service.enqueue(choice)]);
    expect(second.generationId).toBe(first.generationId);
    expect([first.duplicate, second.duplicate].sort()).toEqual([false, true]);
    await h.finished(first.generationId);
    const third = await h.pipeline.service.enqueue(choice);
    expect(third).toMatchObject({ generationId: first.generationId, duplicate: true });
    expect(h.sim.requests().filter((r) => r.idempotencyKey === first.generationId)).toHaveLength(1);
    expect(h.publisher.results.filter((r) => r.generationId === first.generationId)).toHaveLength(1);
  });

  it('re-rolling the same recipe is a new generation on purpose', async () => {
    const a = await h.pipeline.service.enqueue(spec(SOUL, 'same recipe', {}, 'reroller'));
    const b = await h.pipeline.service.enqueue(spec(SOUL, 'same recipe', {}, 'reroller'));
    expect(b.generationId).not.toBe(a.generationId);
    await Promise.all([h.finished(a.generationId), h.finished(b.generationId)]);
  });

  it('tells people a generation was blocked as NSFW, or failed with the provider’s reason', async () => {
    const nsfw = await h.pipeline.service.enqueue(spec(SOUL, 'sim:nsfw a portrait'));
    const failed = await h.pipeline.service.enqueue(spec(SOUL, 'sim:fail a castle'));
    expect(await h.finished(nsfw.generationId)).toMatchObject({ state: 'failed', reason: 'nsfw' });
    expect(await h.finished(failed.generationId)).toMatchObject({ state: 'failed', reason: 'failed' });
    const messages = new Map(h.publisher.failures.map((f) => [f.generationId, f.message]));
    expect(messages.get(nsfw.generationId)).toMatch(/NSFW/);
    expect(messages.get(failed.generationId)).toContain(FAIL_MESSAGE);
  });

  it('ends a generation that passes its model deadline with a message', async () => {
    const h2 = await startHarness({ name: 'deadline', settings: { deadlineScale: 0.0005 } }); // Soul: 10 min → 300 ms
    try {
      const { generationId } = await h2.pipeline.service.enqueue(spec(SOUL, 'sim:stuck forever'));
      const end = await h2.finished(generationId);
      expect(end).toMatchObject({ state: 'failed', reason: 'deadline' });
      expect(h2.publisher.failures[0]?.message).toMatch(/stopped waiting/);
    } finally {
      await h2.close();
    }
  });

  it('refuses a person’s generation beyond their active cap, before queuing anything', async () => {
    const h2 = await startHarness({ name: 'cap', settings: { maxActivePerUser: 2 }, workers: false });
    try {
      await h2.pipeline.service.enqueue(spec(SOUL, 'one', {}, 'busy'));
      await h2.pipeline.service.enqueue(spec(SOUL, 'two', {}, 'busy'));
      const active = await h2.pipeline.service.listActive('terminal', 'busy');
      expect(active.map((a) => [a.state, a.position])).toEqual([
        ['queued', 1],
        ['queued', 2],
      ]);
      expect(await h2.pipeline.service.listActive('discord', 'busy')).toEqual([]);
      await expect(h2.pipeline.service.enqueue(spec(SOUL, 'three', {}, 'busy'))).rejects.toThrow(
        /already have 2 generations in progress/,
      );
      expect(await h2.pipeline.submitQueue.count()).toBe(2);
      // Fair order: another person's first generation goes ahead of the busy person's second.
      await expect(h2.pipeline.service.enqueue(spec(SOUL, 'other person'))).resolves.toMatchObject({ position: 2 });
    } finally {
      await h2.close();
    }
  });
});

describe('generation pipeline, webhooks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ name: 'webhooks', webhooks: true });
  });
  afterAll(async () => h.close());

  it('advances the job as soon as the signed webhook arrives, without status reads', async () => {
    const { generationId } = await h.pipeline.service.enqueue(spec(SOUL, 'webhook fox'));
    const end = await h.finished(generationId, 5_000); // polls are 30 s apart here: only the webhook can do it
    expect(end.state).toBe('done');
    const req = h.sim.requests().find((r) => r.idempotencyKey === generationId);
    expect(req?.webhookUrl).toBe(h.webhookUrl);
    expect(req?.statusReads).toBe(0);
    expect(end.atMs - (req?.terminalAtMs ?? 0)).toBeLessThan(2_000);
  });

  it('rejects a forged webhook: the job does not move', async () => {
    h.sim.scriptNext({ status: 'stuck' });
    const { generationId } = await h.pipeline.service.enqueue(spec(SOUL, 'forgery target'));
    await new Promise((r) => setTimeout(r, 300));
    const req = h.sim.requests().find((r) => r.idempotencyKey === generationId);
    const body = JSON.stringify({
      status: 'completed',
      request_id: req?.id,
      images: [{ url: `${h.sim.url}/evil.png` }],
    });
    const res = await request(h.webhookUrl ?? '', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,bm90IGEgcmVhbCBzaWduYXR1cmU=',
      },
    });
    expect(res.statusCode).toBe(401);
    await res.body.dump();
    await new Promise((r) => setTimeout(r, 300));
    expect(h.eventsOf(generationId).map((e) => e.state)).not.toContain('done');
    expect(await h.pipeline.service.cancel(generationId, 'someone-else')).toEqual({ outcome: 'not-allowed' });
  });
});

describe('cancel', () => {
  it('cancels a generation still in our queue: nothing reaches Higgsfield', async () => {
    const h = await startHarness({ name: 'cancel-ours', workers: false });
    try {
      const s = spec(SOUL, 'never mind', {}, 'canceller');
      const { generationId } = await h.pipeline.service.enqueue(s);
      expect(await h.pipeline.service.cancel(generationId, 'canceller')).toEqual({ outcome: 'canceled' });
      await h.startWorkers();
      expect((await h.finished(generationId)).state).toBe('canceled');
      await new Promise((r) => setTimeout(r, 200));
      expect(h.sim.stats().requestsCreated).toBe(0);
      expect(await h.pipeline.service.listActive('terminal', 'canceller')).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('cancels at Higgsfield while it is still queued there, and says too late once rendering', async () => {
    const h = await startHarness({ name: 'cancel-hf', sim: { queuedMs: 3_000, inProgressMs: 3_000 } });
    try {
      const waiting = await h.pipeline.service.enqueue(spec(SOUL, 'queued there', {}, 'c2'));
      await waitForState(h, waiting.generationId, 'submitted');
      expect(await h.pipeline.service.cancel(waiting.generationId, 'c2')).toEqual({ outcome: 'canceled' });
      const end = await h.finished(waiting.generationId);
      expect(end.state).toBe('canceled');
      expect(h.publisher.failures.find((f) => f.generationId === waiting.generationId)?.message).toMatch(/Canceled/);

      h.sim.configure({ queuedMs: 0 });
      const rendering = await h.pipeline.service.enqueue(spec(SOUL, 'rendering there', {}, 'c3'));
      await waitForState(h, rendering.generationId, 'submitted');
      expect(await h.pipeline.service.cancel(rendering.generationId, 'c3')).toEqual({ outcome: 'too-late' });
    } finally {
      await h.close();
    }
  });
});

describe('cancel while the submit is in flight', () => {
  it('answers truthfully: canceled while Higgsfield still queues it, too late once it renders', async () => {
    const h = await startHarness({ name: 'cancel-inflight', sim: { queuedMs: 3_000, inProgressMs: 500 } });
    try {
      // The submit request takes 600 ms to answer; the cancel lands in the middle of it.
      h.sim.injectFault({ method: 'POST', pathPrefix: `/${SOUL}`, status: 0, delayMs: 600 });
      const queuedThere = await h.pipeline.service.enqueue(spec(SOUL, 'slow submit, queued there', {}, 'c4'));
      await new Promise((r) => setTimeout(r, 250));
      expect(await h.pipeline.service.cancel(queuedThere.generationId, 'c4')).toEqual({ outcome: 'canceled' });
      expect((await h.finished(queuedThere.generationId)).state).toBe('canceled');

      h.sim.configure({ queuedMs: 0 });
      h.sim.injectFault({ method: 'POST', pathPrefix: `/${SOUL}`, status: 0, delayMs: 600 });
      const rendering = await h.pipeline.service.enqueue(spec(SOUL, 'slow submit, rendering there', {}, 'c5'));
      await new Promise((r) => setTimeout(r, 250));
      expect(await h.pipeline.service.cancel(rendering.generationId, 'c5')).toEqual({ outcome: 'too-late' });
      expect((await h.finished(rendering.generationId)).state).toBe('done');
    } finally {
      await h.close();
    }
  });
});

describe('fairness and the account concurrency limit', () => {
  it('waits out Higgsfield’s concurrency limit (400) instead of failing', async () => {
    const h = await startHarness({ name: 'concurrency', sim: { maxConcurrent: 1, queuedMs: 20, inProgressMs: 120 } });
    try {
      const ids = await Promise.all(
        ['a', 'b', 'c'].map(
          async (u) => (await h.pipeline.service.enqueue(spec(SOUL, `busy ${u}`, {}, u))).generationId,
        ),
      );
      const ends = await Promise.all(ids.map((id) => h.finished(id, 15_000)));
      expect(ends.map((e) => e.state)).toEqual(['done', 'done', 'done']);
      expect(h.sim.stats().calls.some((c) => c.status === 400)).toBe(true);
      expect(h.sim.stats().requestsCreated).toBe(3);
    } finally {
      await h.close();
    }
  });

  it('does not let one person’s ten generations starve another person’s one', async () => {
    const h = await startHarness({
      name: 'fairness',
      sim: { maxConcurrent: 2, queuedMs: 10, inProgressMs: 150 },
      workers: false,
    });
    try {
      const heavy = [];
      for (let i = 0; i < 10; i++)
        heavy.push((await h.pipeline.service.enqueue(spec(SOUL, `heavy ${i}`, {}, 'heavy'))).generationId);
      const light = (await h.pipeline.service.enqueue(spec(SOUL, 'light one', {}, 'light'))).generationId;
      expect((await h.pipeline.service.estimate(light, spec(SOUL, 'x'))).position).toBe(2);
      await h.startWorkers();
      await Promise.all([...heavy, light].map((id) => h.finished(id, 20_000)));
      const submitted = h.events.filter((e) => e.state === 'submitted').map((e) => e.generationId);
      expect(submitted.indexOf(light)).toBeLessThanOrEqual(2);
    } finally {
      await h.close();
    }
  });
});

describe('media', () => {
  it('delivers a 30 MB result with memory that does not grow with the file', async () => {
    const h = await startHarness({ name: 'big', sim: { videoSizeBytes: 30 * 1024 * 1024 } });
    try {
      const sampler = sampleMemoryPeak();
      const { generationId } = await h.pipeline.service.enqueue(spec(KLING, 'a long take'));
      const end = await h.finished(generationId, 20_000);
      const peak = sampler.stop();
      expect(end.state).toBe('done');
      const asset = end.assets?.[0];
      expect(asset?.sizeBytes).toBe(30 * 1024 * 1024);
      expect((await stat(asset?.path ?? '')).size).toBe(30 * 1024 * 1024);
      expect(peak.heapBytes + peak.arrayBuffersBytes).toBeLessThan(20 * 1024 * 1024);
    } finally {
      await h.close();
    }
  });
});

describe('Redis down at enqueue', () => {
  it('tells the person to try again, and leaves nothing behind', async () => {
    const client = new HiggsfieldClient({
      baseUrl: 'http://127.0.0.1:9',
      credentials: { keyId: 'a', keySecret: 'b' },
      logger: silentLogger(),
    });
    const pipeline = createPipeline({
      redisUrl: 'redis://127.0.0.1:9',
      provider: createHiggsfieldProvider(client),
      logger: silentLogger(),
      settings: { prefix: 't-down' },
    });
    try {
      await expect(pipeline.service.enqueue(spec(SOUL, 'no redis'))).rejects.toMatchObject({
        userMessage: expect.stringMatching(/try again/),
      });
    } finally {
      await pipeline.close();
    }
  });
});

async function waitForState(h: Harness, generationId: string, state: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (h.eventsOf(generationId).some((e) => e.state === state)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${generationId} never reached ${state}`);
}

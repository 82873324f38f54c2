/**
 * A storm of presses of one option by one person is one decision per press, made atomically: one
 * generation, every other press a duplicate of it (never "you already have 3 in progress" while the person
 * has one), and "already queued" due at most once per person and option every few seconds. And when Redis
 * itself is unreachable, a press hears that the service is briefly unavailable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIEFLY_UNAVAILABLE_TEXT } from '../../src/errors.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import { silentLogger } from '../../src/log.js';
import { createPipeline } from '../../src/queue/create-pipeline.js';
import { freeLoopbackPort } from '../../src/queue/private-redis.js';
import { type Harness, spec, startHarness } from '../support/pipeline-harness.js';

const SOUL = 'higgsfield-ai/soul/v2/standard';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    name: 'storm',
    settings: { maxActivePerUser: 3, duplicateNoteEveryMs: 60_000 },
    workers: false,
  });
});

afterAll(async () => {
  await h.close();
});

describe('a storm of presses of one option', () => {
  it('makes one generation from 1,000 presses, 100 at a time, and due one note, never the cap', async () => {
    const choice = spec(SOUL, 'storm of presses', { choiceKey: 'optStorm01:0' }, 'stormy');
    const outcomes: Array<Awaited<ReturnType<typeof h.pipeline.service.enqueue>>> = [];
    const refusals: string[] = [];
    for (let wave = 0; wave < 10; wave++) {
      const settled = await Promise.allSettled(Array.from({ length: 100 }, () => h.pipeline.service.enqueue(choice)));
      for (const s of settled) {
        if (s.status === 'fulfilled') outcomes.push(s.value);
        else refusals.push(String((s.reason as Error).message));
      }
    }
    expect(refusals).toEqual([]);
    const fresh = outcomes.filter((o) => !o.duplicate);
    expect(fresh).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.generationId))).toEqual(new Set([fresh[0]!.generationId]));
    // One "already queued" note is due (the first duplicate); the other 998 presses stay quiet.
    expect(outcomes.filter((o) => o.duplicate && !o.quiet)).toHaveLength(1);
    expect(await h.pipeline.submitQueue.count()).toBe(1);
    expect(await h.pipeline.service.listActive('terminal', 'stormy')).toHaveLength(1);
  });

  it('still refuses a fourth different option while three are active', async () => {
    for (const n of [1, 2, 3]) {
      await h.pipeline.service.enqueue(spec(SOUL, `busy ${n}`, { choiceKey: `optBusy000:${n}` }, 'busy'));
    }
    await expect(
      h.pipeline.service.enqueue(spec(SOUL, 'busy 4', { choiceKey: 'optBusy000:4' }, 'busy')),
    ).rejects.toThrow(/already have 3 generations in progress/);
    // Pressing one of the three again is a duplicate, not a refusal.
    await expect(
      h.pipeline.service.enqueue(spec(SOUL, 'busy 1', { choiceKey: 'optBusy000:1' }, 'busy')),
    ).resolves.toMatchObject({ duplicate: true });
  });

  it('is due another note once the quiet period has passed', async () => {
    const quick = await startHarness({ name: 'storm-notes', settings: { duplicateNoteEveryMs: 200 }, workers: false });
    try {
      const choice = spec(SOUL, 'notes again', { choiceKey: 'optNotes00:0' }, 'noter');
      await quick.pipeline.service.enqueue(choice);
      const first = await quick.pipeline.service.enqueue(choice);
      const second = await quick.pipeline.service.enqueue(choice);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const later = await quick.pipeline.service.enqueue(choice);
      expect([first.quiet ?? false, second.quiet ?? false, later.quiet ?? false]).toEqual([false, true, false]);
    } finally {
      await quick.close();
    }
  });
});

describe('a press while Redis is unreachable', () => {
  it('says the service is briefly unavailable and to try again, starting nothing', async () => {
    const deadPort = await freeLoopbackPort();
    const pipeline = createPipeline({
      redisUrl: `redis://127.0.0.1:${deadPort}`,
      provider: createHiggsfieldProvider(
        new HiggsfieldClient({
          baseUrl: h.sim.url,
          credentials: { keyId: 'sim-key', keySecret: 'sim-secret' },
          logger: silentLogger(),
        }),
      ),
      logger: silentLogger(),
      settings: { prefix: 'higgsbot-test-dead' },
    });
    try {
      const error = await pipeline.service.enqueue(spec(SOUL, 'while down')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', userMessage: BRIEFLY_UNAVAILABLE_TEXT });
    } finally {
      await pipeline.close();
    }
  });
});

/**
 * The deliver step and the endings around it, over in-memory ports: a completed render is stored and
 * posted once; a delivery that cannot be made tells the person, with the provider's link; a generation the
 * queue gave up on is ended with a message unless it had already ended.
 */
import { describe, expect, it } from 'vitest';
import { type DeliverAttempt, deliverStep } from '../../../src/core/generation/deliver-step.js';
import { endAfterGivingUp } from '../../../src/core/generation/end-generation.js';
import { AppError, ErrorCode } from '../../../src/errors.js';
import { queued, tracked, type World, world } from './generation-doubles.js';

const OUT = 'https://provider.example/result.png';

function attempt(w: World, mayRetry = true): DeliverAttempt {
  const generation = tracked(w, 30_000);
  return { ...generation, outputs: [{ type: 'image', url: OUT }], mayRetry };
}

describe('the deliver step', () => {
  it('stores the outputs, posts the result once, and records the generation done with its assets', async () => {
    const w = world();
    const a = attempt(w);
    expect(await deliverStep(w.deps, a)).toEqual({ kind: 'ended', state: 'done' });
    expect(await deliverStep(w.deps, a)).toEqual({ kind: 'ended', state: 'done' });
    expect(w.downloads).toEqual([OUT, OUT]);
    expect(w.publisher.results).toHaveLength(1);
    expect(w.publisher.results[0]).toMatchObject({ generationId: 'gen-1', durationMs: 30_000 });
    const record = w.records.records.get('gen-1');
    expect(record?.state).toBe('done');
    expect(record?.assets?.[0]).toMatchObject({ providerUrl: OUT, contentType: 'image/png' });
    expect(w.events.slice(0, 2).map((e) => e.state)).toEqual(['delivering', 'done']);
    expect(w.events[1]?.assets?.[0]?.providerUrl).toBe(OUT);
  });

  it('retries a delivery that may succeed later while attempts are left', async () => {
    const hiccup = new Error('socket hang up');
    const w = world({
      download: async () => {
        throw hiccup;
      },
    });
    expect(await deliverStep(w.deps, attempt(w))).toEqual({ kind: 'retry', error: hiccup });
    expect(w.publisher.failures).toEqual([]);
    expect(w.records.records.get('gen-1')?.state).toBe('delivering');
  });

  it('tells the person why a delivery could not be made, with the provider’s link to the result', async () => {
    const tooLarge = new AppError(ErrorCode.MediaTooLarge, 'The result is 600 MB', {
      kind: 'failed',
      retryable: false,
      userMessage: 'The result is larger than this bot may keep.',
    });
    const w = world({
      download: async () => {
        throw tooLarge;
      },
    });
    expect(await deliverStep(w.deps, attempt(w))).toEqual({ kind: 'ended', state: 'failed', error: tooLarge });
    expect(w.publisher.failures.map((f) => [f.reason, f.message])).toEqual([
      ['error', `The result is larger than this bot may keep. The result is ready at Higgsfield: ${OUT}`],
    ]);
  });
});

describe('a generation the queue gave up on', () => {
  it('is ended with the last error in words for people, once', async () => {
    const w = world();
    const record = queued(w);
    const error = new Error('job stalled more than allowable limit');
    await endAfterGivingUp(w.deps, 'gen-1', record.spec, error);
    await endAfterGivingUp(w.deps, 'gen-1', record.spec, error);
    expect(w.publisher.failures).toHaveLength(1);
    expect(w.publisher.failures[0]?.message).toBe(
      'Something went wrong on our side (reference gen-1). Please try again.',
    );
    expect(w.records.records.get('gen-1')?.state).toBe('failed');
  });

  it('is left as it is when it had already ended', async () => {
    const w = world();
    const record = queued(w);
    record.state = 'done';
    await endAfterGivingUp(w.deps, 'gen-1', record.spec, new Error('late failure'));
    expect(w.publisher.failures).toEqual([]);
    expect(w.events).toEqual([]);
    expect(w.records.records.get('gen-1')?.state).toBe('done');
  });
});

/**
 * The submit step's decisions, over in-memory ports: what happens to a queued generation when it is handed
 * to the provider, and what people are told when it is not.
 */
import { describe, expect, it } from 'vitest';
import { type SubmitAttempt, submitStep } from '../../../src/core/generation/submit-step.js';
import { AppError, ErrorCode } from '../../../src/errors.js';
import { queued, request, type World, world } from './generation-doubles.js';

function attempt(w: World, extra: Partial<SubmitAttempt> = {}): SubmitAttempt & { kept: string[] } {
  const record = w.records.records.get('gen-1') ?? queued(w);
  const kept: string[] = [];
  return {
    generationId: record.generationId,
    spec: record.spec,
    enqueuedAtMs: record.enqueuedAtMs,
    mayRetry: true,
    keepRequestId: async (id) => void kept.push(id),
    kept,
    ...extra,
  };
}

const concurrencyLimit = () =>
  new AppError(ErrorCode.HfConcurrencyLimit, 'Higgsfield answered 400: concurrency', {
    kind: 'unavailable',
    retryable: false,
  });

describe('the submit step', () => {
  it('hands the option to the provider under the generation id, keeps the request id first, and starts tracking', async () => {
    const w = world();
    w.provider.onSubmit = async () => request('queued', { requestId: 'req-42' });
    const a = attempt(w);
    const decision = await submitStep(w.deps, a);
    expect(decision).toEqual({
      kind: 'submitted',
      requestId: 'req-42',
      submittedAtMs: w.clock.nowMs,
      deadlineAtMs: w.clock.nowMs + 10 * 60_000,
      firstLookInMs: 2_000,
    });
    expect(w.provider.submits).toEqual([{ prompt: 'a lighthouse at dusk', idempotencyKey: 'gen-1' }]);
    expect(a.kept).toEqual(['req-42']);
    expect(w.records.records.get('gen-1')).toMatchObject({ state: 'submitted', requestId: 'req-42' });
    expect(w.events.map((e) => e.state)).toEqual(['submitted']);
  });

  it('does not submit again on a retry that already has the request id', async () => {
    const w = world();
    const decision = await submitStep(w.deps, attempt(w, { requestId: 'req-earlier' }));
    expect(decision).toMatchObject({ kind: 'submitted', requestId: 'req-earlier' });
    expect(w.provider.submits).toEqual([]);
  });

  it('with webhooks, asks to be told and first looks only well past the model’s typical time', async () => {
    const w = world();
    w.deps.policy.webhookUrl = 'https://bot.example/webhooks/higgsfield';
    const decision = await submitStep(w.deps, attempt(w));
    expect(w.provider.submits[0]?.webhookUrl).toBe('https://bot.example/webhooks/higgsfield');
    // The model renders in about 20 s: the safety-net look comes at 1.5 × that, not after the 15 s base.
    expect(decision).toMatchObject({ kind: 'submitted', firstLookInMs: 30_000 });
  });

  it('scales the model’s deadline by the policy', async () => {
    const w = world();
    w.deps.policy.deadlineScale = 0.5;
    const decision = await submitStep(w.deps, attempt(w));
    expect(decision).toMatchObject({ kind: 'submitted', deadlineAtMs: w.clock.nowMs + 5 * 60_000 });
  });

  it('the concurrency limit pauses submissions and the generation is not ended', async () => {
    const w = world();
    w.provider.onSubmit = async () => {
      throw concurrencyLimit();
    };
    const decision = await submitStep(w.deps, attempt(w));
    expect(decision).toEqual({ kind: 'pause-submissions', forMs: 5_000 });
    expect(w.records.records.get('gen-1')?.state).toBe('queued');
    expect(w.publisher.failures).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it('jitters the pause by up to a quarter either way', async () => {
    const pauses = [];
    for (const random of [0, 0.999]) {
      const w = world({ random: () => random });
      w.provider.onSubmit = async () => {
        throw concurrencyLimit();
      };
      pauses.push(await submitStep(w.deps, attempt(w)));
    }
    expect(pauses).toEqual([
      { kind: 'pause-submissions', forMs: 3_750 },
      { kind: 'pause-submissions', forMs: 6_248 },
    ]);
  });

  it('a canceled-while-submitting generation is canceled at the provider, and looked at at once', async () => {
    const w = world();
    w.provider.onSubmit = async () => {
      // The person pressed Cancel while the provider was still answering.
      await w.records.update('gen-1', { state: 'canceled' });
      return request('queued', { requestId: 'req-7' });
    };
    const decision = await submitStep(w.deps, attempt(w));
    expect(w.provider.cancels).toEqual(['req-7']);
    expect(decision).toMatchObject({ kind: 'submitted', requestId: 'req-7', firstLookInMs: 0 });
    expect(w.records.records.get('gen-1')?.state).toBe('canceled');
  });

  it('ends a generation canceled while queued without reaching the provider, and says so once', async () => {
    const w = world();
    queued(w).state = 'canceled';
    expect(await submitStep(w.deps, attempt(w))).toEqual({ kind: 'ended', state: 'canceled' });
    expect(await submitStep(w.deps, attempt(w))).toEqual({ kind: 'ended', state: 'canceled' });
    expect(w.provider.submits).toEqual([]);
    expect(w.publisher.failures.map((f) => f.message)).toEqual([
      'Canceled before it started rendering. Nothing was charged.',
    ]);
    expect(w.events.map((e) => [e.state, e.reason])).toEqual([
      ['canceled', 'canceled'],
      ['canceled', 'canceled'],
    ]);
  });

  it('gives up on a generation that waited longer than the policy allows for a free slot', async () => {
    const w = world();
    const a = attempt(w);
    w.clock.nowMs += 2 * 3_600_000 + 1;
    expect(await submitStep(w.deps, a)).toEqual({ kind: 'ended', state: 'failed' });
    expect(w.provider.submits).toEqual([]);
    expect(w.publisher.failures[0]).toMatchObject({ reason: 'deadline' });
    expect(w.publisher.failures[0]?.message).toContain('waited over 120 minutes for a free slot');
  });

  it('retries an error that may pass while attempts are left, then tells the person in the error’s words', async () => {
    const unavailable = new AppError(ErrorCode.HfUnavailable, 'Higgsfield answered 503', {
      kind: 'unavailable',
      retryable: true,
    });
    const w = world();
    w.provider.onSubmit = async () => {
      throw unavailable;
    };
    expect(await submitStep(w.deps, attempt(w))).toEqual({ kind: 'retry', error: unavailable });
    expect(w.publisher.failures).toEqual([]);

    expect(await submitStep(w.deps, attempt(w, { mayRetry: false }))).toEqual({
      kind: 'ended',
      state: 'failed',
      error: unavailable,
    });
    expect(w.publisher.failures.map((f) => [f.reason, f.message])).toEqual([['error', unavailable.userMessage]]);
    expect(w.records.records.get('gen-1')?.state).toBe('failed');
  });

  it('ends a refused request as refused, with the provider’s words', async () => {
    const refused = new AppError(ErrorCode.HfForbidden, 'Higgsfield answered 403', {
      kind: 'refused',
      retryable: false,
      userMessage: 'Higgsfield refused this request: the account is out of credits.',
    });
    const w = world();
    w.provider.onSubmit = async () => {
      throw refused;
    };
    expect(await submitStep(w.deps, attempt(w))).toMatchObject({ kind: 'ended', state: 'failed', error: refused });
    expect(w.publisher.failures[0]).toMatchObject({
      reason: 'refused',
      message: 'Higgsfield refused this request: the account is out of credits.',
    });
  });

  it('ends a generation whose model the provider no longer offers, without submitting it', async () => {
    const w = world();
    const record = queued(w);
    record.spec.option.modelId = 'retired/model';
    const decision = await submitStep(w.deps, attempt(w));
    expect(decision).toMatchObject({ kind: 'ended', state: 'failed' });
    expect(w.provider.submits).toEqual([]);
    expect(w.publisher.failures[0]?.message).toBe('The model "retired/model" is no longer offered.');
  });
});

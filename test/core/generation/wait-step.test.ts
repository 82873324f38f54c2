/**
 * The wait step's decisions, over in-memory ports: one look at a submitted generation, and what people
 * are told when the provider ends it without a result (or does not end it in time).
 */
import { describe, expect, it } from 'vitest';
import { waitStep } from '../../../src/core/generation/wait-step.js';
import { AppError, ErrorCode } from '../../../src/errors.js';
import { request, tracked, world } from './generation-doubles.js';

describe('the wait step', () => {
  it('looks again later while the provider still queues it, the gaps growing', async () => {
    const w = world();
    const first = await waitStep(w.deps, tracked(w));
    expect(first).toEqual({ kind: 'wait', lookAgainInMs: 2_000, keep: { polls: 1, lastStatus: 'queued' } });
    const later = await waitStep(w.deps, tracked(w, 60_000, { polls: 3 }));
    expect(later).toMatchObject({ kind: 'wait', lookAgainInMs: 6_750 });
    expect(w.events).toEqual([]);
  });

  it('announces rendering once, with the time still expected from recent renders', async () => {
    const w = world();
    await w.records.recordDuration('sim/portrait', 90_000);
    w.provider.onStatus = async () => request('in_progress');
    const generation = tracked(w, 30_000);
    const first = await waitStep(w.deps, generation);
    expect(first).toMatchObject({ kind: 'wait', keep: { polls: 1, lastStatus: 'in_progress' } });
    const second = await waitStep(w.deps, { ...generation, polls: 1, lastStatus: 'in_progress' });
    expect(second).toMatchObject({ kind: 'wait', keep: { polls: 2, lastStatus: 'in_progress' } });
    expect(w.events.map((e) => [e.state, e.estimatedWaitMs])).toEqual([['rendering', 60_000]]);
    expect(w.records.records.get('gen-1')?.state).toBe('rendering');
  });

  it('a render past the model’s deadline is canceled at the provider and the person is told how long it waited', async () => {
    const w = world();
    w.provider.onStatus = async () => request('in_progress');
    const generation = tracked(w, 12 * 60_000); // the model's deadline is 10 minutes
    expect(await waitStep(w.deps, generation)).toEqual({ kind: 'ended', state: 'failed' });
    expect(w.provider.cancels).toEqual(['req-1']);
    expect(w.publisher.failures).toHaveLength(1);
    expect(w.publisher.failures[0]).toMatchObject({ reason: 'deadline' });
    expect(w.publisher.failures[0]?.message).toBe(
      'No result from Portrait Studio after 12 minutes, so we stopped waiting. Please try again later or pick a faster model.',
    );
    expect(w.events.map((e) => [e.state, e.reason])).toEqual([['failed', 'deadline']]);
  });

  it('a failed provider status posts one failure message naming the provider’s reason', async () => {
    const w = world();
    w.provider.onStatus = async () => request('failed', { error: 'the upscaler ran out of memory' });
    const generation = tracked(w);
    expect(await waitStep(w.deps, generation)).toEqual({ kind: 'ended', state: 'failed' });
    // Run again, as after a crash right after the message was posted: it is not posted twice.
    expect(await waitStep(w.deps, generation)).toEqual({ kind: 'ended', state: 'failed' });
    expect(w.publisher.failures.map((f) => f.message)).toEqual([
      'The generation failed at Higgsfield: the upscaler ran out of memory. Failed generations are not charged; try again or pick another option.',
    ]);
    expect(w.records.records.get('gen-1')?.state).toBe('failed');
    expect(w.events.at(-1)).toMatchObject({ state: 'failed', reason: 'failed' });
  });

  it('says a moderated request was blocked, and a canceled one canceled', async () => {
    for (const [status, state, words] of [
      ['nsfw', 'failed', /NSFW/],
      ['canceled', 'canceled', /^Canceled/],
    ] as const) {
      const w = world();
      w.provider.onStatus = async () => request(status);
      expect(await waitStep(w.deps, tracked(w))).toEqual({ kind: 'ended', state });
      expect(w.publisher.failures[0]?.message).toMatch(words);
    }
  });

  it('goes on to delivery when the provider completes it, freeing its slot and measuring the render', async () => {
    const w = world();
    const outputs = [{ type: 'image' as const, url: 'https://provider.example/out.png' }];
    w.provider.onStatus = async () => request('completed', { outputs });
    expect(await waitStep(w.deps, tracked(w, 45_000))).toEqual({ kind: 'deliver', outputs });
    expect(w.slotsFreed()).toBe(1);
    expect(w.records.durations).toEqual([{ modelId: 'sim/portrait', ms: 45_000 }]);
    expect(w.publisher.failures).toEqual([]);
  });

  it('takes the status a webhook brought without reading it from the provider', async () => {
    const w = world();
    const outputs = [{ type: 'image' as const, url: 'https://provider.example/hooked.png' }];
    w.records.hooks.set('gen-1', request('completed', { outputs }));
    expect(await waitStep(w.deps, tracked(w))).toEqual({ kind: 'deliver', outputs });
    expect(w.provider.statusReads).toEqual([]);
  });

  it('looks once more before sleeping, for a webhook that arrived during the look', async () => {
    const w = world();
    const outputs = [{ type: 'image' as const, url: 'https://provider.example/late.png' }];
    w.provider.onStatus = async () => {
      w.records.hooks.set('gen-1', request('completed', { outputs }));
      return request('in_progress');
    };
    expect(await waitStep(w.deps, tracked(w))).toEqual({ kind: 'deliver', outputs });
  });

  it('treats a status read that may pass as a look without news', async () => {
    const w = world();
    w.provider.onStatus = async () => {
      throw new AppError(ErrorCode.HfTimeout, 'Higgsfield did not answer within 30000 ms', {
        kind: 'unavailable',
        retryable: true,
      });
    };
    expect(await waitStep(w.deps, tracked(w))).toMatchObject({ kind: 'wait', keep: { polls: 1 } });
    expect(w.publisher.failures).toEqual([]);
  });

  it('ends the generation with the error’s words when the status cannot be read at all', async () => {
    const w = world();
    const auth = new AppError(ErrorCode.HfAuth, 'Higgsfield answered 401', {
      kind: 'config',
      retryable: false,
      userMessage: 'The bot’s Higgsfield credentials were rejected. Please tell whoever runs it.',
    });
    w.provider.onStatus = async () => {
      throw auth;
    };
    expect(await waitStep(w.deps, tracked(w))).toEqual({ kind: 'ended', state: 'failed', error: auth });
    expect(w.publisher.failures[0]).toMatchObject({ reason: 'error', message: auth.userMessage });
  });
});

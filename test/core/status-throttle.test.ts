import { describe, expect, it } from 'vitest';
import { createStatusThrottle } from '../../src/core/status-throttle.js';
import type { GenerationState, ProgressEvent } from '../../src/core/types.js';

const event = (generationId: string, state: GenerationState, position?: number): ProgressEvent => ({
  generationId,
  state,
  modelId: 'nano-banana',
  atMs: Date.now(),
  conversation: { platform: 'discord', workspaceId: 'g', channelId: 'c', threadId: 't', userId: 'u' },
  ...(position ? { position } : {}),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('status message throttle', () => {
  it('shows the first change at once and collapses a burst into its newest state', async () => {
    const applied: string[] = [];
    const throttle = createStatusThrottle({
      intervalMs: 100,
      apply: async (e) => void applied.push(`${e.state}${e.position ?? ''}`),
    });
    throttle.push(event('g1', 'queued', 3));
    throttle.push(event('g1', 'queued', 2));
    throttle.push(event('g1', 'queued', 1));
    throttle.push(event('g1', 'submitted'));
    expect(applied).toEqual(['queued3']);
    await sleep(150);
    expect(applied).toEqual(['queued3', 'submitted']);
  });

  it('never holds back a final state, and ignores anything after it', async () => {
    const applied: string[] = [];
    const throttle = createStatusThrottle({ intervalMs: 10_000, apply: async (e) => void applied.push(e.state) });
    throttle.push(event('g2', 'queued'));
    throttle.push(event('g2', 'rendering'));
    throttle.push(event('g2', 'done'));
    throttle.push(event('g2', 'delivering'));
    await sleep(20);
    expect(applied).toEqual(['queued', 'done']);
  });

  it('throttles each message on its own', async () => {
    const applied: string[] = [];
    const throttle = createStatusThrottle({
      intervalMs: 10_000,
      apply: async (e) => void applied.push(e.generationId),
    });
    throttle.push(event('a', 'queued'));
    throttle.push(event('b', 'queued'));
    throttle.push(event('a', 'submitted'));
    expect(applied).toEqual(['a', 'b']);
    await throttle.flush();
    expect(applied).toEqual(['a', 'b', 'a']);
  });

  it('reports a failed edit without stopping later ones', async () => {
    const errors: string[] = [];
    const applied: string[] = [];
    const throttle = createStatusThrottle({
      intervalMs: 0,
      apply: async (e) => {
        if (e.state === 'queued') throw new Error('rate limited');
        applied.push(e.state);
      },
      onError: (error) => errors.push((error as Error).message),
    });
    throttle.push(event('g3', 'queued'));
    await sleep(5);
    throttle.push(event('g3', 'done'));
    await sleep(5);
    expect(errors).toEqual(['rate limited']);
    expect(applied).toEqual(['done']);
  });
});

describe('status updates of one generation', () => {
  it('run one after another, never side by side, in the order they were sent', async () => {
    const log: string[] = [];
    let running = 0;
    const throttle = createStatusThrottle({
      intervalMs: 0,
      apply: async (e) => {
        running += 1;
        log.push(`${e.state}:${running}`);
        await sleep(20);
        running -= 1;
      },
    });
    throttle.push(event('g9', 'queued'));
    throttle.push(event('g9', 'rendering'));
    throttle.push(event('g9', 'done'));
    await throttle.flush();
    expect(log).toEqual(['queued:1', 'rendering:1', 'done:1']);
  });
});

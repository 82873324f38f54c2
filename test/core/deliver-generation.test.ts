/**
 * The delivery step's promise to publishers: a delivery is posted once, and the parts of it a publisher
 * records in its ledger survive into the retry after a failure.
 */
import { describe, expect, it } from 'vitest';
import { type DeliveryDeps, deliverGeneration } from '../../src/core/deliver-generation.js';
import type { DeliveryLedger, DeliveryStepState, MediaStore, Publisher } from '../../src/core/ports.js';
import type { GenerationResult } from '../../src/core/types.js';

function deps(publisher: Publisher, markers: Map<string, DeliveryStepState>): DeliveryDeps {
  return {
    store: {} as MediaStore,
    download: async ({ key }) => ({ key, contentType: 'image/png', sizeBytes: 3, url: 'u', providerUrl: 'p' }),
    publisher,
    ledgerFor: (id) => ({
      state: async (step) => markers.get(`${id}:${step}`),
      begin: async (step) => void (markers.has(`${id}:${step}`) ? undefined : markers.set(`${id}:${step}`, 'begun')),
      done: async (step) => void markers.set(`${id}:${step}`, 'done'),
    }),
  };
}

const input = {
  generationId: 'gen-1',
  option: { kind: 'text-to-image' as const, modelId: 'm', prompt: 'p', params: {}, label: 'L', reason: 'r' },
  conversation: { platform: 'slack' as const, workspaceId: 'T', channelId: 'C', threadId: '1.0', userId: 'U' },
  outputs: [{ type: 'image' as const, url: 'https://cdn.example/a.png' }],
  submittedAtMs: 0,
  nowMs: 1_000,
};

describe('deliverGeneration', () => {
  it('keeps what a failed attempt recorded in the ledger for the retry, and posts a finished delivery once', async () => {
    const markers = new Map<string, DeliveryStepState>();
    const seen: boolean[] = [];
    let attempts = 0;
    const publisher: Publisher = {
      platform: 'slack',
      async postResult(_result: GenerationResult, _id: string, ledger?: DeliveryLedger) {
        attempts++;
        seen.push((await ledger!.state('upload-0')) === 'done');
        await ledger!.begin('upload-0');
        await ledger!.done('upload-0');
        if (attempts === 1) throw new Error('the follow-up message failed');
      },
      async postFailure() {},
    };
    await expect(deliverGeneration(deps(publisher, markers), input)).rejects.toThrow('follow-up');
    await deliverGeneration(deps(publisher, markers), input);
    await deliverGeneration(deps(publisher, markers), input);
    expect(seen).toEqual([false, true]);
    expect(attempts).toBe(2);
    expect([...markers].sort()).toEqual([
      ['gen-1:posted', 'done'],
      ['gen-1:upload-0', 'done'],
    ]);
  });
});

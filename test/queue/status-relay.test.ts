import { expect, it } from 'vitest';
import { startStatusRelay } from '../../src/app/status-relay.js';
import type { Publisher } from '../../src/core/ports.js';
import type { ProgressEvent } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { spec, startHarness } from '../support/pipeline-harness.js';

it('edits a generation’s status message from any worker’s events, throttled, ending on the final state', async () => {
  const h = await startHarness({ name: 'relay' });
  const edits: ProgressEvent[] = [];
  const statusPublisher: Publisher = {
    platform: 'terminal',
    postResult: async () => {},
    postFailure: async () => {},
    updateStatus: async (_conversation, _message, event) => void edits.push(event),
  };
  const stop = await startStatusRelay({
    bus: h.pipeline.bus,
    publishers: new Map([['terminal', statusPublisher]]),
    intervalMs: 10_000,
    logger: silentLogger(),
  });
  try {
    const withMessage = spec('nano-banana', 'status please', { statusMessage: { channelId: 'c1', messageId: 'm1' } });
    const { generationId } = await h.pipeline.service.enqueue(withMessage);
    await h.finished(generationId);
    await new Promise((r) => setTimeout(r, 100));
    const mine = edits.filter((e) => e.generationId === generationId);
    expect(mine[0]?.state).toBe('queued');
    expect(mine.at(-1)?.state).toBe('done');
    expect(mine.length).toBeLessThan(h.eventsOf(generationId).length);
    expect(mine.every((e) => e.statusMessage?.messageId === 'm1')).toBe(true);
  } finally {
    await stop();
    await h.close();
  }
});

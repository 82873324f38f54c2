/**
 * The acknowledgement backlog on its own: what is owed, settling once, waiting for owed acknowledgements and
 * for arrivals to pause, and letting everyone go at shutdown.
 */
import { describe, expect, it } from 'vitest';
import { createAckBacklog } from '../src/ack-backlog.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the acknowledgement backlog', () => {
  it('counts each arrival until it is settled, once, however often settle is called', () => {
    const backlog = createAckBacklog();
    const first = backlog.arrive();
    const second = backlog.arrive();
    expect(backlog.size()).toBe(2);
    first();
    first();
    expect(backlog.size()).toBe(1);
    second();
    expect(backlog.size()).toBe(0);
  });

  it('lets work wait until nothing is owed and arrivals have paused', async () => {
    const backlog = createAckBacklog({ quietMs: 50 });
    const owed = backlog.arrive();
    let released = false;
    const waiting = backlog.drained(5_000).then(() => {
      released = true;
    });
    await tick(20);
    expect(released).toBe(false);
    owed();
    backlog.arrive()(); // one more arrives and is acknowledged at once: the quiet period starts again
    await tick(20);
    expect(released).toBe(false);
    await waiting;
    expect(released).toBe(true);
  });

  it('never holds work longer than asked, and lets it all go at shutdown', async () => {
    const backlog = createAckBacklog();
    backlog.arrive();
    const started = performance.now();
    await backlog.drained(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    const held = backlog.drained(60_000);
    backlog.releaseAll();
    await held;
  });
});

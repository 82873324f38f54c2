/**
 * A press storm on Slack over HTTP: one person presses the same option 200 times at once (two waves of 100
 * signed block_actions, sent concurrently, as a stuck mouse or an impatient person with a flaky connection
 * would). Every press is acknowledged; the person gets one generation, one result in the thread, one status
 * message, never a note that they are over their cap, and at most one "already queued" note every few seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_LABELS, promptsFor } from './support/e2e-world.js';
import { printChildLogsOnFailure } from './support/report.js';
import { type SlackWorld, startSlackWorld } from './support/slack-world.js';
import { settle, waitUntil } from './support/wait.js';

const PRESSES = 200;
const WAVE = 100;
/** "Once every few seconds": notes for one person and option at least this far apart. */
const NOTE_GAP_MS = 2_000;

let world: SlackWorld;
printChildLogsOnFailure();

beforeAll(async () => {
  world = await startSlackWorld({ name: 'slack-storm', mode: 'http' });
  await Promise.all([world.startBot(), world.startWorker()]);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

/** Resolves once the bot has said nothing more to Slack for `quietMs` (every press's work is done). */
async function botFallsQuiet(quietMs: number, timeoutMs: number): Promise<void> {
  const said = () => world.double.calls.filter((c) => /^chat\.(postEphemeral|postMessage)$/.test(c.method)).length;
  let last = said();
  let since = Date.now();
  await waitUntil(
    () => {
      const now = said();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= quietMs;
    },
    { timeoutMs, what: `the bot quiet for ${quietMs} ms after the storm` },
  );
}

describe('200 concurrent presses of one option by one person', () => {
  it('one generation, one result, no "over the cap" note, at most one "already queued" note every few seconds', async () => {
    const user = 'U0ALICE';
    const request = 'a hummingbird over a field of poppies';
    const [prompt] = promptsFor(request);
    const label = OPTION_LABELS[0];
    const options = await world.imagine(user, request);

    const started = performance.now();
    const statuses: number[] = [];
    const ackMs: number[] = [];
    const timedPress = async () => {
      const sentAt = performance.now();
      const press = await world.press(user, options, 0);
      ackMs.push(performance.now() - sentAt);
      return press;
    };
    for (let sent = 0; sent < PRESSES; sent += WAVE) {
      const wave = await Promise.all(Array.from({ length: WAVE }, timedPress));
      statuses.push(...wave.map((p) => p.status));
    }
    const stormMs = Math.round(performance.now() - started);
    ackMs.sort((a, b) => a - b);
    const p99 = Math.round(ackMs[Math.ceil(ackMs.length * 0.99) - 1] ?? 0);
    const p50 = Math.round(ackMs[Math.ceil(ackMs.length * 0.5) - 1] ?? 0);
    expect(
      statuses.filter((s) => s !== 200),
      'presses not acknowledged with 200',
    ).toEqual([]);

    await waitUntil(() => world.filesIn(options.thread).length > 0 && world.resultsIn(options.thread).length > 0, {
      timeoutMs: 30_000,
      what: 'the result in the thread',
    });
    await botFallsQuiet(2_000, 30_000);
    await settle(500);

    const notes = world.ephemeralsFor(user).map((e) => e.text);
    const queuedNotes = world.double.calls.filter(
      (c) => c.method === 'chat.postEphemeral' && c.args.user === user && /already queued/i.test(String(c.args.text)),
    );
    const gaps = queuedNotes.slice(1).map((c, i) => c.atMs - queuedNotes[i]!.atMs);
    console.info(
      `press storm: ${PRESSES} presses sent in ${stormMs} ms, acknowledged in p50 ${p50} ms, p99 ${p99} ms; ` +
        `notes to the person: ${notes.length} ` +
        `(${queuedNotes.length} "already queued", gaps ${JSON.stringify(gaps.slice(0, 10))}${gaps.length > 10 ? '…' : ''} ms)`,
    );

    expect.soft(p99, 'acknowledgement p99 (Slack allows 3 s)').toBeLessThan(3_000);
    expect.soft(world.generationsOf(prompt), 'generations at Higgsfield').toBe(1);
    expect.soft(world.filesIn(options.thread).length, 'files in the thread').toBe(1);
    expect.soft(world.resultsIn(options.thread).length, 'result messages in the thread').toBe(1);
    const statusMessages = world.double
      .messages('C0GENERAL', options.thread)
      .filter((m) => m.bot_id && m.text.includes(`${label}:`) && !m.files?.length)
      .filter((m) => !JSON.stringify(m.blocks ?? []).includes('"r:gen-'));
    expect.soft(statusMessages.length, 'status messages in the thread').toBe(1);
    const overCap = notes.filter((n) => /generations in progress/.test(n));
    expect.soft(overCap.length, `notes saying the person is over the cap, e.g. "${overCap[0]}"`).toBe(0);
    const others = notes.filter((n) => !/already queued|generations in progress/i.test(n));
    expect.soft(others.slice(0, 3), 'other notes').toEqual([]);
    expect.soft(queuedNotes.length, '"already queued" notes').toBeGreaterThanOrEqual(1);
    expect.soft(queuedNotes.length, '"already queued" notes').toBeLessThanOrEqual(3);
    expect(gaps.filter((gap) => gap < NOTE_GAP_MS).length, `"already queued" notes closer than ${NOTE_GAP_MS} ms`).toBe(
      0,
    );
  }, 90_000);
});

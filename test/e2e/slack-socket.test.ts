/**
 * Slack in Socket Mode (SLACK_APP_TOKEN), as deployed: `higgsbot start --role bot` holding the WebSocket and a separate
 * `higgsbot start --role worker`, both built processes, against the Slack double. A person's /imagine
 * and button press arrive as envelopes on the bot's socket; the image must arrive in the thread, posted by the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE } from '../../src/higgsfield/simulator/index.js';
import { OPTION_LABELS, promptsFor } from './support/e2e-world.js';
import { printChildLogsOnFailure } from './support/report.js';
import { actionIds, type SlackWorld, startSlackWorld } from './support/slack-world.js';
import { settle, waitUntil } from './support/wait.js';

let world: SlackWorld;
printChildLogsOnFailure();

beforeAll(async () => {
  world = await startSlackWorld({ name: 'slack-socket', mode: 'socket' });
  await Promise.all([world.startBot(), world.startWorker()]);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('Slack in Socket Mode, bot and worker as separate processes', () => {
  it('/imagine → options in a thread → a press → the image file in that thread, with Re-roll and Animate', async () => {
    const request = 'a paper lantern drifting over a lake';
    const options = await world.imagine('U0ALICE', request);
    expect(JSON.stringify(options.message.blocks)).toContain(OPTION_LABELS[0]);
    expect(actionIds(options.message).filter((id) => id.startsWith('o:'))).toHaveLength(2);

    await world.press('U0ALICE', options, 0);
    await waitUntil(() => world.filesIn(options.thread).length > 0 && world.resultsIn(options.thread).length > 0, {
      timeoutMs: 30_000,
      what: 'the image and its result message in the thread',
      detail: () => `files ${world.filesIn(options.thread).length}, results ${world.resultsIn(options.thread).length}`,
    });
    await settle(1_000);

    const [prompt] = promptsFor(request);
    const files = world.filesIn(options.thread);
    expect(files).toHaveLength(1);
    expect(files[0]!.mimetype).toBe('image/png');
    expect(files[0]!.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(files[0]!.altText).toBe(prompt);
    const results = world.resultsIn(options.thread);
    expect(results).toHaveLength(1);
    expect(actionIds(results[0]!)).toEqual([expect.stringMatching(/^r:gen-/), expect.stringMatching(/^a:gen-/)]);
    expect(world.generationsOf(prompt)).toBe(1);
    await waitUntil(() => world.statusIn(options.thread, OPTION_LABELS[0])?.text.includes(': done') === true, {
      timeoutMs: 10_000,
      what: 'the status message edited to done',
    });
  }, 60_000);
});

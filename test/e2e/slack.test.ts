/**
 * Slack as deployed, in both modes: `higgsbot start --role bot` serving Bolt on /slack/events (HTTP: a
 * person's signed /imagine and button press are POSTed to it) or holding the Socket Mode WebSocket (they
 * arrive as envelopes on the bot's socket), and a separate `higgsbot start --role worker`, both built
 * processes, against the Slack double. The image must arrive in the thread, posted by the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE } from '../../src/higgsfield/simulator/index.js';
import { OPTION_LABELS, promptsFor } from './support/e2e-world.js';
import { expectFlowRecorded } from './support/history-rows.js';
import { printChildLogsOnFailure } from './support/report.js';
import { actionIds, type SlackWorld, startSlackWorld } from './support/slack-world.js';
import { settle, waitUntil } from './support/wait.js';

printChildLogsOnFailure();

describe.each([
  { mode: 'http' as const, title: 'over HTTP', request: 'a red fox asleep in fresh snow' },
  { mode: 'socket' as const, title: 'in Socket Mode', request: 'a paper lantern drifting over a lake' },
])('Slack $title, bot and worker as separate processes', ({ mode, request }) => {
  let world: SlackWorld;
  beforeAll(async () => {
    world = await startSlackWorld({ name: `slack-${mode}`, mode });
    await Promise.all([world.startBot(), world.startWorker()]);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  it('/imagine → options in a thread → a press → the image file in that thread, with Re-roll and Animate', async () => {
    const options = await world.imagine('U0ALICE', request);
    expect(JSON.stringify(options.message.blocks)).toContain(OPTION_LABELS[0]);
    expect(actionIds(options.message).filter((id) => id.startsWith('o:'))).toHaveLength(2);

    expect((await world.press('U0ALICE', options, 0)).status).toBe(200);
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
    await expectFlowRecorded(world.databaseUrl, { platform: 'slack', request, prompt });
  }, 60_000);
});

/**
 * Discord as deployed: `higgsbot start --role bot` on the gateway and a separate `higgsbot start --role worker`
 * posting results with REST, both built processes, against the Discord double. The person's /imagine and click
 * go to the bot; the image must arrive attached in the thread the answer opened, posted by the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE } from '../../src/higgsfield/simulator/index.js';
import { customIds, type DiscordWorld, startDiscordWorld } from './support/discord-world.js';
import { OPTION_LABELS, promptsFor } from './support/e2e-world.js';
import { expectFlowRecorded } from './support/history-rows.js';
import { printChildLogsOnFailure } from './support/report.js';
import { settle, waitUntil } from './support/wait.js';

let world: DiscordWorld;
printChildLogsOnFailure();

beforeAll(async () => {
  world = await startDiscordWorld({ name: 'discord' });
  await Promise.all([world.startBot(), world.startWorker()]);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('Discord, bot and worker as separate processes', () => {
  it('/imagine → options in a thread → a click → the image attached in that thread, with Re-roll and Animate', async () => {
    const request = 'a lighthouse in a winter storm';
    const options = await world.imagine(world.alice, request);
    expect(JSON.stringify(options.starter.embeds)).toContain(OPTION_LABELS[0]);

    await world.click(world.alice, options, 0);
    await waitUntil(() => world.attachmentsIn(options.threadId).length > 0, {
      timeoutMs: 30_000,
      what: 'the image attached in the thread',
      detail: () => `thread messages: ${JSON.stringify(world.double.messages(options.threadId).map((m) => m.content))}`,
    });
    await settle(1_000);

    const [prompt] = promptsFor(request);
    const posted = world.attachmentsIn(options.threadId);
    expect(posted).toHaveLength(1);
    const result = posted[0]!;
    expect(result.content).toContain(OPTION_LABELS[0]);
    expect(result.attachments).toHaveLength(1);
    expect(result.attachments[0]!.filename).toMatch(/\.png$/);
    expect(result.attachments[0]!.data?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(customIds(result)).toEqual([expect.stringMatching(/^r:gen-/), expect.stringMatching(/^a:gen-/)]);
    expect(world.generationsOf(prompt)).toBe(1);
    await waitUntil(() => world.statusIn(options.threadId, OPTION_LABELS[0])?.content.includes('done') === true, {
      timeoutMs: 10_000,
      what: 'the status message edited to done',
    });

    await expectFlowRecorded(world.databaseUrl, { platform: 'discord', request, prompt });
  }, 60_000);
});

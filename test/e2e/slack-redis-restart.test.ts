/**
 * Redis restarts while results are being posted to Slack. The bot and worker processes run on a private,
 * durable redis-server (AOF, fsync always) the spec owns. Four people ask twice and press both options: 16
 * generations. Once three uploads have reached Slack (their answers held back by the proxy), Redis is stopped
 * (SIGTERM: it flushes its AOF); the held uploads then complete while Redis is down; after ~3.5 s Redis comes
 * back on the same port and folder. Every result must be posted exactly once and none lost, each from one
 * generation, and the processes must have logged the outage as JSON lines, not as raw ioredis noise or stacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_LABELS, promptsFor } from './support/e2e-world.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { nonJsonLines, printChildLogsOnFailure } from './support/report.js';
import { type SlackOptions, type SlackWorld, startSlackWorld } from './support/slack-world.js';
import { settle, waitUntil } from './support/wait.js';

const PEOPLE = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];
const SUBJECTS = ['a koi pond', 'a desert caravan'];
/** Each person has up to four generations at once here; the default cap of 3 would refuse the fourth. */
const ENV = { USER_MAX_ACTIVE: '10' };

let redis: RedisServer;
let world: SlackWorld;
printChildLogsOnFailure();

beforeAll(async () => {
  redis = await startRedisServer();
  world = await startSlackWorld({
    name: 'slack-redis',
    mode: 'http',
    redisUrl: redis.url,
    sim: { queuedMs: 100, inProgressMs: 400 },
  });
  await Promise.all([world.startBot(ENV), world.startWorker(ENV)]);
}, 60_000);

afterAll(async () => {
  await world?.close();
  await redis?.close();
});

describe('a Redis restart while results are posted to Slack', () => {
  it('every result is posted exactly once, none lost, and the outage is logged as JSON lines only', async () => {
    const asks: Array<{ user: string; request: string }> = PEOPLE.flatMap((user) =>
      SUBJECTS.map((subject) => ({ user, request: `${subject} for ${user.slice(2).toLowerCase()}` })),
    );
    const threads: Array<{ user: string; request: string; options: SlackOptions }> = await Promise.all(
      asks.map(async (ask) => ({ ...ask, options: await world.imagine(ask.user, ask.request) })),
    );
    const held = world.slackProxy.holdResponse({
      method: 'POST',
      path: /^\/api\/files\.completeUploadExternal$/,
      times: 3,
    });
    const presses = await Promise.all(
      threads.flatMap((t) => [0, 1].map((index) => world.press(t.user, t.options, index))),
    );
    expect(presses.map((p) => p.status)).toEqual(presses.map(() => 200));

    await held.whenHeld(3, 30_000);
    const uploadedBeforeStop = world.double.files.length;
    await redis.stop();
    await settle(1_000);
    held.release(); // the held uploads complete while Redis is down
    await settle(2_500);
    await redis.start();
    console.info(`Redis down ~3.5 s; files in Slack when it stopped: ${uploadedBeforeStop} of 16`);

    const expected = threads.flatMap((t) =>
      promptsFor(t.request).map((prompt, index) => ({ ...t, prompt, label: OPTION_LABELS[index]! })),
    );
    const filesOf = (e: (typeof expected)[number]) =>
      world.filesIn(e.options.thread).filter((f) => f.altText === e.prompt);
    const resultsOf = (e: (typeof expected)[number]) =>
      world.resultsIn(e.options.thread).filter((m) => JSON.stringify(m.blocks).includes(`*${e.label}*`));
    const allPosted = () => expected.every((e) => filesOf(e).length > 0 && resultsOf(e).length > 0);
    const posted = await waitUntil(allPosted, { timeoutMs: 30_000, what: 'all 16 results posted' }).then(
      () => true,
      () => false, // reported below, with every other count
    );
    await settle(2_000);

    const report = expected.map((e) => ({
      what: `${e.user} · ${e.prompt}`,
      files: filesOf(e).length,
      results: resultsOf(e).length,
      generations: world.generationsOf(e.prompt),
    }));
    expect.soft(posted, 'all 16 results posted within 30 s of Redis coming back').toBe(true);
    expect
      .soft(
        report.filter((r) => r.files !== 1 || r.results !== 1 || r.generations !== 1),
        'not posted exactly once',
      )
      .toEqual([]);
    expect.soft(world.double.files.length, 'files in Slack').toBe(16);
    for (const user of PEOPLE) expect.soft(world.ephemeralsFor(user).map((e) => e.text)).toEqual([]);
    // The person's status message must end where the generation ended, not stay "queued" beside the result.
    const statusOf = (e: (typeof expected)[number]) => world.statusIn(e.options.thread, e.label)?.text ?? '(none)';
    const notDone = () => expected.map(statusOf).filter((text) => !text.includes(': done'));
    await waitUntil(() => notDone().length === 0, { timeoutMs: 6_000, what: 'every status message reads done' }).catch(
      () => undefined,
    );
    if (notDone().length > 0) console.info(`status messages not reading done: ${JSON.stringify(notDone())}`);
    expect.soft(notDone(), 'status messages not reading done').toEqual([]);

    for (const child of world.children) {
      const output = `${child.stdout}\n${child.stderr}`;
      const raw = output.split('\n').filter((line) => line.includes('[ioredis] Unhandled error event'));
      expect.soft(raw.slice(0, 5), `${child.name}: raw ioredis errors`).toEqual([]);
      expect.soft(nonJsonLines(output).slice(0, 10), `${child.name}: lines that are not JSON`).toEqual([]);
    }
  }, 120_000);
});

/**
 * Redis restarts while results are being posted to Discord. The bot and worker processes run on a private,
 * durable redis-server (AOF, fsync always) the spec owns. Alice asks four times and presses both options: 8
 * generations. Once three uploads have reached Discord (their answers held back by the proxy), Redis is
 * stopped; the held uploads then complete while Redis is down; after ~3.5 s Redis comes back on the same port
 * and folder. Every result must be posted exactly once and none lost, each from one generation, every status
 * message must end on done, and the processes must log the outage as JSON lines only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordOptions, type DiscordWorld, RESULT_UPLOAD, startDiscordWorld } from './support/discord-world.js';
import { OPTION_LABELS, promptsFor } from './support/e2e-world.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { nonJsonLines, printChildLogsOnFailure } from './support/report.js';
import { settle, waitUntil } from './support/wait.js';

const SUBJECTS = ['a koi pond', 'a desert caravan', 'a lighthouse in fog', 'a paper lantern festival'];
/** Alice has up to eight generations at once here; the default cap of 3 would refuse the fourth. */
const ENV = { USER_MAX_ACTIVE: '10' };

let redis: RedisServer;
let world: DiscordWorld;
printChildLogsOnFailure();

beforeAll(async () => {
  redis = await startRedisServer();
  world = await startDiscordWorld({
    name: 'discord-redis',
    redisUrl: redis.url,
    sim: { queuedMs: 100, inProgressMs: 400 },
  });
  await Promise.all([world.startBot(ENV), world.startWorker(ENV)]);
}, 60_000);

afterAll(async () => {
  await world?.close();
  await redis?.close();
});

describe('a Redis restart while results are posted to Discord', () => {
  it('every result is posted exactly once, none lost, statuses end on done, the outage logged as JSON', async () => {
    const threads: Array<{ request: string; options: DiscordOptions }> = [];
    for (const request of SUBJECTS) threads.push({ request, options: await world.imagine(world.alice, request) });
    const held = world.discordProxy.holdResponse({ ...RESULT_UPLOAD, times: 3 });
    for (const t of threads) for (const index of [0, 1]) await world.click(world.alice, t.options, index);

    await held.whenHeld(3, 30_000);
    await redis.stop();
    await settle(1_000);
    held.release(); // the held uploads complete while Redis is down
    await settle(2_500);
    await redis.start();

    const expected = threads.flatMap((t) =>
      promptsFor(t.request).map((prompt, index) => ({ ...t, prompt, label: OPTION_LABELS[index]! })),
    );
    const filesOf = (e: (typeof expected)[number]) =>
      world.attachmentsIn(e.options.threadId).filter((m) => m.content.includes(e.label));
    await waitUntil(() => expected.every((e) => filesOf(e).length > 0), {
      timeoutMs: 30_000,
      what: 'all 8 results posted',
    }).catch(() => undefined); // reported below, with every other count
    await settle(2_000);

    const report = expected.map((e) => ({
      what: e.prompt,
      files: filesOf(e).length,
      generations: world.generationsOf(e.prompt),
    }));
    expect
      .soft(
        report.filter((r) => r.files !== 1 || r.generations !== 1),
        'not posted exactly once',
      )
      .toEqual([]);
    const statusOf = (e: (typeof expected)[number]) => world.statusIn(e.options.threadId, e.label)?.content ?? '(none)';
    const notDone = () => expected.map(statusOf).filter((text) => !text.includes('done'));
    await waitUntil(() => notDone().length === 0, { timeoutMs: 8_000, what: 'every status message reads done' }).catch(
      () => undefined,
    );
    expect.soft(notDone(), 'status messages not reading done').toEqual([]);

    for (const child of world.children) {
      const output = `${child.stdout}\n${child.stderr}`;
      expect.soft(nonJsonLines(output).slice(0, 10), `${child.name}: lines that are not JSON`).toEqual([]);
    }
  }, 120_000);
});

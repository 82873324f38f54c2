/**
 * Redis restarts while the terminal chat's results are being delivered: `chat --simulate` runs on a private,
 * durable redis-server the spec owns; three options are picked; once the first result is printed, Redis is
 * stopped for ~3 s and started again on the same port and folder. Each result must be printed exactly once,
 * the chat must end normally, and the outage must read as log lines on stderr, not raw ioredis noise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, stopAll } from './support/cli-process.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { printChildLogsOnFailure } from './support/report.js';
import { settle, waitUntil, within } from './support/wait.js';

let redis: RedisServer;
let mediaDir: string;
printChildLogsOnFailure();

beforeAll(async () => {
  redis = await startRedisServer();
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-e2e-terminal-redis-'));
});

afterAll(async () => {
  await stopAll();
  await redis?.close();
  await rm(mediaDir, { recursive: true, force: true });
});

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('a Redis restart while the terminal chat delivers', () => {
  it('prints each result exactly once and ends normally', async () => {
    const chat = spawnCli('chat', ['chat', '--simulate', '--render-ms', '1500'], {
      REDIS_URL: redis.url,
      MEDIA_DIR: mediaDir,
      DATA_DIR: join(mediaDir, '.data'),
      LOG_LEVEL: 'warn',
    });
    chat.write('a lighthouse in a storm\n1\n2\n3\n');
    chat.endInput();
    await waitUntil(() => /#3 .*queued/.test(chat.stdout), { timeoutMs: 30_000, what: 'three jobs queued' });
    await waitUntil(() => /#\d ✔/.test(chat.stdout), { timeoutMs: 30_000, what: 'the first result printed' });
    await redis.stop();
    await settle(3_000);
    await redis.start();
    const exit = await within(chat.exited, 60_000, 'still running 60 s after Redis came back');
    expect(exit, chat.stderr).toBe(0);
    for (const job of [1, 2, 3]) expect.soft(count(chat.stdout, new RegExp(`#${job} ✔`, 'g')), `#${job} ✔`).toBe(1);
    expect.soft(count(chat.stdout, /saved: /g), 'saved lines').toBe(3);
    expect.soft(chat.stderr).not.toContain('[ioredis] Unhandled error event');
    expect.soft(chat.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});

/**
 * The terminal chat as the README's demo runs it: `node bin/higgsbot.js chat --simulate`, fed through a pipe
 * (a request, then `1`), as .ci/run does in bash. The built process must print the saved file, write it, and
 * exit 0 once its job is done and the input has ended.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE } from '../../src/higgsfield/simulator/index.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';
import { PROJECT_ROOT, spawnCli, stopAll } from './support/cli-process.js';
import { printChildLogsOnFailure } from './support/report.js';
import { within } from './support/wait.js';

const prefix = testPrefix('e2e-terminal');
let mediaDir: string;
printChildLogsOnFailure();

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-e2e-terminal-'));
});

afterAll(async () => {
  await stopAll();
  await deleteKeys(redisUrl(), prefix);
  await rm(mediaDir, { recursive: true, force: true });
});

describe('the terminal chat, fed through a pipe', () => {
  it('a request, then "1": the result is saved, its path printed, and the chat exits 0', async () => {
    const chat = spawnCli('chat', ['chat', '--simulate', '--render-ms', '300'], {
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      MEDIA_DIR: mediaDir,
      DATA_DIR: join(mediaDir, '.data'),
      LOG_LEVEL: 'warn',
    });
    chat.write('cinematic sunset over mountains\n1\n');
    chat.endInput();
    const exit = await within(chat.exited, 45_000, 'still running after 45 s');
    expect(exit).toBe(0);

    expect(chat.stdout).toContain('Here are');
    expect(chat.stdout).toMatch(/#1 ✔ /);
    const saved = /^\s*saved: (.+?\.png) {2}\(image\/png, /m.exec(chat.stdout)?.[1];
    expect(saved, chat.stdout).toBeDefined();
    const path = isAbsolute(saved!) ? saved! : resolve(PROJECT_ROOT, saved!);
    expect(path.startsWith(mediaDir)).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  }, 60_000);
});

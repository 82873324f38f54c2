/**
 * `higgsbot chat --simulate` end to end, in-process: lines in through a pipe, the real queue and worker on
 * Redis, the built-in simulator, the offline recommender, and results saved to a folder. stdout is what the
 * person reads, so it must hold the conversation only; logs go to stderr as readable lines, or to a file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../support/capture.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const prefix = testPrefix('chat');
let mediaDir: string;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-chat-'));
});
afterAll(async () => {
  await deleteKeys(redisUrl(), prefix);
  await rm(mediaDir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return {
    REDIS_URL: redisUrl(),
    MEDIA_DIR: mediaDir,
    DATA_DIR: join(mediaDir, '.data'),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
}

/** A chat fed line by line, and a wait for what it prints. */
function typedChat(args: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
  const io = captureIo();
  const stdin = new PassThrough();
  const run = runCli(['chat', '--simulate', ...args], { ...io, env: { ...env(), ...extraEnv }, stdin });
  const say = (line: string) => stdin.write(`${line}\n`);
  const until = async (pattern: RegExp, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(io.stdout.text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${io.stdout.text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const end = async () => {
    stdin.end();
    return run;
  };
  return { io, say, until, end };
}

const JSON_LINE = /^\s*\{.*\}\s*$/m;

/** Asks the chat for a lighthouse picture and picks option 1. */
async function pickFirstOption(chat: ReturnType<typeof typedChat>): Promise<void> {
  chat.say('a lighthouse on a cliff, as a picture');
  await chat.until(/Type 1-\d to generate/);
  chat.say('1');
}

describe('higgsbot chat --simulate', () => {
  it('through a pipe: ask, see options with reasons, pick one, and the result file exists', async () => {
    const io = captureIo();
    const stdin = Readable.from(['cinematic sunset over mountains\n', '1\n']);
    const code = await runCli(['chat', '--simulate', '--render-ms', '200'], { ...io, env: env(), stdin });
    const out = io.stdout.text;
    expect(code, io.stderr.text).toBe(0);
    expect(out).toMatch(/simulated Higgsfield, offline recommender/);
    expect(out).toMatch(/ {2}1\) .+\n {5}why: .+\n {5}prompt: .+/);
    expect(out).toMatch(/Offline mode: Claude is not configured/);
    expect(out).toMatch(/#1 .+: queued \(position \d+/);
    expect(out).toMatch(/#1 ✔/);
    const saved = /saved: (\S+)/.exec(out)?.[1];
    expect(saved && existsSync(saved)).toBe(true);
    expect(readFileSync(saved!).subarray(0, 4)).toEqual(PNG);
    expect(out).toMatch(/r 1 re-roll · a 1 animate/);
  });

  it('typed as a conversation: animate a result, cancel, re-roll, and clear answers to mistakes', async () => {
    const io = captureIo();
    const stdin = new PassThrough();
    const run = runCli(['chat', '--simulate', '--render-ms', '300'], { ...io, env: env(), stdin });
    const say = (line: string) => stdin.write(`${line}\n`);
    const until = async (pattern: RegExp, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(io.stdout.text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${io.stdout.text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    say('3');
    await until(/There are no options yet/);
    say('r 4');
    await until(/There is no job #4 yet/);
    say('');
    await until(/Tell me what you would like to see/);

    say('a lighthouse on a cliff, as a picture');
    await until(/Type 1-\d to generate/);
    say('1');
    await until(/#1 ✔/);
    say('a 1');
    await until(/Ways to animate this image:[\s\S]*Type 1-\d to generate/);
    say('1');
    await until(/#2 Animate .+: queued/);
    say('c 2');
    await until(/#2 (is being canceled|is already rendering at Higgsfield)/);
    say('r 1');
    await until(/#3 Re-roll: .+: queued/);
    say('jobs');
    await until(/(#\d .+: (queued|submitted|rendering|delivering))|no generations in progress/);
    stdin.end();
    expect(await run, io.stderr.text).toBe(0);
    expect(io.stdout.text).toMatch(/#3 ✔/);
    expect(io.stdout.text).toMatch(/#2 (canceled|✔)/);
  }, 40_000);

  it('a cancel that comes too late: the chat says so, and its log stays a readable line out of the conversation', async () => {
    const chat = typedChat(['--render-ms', '2500']);
    await pickFirstOption(chat);
    await chat.until(/#1 rendering/);
    chat.say('c 1');
    await chat.until(/#1 is already rendering at Higgsfield and can no longer be canceled\./);
    await chat.until(/#1 ✔/);
    expect(await chat.end(), chat.io.stderr.text).toBe(0);

    const { stdout, stderr } = chat.io;
    expect(stdout.text).not.toMatch(JSON_LINE);
    expect(stdout.text).not.toMatch(/higgsfield error|"level"/);
    // Higgsfield's "too late" 400 is an answer, not a fault: nothing about it at warn; and whatever the chat
    // logs is one line a person can read, never pino JSON.
    expect(stderr.text).not.toMatch(JSON_LINE);
    expect(stderr.text).not.toMatch(/higgsfield error .*cancel/);
    for (const line of stderr.text.split('\n').filter(Boolean))
      expect(line).toMatch(/^\d\d:\d\d:\d\d (warn|error|fatal) /);
  }, 30_000);

  it('with --log-file, logs go to that file at the configured level and the terminal shows the conversation only', async () => {
    const logFile = join(mediaDir, 'chat.log');
    const chat = typedChat(['--render-ms', '2500', '--log-file', logFile], { LOG_LEVEL: 'info' });
    await pickFirstOption(chat);
    await chat.until(/#1 rendering/);
    chat.say('c 1');
    await chat.until(/#1 is already rendering at Higgsfield/);
    chat.say('quit');
    expect(await chat.end()).toBe(0);
    expect(chat.io.stderr.text).toBe('');
    const entries = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'higgsfield error', status: 400 }));
  }, 30_000);

  it('`jobs` lists each active job by its option label, as the chat named it when queued', async () => {
    const chat = typedChat(['--render-ms', '2000']);
    await pickFirstOption(chat);
    await chat.until(/#1 .+: queued/);
    const label = /#1 (.+): queued/.exec(chat.io.stdout.text)?.[1] ?? '';
    chat.say('jobs');
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await chat.until(
      new RegExp(`^• #1 ${escaped}: (queued|submitted|rendering|delivering)( \\(position \\d+\\))?$`, 'm'),
    );
    expect(chat.io.stdout.text).not.toMatch(/^• #1 [\w-]+\/\S+: /m);
    chat.say('quit');
    expect(await chat.end()).toBe(0);
  }, 30_000);

  it('says how to get Redis when none answers and none can be started', async () => {
    const io = captureIo();
    const code = await runCli(['chat'], {
      ...io,
      env: { REDIS_URL: 'redis://127.0.0.1:1', HF_CREDENTIALS: 'a:b', HIGGSFIELD_BASE_URL: 'http://127.0.0.1:1' },
      stdin: Readable.from([]),
    });
    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1\. Start one/);
  });
});

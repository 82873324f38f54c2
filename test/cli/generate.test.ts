import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import {
  renderPng,
  SIMULATOR_CREDENTIALS,
  type Simulator,
  startSimulator,
} from '../../src/higgsfield/simulator/index.js';
import { captureIo } from '../support/capture.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

let sim: Simulator;
let dir: string;
const prefix = testPrefix('generate');

beforeAll(async () => {
  sim = await startSimulator({ queuedMs: 20, inProgressMs: 40, videoSizeBytes: 50_000 });
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-generate-'));
});
afterAll(async () => {
  await sim.close();
  await deleteKeys(redisUrl(), prefix);
  await rm(dir, { recursive: true, force: true });
});

function env() {
  return {
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    HIGGSFIELD_BASE_URL: sim.url,
    HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
    MEDIA_DIR: join(dir, 'media'),
    DATA_DIR: join(dir, 'data'),
    USER_MAX_ACTIVE: '10',
  };
}

async function generate(...args: string[]) {
  const io = captureIo(env());
  const code = await runCli(['generate', ...args], io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

describe('higgsbot generate', () => {
  it('runs one generation through the queue and prints progress, the saved file and its URL', async () => {
    const { code, out } = await generate(
      '--model',
      'higgsfield-ai/soul/v2/standard',
      '--prompt',
      'a fox',
      '--set',
      'aspect_ratio=16:9',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/queued \(position \d+/);
    expect(out).toContain('submitted to Higgsfield');
    expect(out).toContain('✔ done');
    const saved = /saved: (\S+)/.exec(out)?.[1] ?? '';
    expect((await stat(saved)).size).toBeGreaterThan(0);
    expect(out).toMatch(/url: {3}http:\/\/127\.0\.0\.1:\d+\/media\//);
  });

  it('types --set values as the model wants them (Veo durations are strings)', async () => {
    const { code, out } = await generate('--model', 'veo3.1/fast', '--prompt', 'rain', '--set', 'duration=8');
    expect(code).toBe(0);
    expect(out).toContain('video/mp4');
  });

  it('uploads a local input image for an image-to-video model', async () => {
    const image = join(dir, 'input.png');
    await writeFile(image, renderPng('seed'));
    const { code, out } = await generate(
      '--model',
      'higgsfield-ai/dop/lite',
      '--prompt',
      'zoom in slowly',
      '--image',
      image,
    );
    expect(code).toBe(0);
    expect(out).toContain('uploading the input image (image/png');
    const req = sim.requests().at(-1);
    expect(req?.modelId).toBe('higgsfield-ai/dop/lite');
  });

  it('exits 3 with a message saying which, when Higgsfield refuses or fails it', async () => {
    const nsfw = await generate('--model', 'nano-banana', '--prompt', 'sim:nsfw portrait');
    expect(nsfw.code).toBe(3);
    expect(nsfw.out).toContain('NSFW');
    const failed = await generate('--model', 'nano-banana', '--prompt', 'sim:fail castle');
    expect(failed.code).toBe(3);
    expect(failed.out).toContain('could not render this prompt');
  });

  it('exits 2 before anything is queued or uploaded when the input is wrong', async () => {
    const before = sim.stats().calls.length;
    const notImage = join(dir, 'notes.txt');
    await writeFile(notImage, 'hello, I am not an image');
    const cases: Array<[string[], RegExp]> = [
      [['--model', 'midjourney', '--prompt', 'x'], /Unknown model "midjourney"/],
      [['--model', 'nano-banana', '--prompt', '   '], /prompt must not be empty/],
      [['--model', 'nano-banana', '--prompt', 'x'.repeat(2001)], /at most 2000 characters/],
      [
        ['--model', 'nano-banana', '--prompt', 'x', '--set', 'num_images=9'],
        /num_images must be an integer from 1 to 4/,
      ],
      [['--model', 'higgsfield-ai/dop/lite', '--prompt', 'x'], /give one with --image/],
      [['--model', 'nano-banana', '--prompt', 'x', '--image', notImage], /does not take an input image/],
      [['--model', 'higgsfield-ai/dop/lite', '--prompt', 'x', '--image', notImage], /not a PNG, JPEG, WebP or GIF/],
      [['--model', 'higgsfield-ai/dop/lite', '--prompt', 'x', '--image', join(dir, 'missing.png')], /not found/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await generate(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err, args.join(' ')).toMatch(message);
    }
    expect(sim.stats().calls.length).toBe(before);
  });
});

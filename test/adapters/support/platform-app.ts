import { randomUUID } from 'node:crypto';
/**
 * The app as `higgsbot start --role all` builds it, for the platform specs: Redis, the simulator, the
 * Anthropic fake and a media folder, plus the platform's own variables.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { type App, createApp } from '../../../src/app/container.js';
import { type Config, loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/log.js';
import { FAST } from '../../support/pipeline-harness.js';
import { redisUrl } from '../../support/redis.js';

export function startPlatformApp(options: {
  prefix: string;
  simulatorUrl: string;
  anthropicUrl: string;
  mediaDir: string;
  platformEnv: Record<string, string>;
  /** Serve HTTP (health, Slack's /slack/events) on a free port. */
  http?: boolean;
}): Promise<App> {
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: options.prefix,
    HF_CREDENTIALS: 'sim-key:sim-secret',
    HIGGSFIELD_BASE_URL: options.simulatorUrl,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: options.anthropicUrl,
    MEDIA_DIR: options.mediaDir,
    // Each app its own embedded history: a spec may run two apps of one platform side by side.
    DATA_DIR: join(options.mediaDir, `.data-${randomUUID().slice(0, 8)}`),
    HTTP_PORT: '0',
    ...options.platformEnv,
  });
  return createSpecApp(config, options.http === true);
}

/** The app as `higgsbot start --role all` builds it from `config`: every platform started, fast pipeline settings. */
export function createSpecApp(config: Config, http: boolean): Promise<App> {
  return createApp({
    config,
    logger: silentLogger(),
    role: 'all',
    console: { output: new Writable({ write: (_c, _e, done) => done() }) },
    startPlatforms: 'all',
    settings: FAST,
    ...(http ? { http: true } : {}),
  });
}

/**
 * A generation of the app's flow as its history holds it, once the feed has written it: done, with its
 * recipe, every state in order and its asset, listed first in that person's /history.
 */
export async function expectRecorded(
  app: App,
  generationId: string,
  person: { platform: string; userId: string },
): Promise<void> {
  const history = app.history;
  if (!history) throw new Error('this app keeps no history');
  const deadline = Date.now() + 10_000;
  let entry = await history.get(generationId);
  while (entry?.state !== 'done' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    entry = await history.get(generationId);
  }
  expect(entry?.state).toBe('done');
  expect(entry?.conversation).toMatchObject(person);
  expect(entry?.option.estimate).toBeDefined();
  expect(entry?.states.map((s) => s.state)).toEqual(expect.arrayContaining(['queued', 'submitted', 'done']));
  expect(entry?.assets).toEqual([
    expect.objectContaining({ index: 0, contentType: expect.stringMatching(/^image\//) }),
  ]);
  const page = await history.list({ ...person, limit: 10 });
  expect(page.items[0]?.generationId).toBe(generationId);
}

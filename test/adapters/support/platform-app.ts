import { randomUUID } from 'node:crypto';
/**
 * The app as `higgsbot start --role all` builds it, for the platform specs: Redis, the simulator, the
 * Anthropic fake and a media folder, plus the platform's own variables.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type App, createApp } from '../../../src/app/container.js';
import { loadConfig } from '../../../src/config.js';
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
  return createApp({
    config,
    logger: silentLogger(),
    role: 'all',
    console: { output: new Writable({ write: (_c, _e, done) => done() }) },
    startPlatforms: 'all',
    settings: FAST,
    ...(options.http ? { http: true } : {}),
  });
}

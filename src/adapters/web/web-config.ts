/**
 * The web platform's block of configuration: whether it runs, which browser origins may call it (CORS),
 * the rate limit per key, the person keyless requests act as (only where an operator asks for it: the
 * demo, or a seed client that sends no key on a private network), and where the built web chat is.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { type ConfigBlock, opt, text } from '../../config/config-block.js';

export interface WebConfig {
  /** Origins allowed to call the API from a browser (exact `scheme://host[:port]`); `*` allows any. */
  corsOrigins: readonly string[];
  /** Requests per key per minute (seed A: 60). */
  rateLimitPerMinute: number;
  /** Requests without a key act as this person; unset: a key is required. */
  anonymousUser?: string;
  /** Largest upload accepted (bytes). */
  maxUploadBytes: number;
  /** How long `POST /higgsfield/generate` waits for the result before answering 202. */
  generateWaitMs: number;
  /** The built web chat (index.html, assets/); unset: the package's dist/web (web-page.ts finds it). */
  uiDir?: string;
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'is not true or false')
  .transform((v) => /^(true|1|yes)$/.test(v));
const origin = z.union([z.literal('*'), z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)]);
const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(origin));
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const MIB = 1024 * 1024;

export const webConfig: ConfigBlock<WebConfig> = {
  variables: {
    WEB_ENABLED: { schema: opt(bool), expected: 'true or false (default false): serve the web API on HTTP_PORT' },
    WEB_CORS_ORIGINS: {
      schema: opt(origins),
      expected:
        'comma-separated origins such as https://app.example.com (or *), allowed to call the API from a browser',
    },
    WEB_RATE_LIMIT_PER_MINUTE: {
      schema: opt(positiveInt(100_000)).default(60),
      expected: 'requests per API key per minute, 1 to 100000 (default 60)',
    },
    WEB_ANONYMOUS_USER: {
      schema: opt(z.string().regex(/^[\w.@-]{1,64}$/, 'is not a name of letters, digits, . _ @ -')),
      expected: 'a person name keyless requests act as (unset: every request needs an API key)',
    },
    WEB_MAX_UPLOAD_MB: {
      schema: opt(positiveInt(20)).default(10),
      expected: 'largest upload in MB, 1 to 20 (default 10)',
    },
    WEB_GENERATE_WAIT_S: {
      schema: opt(positiveInt(600)).default(120),
      expected: 'seconds POST /higgsfield/generate waits for the result before answering 202 (default 120)',
    },
    WEB_UI_DIR: {
      schema: opt(z.string().trim().min(1)),
      expected:
        'a folder holding the built web chat (index.html and assets/); unset: dist/web of the installed package',
    },
  },
  build(env) {
    if (env.WEB_ENABLED !== true) return undefined;
    const anonymousUser = text(env, 'WEB_ANONYMOUS_USER');
    const uiDir = text(env, 'WEB_UI_DIR');
    return {
      corsOrigins: (env.WEB_CORS_ORIGINS as string[] | undefined) ?? [],
      rateLimitPerMinute: env.WEB_RATE_LIMIT_PER_MINUTE as number,
      maxUploadBytes: (env.WEB_MAX_UPLOAD_MB as number) * MIB,
      generateWaitMs: (env.WEB_GENERATE_WAIT_S as number) * 1000,
      ...(anonymousUser ? { anonymousUser } : {}),
      ...(uiDir ? { uiDir: resolve(uiDir) } : {}),
    };
  },
};

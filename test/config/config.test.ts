import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

function configError(env: NodeJS.ProcessEnv, require: Parameters<typeof loadConfig>[1] = {}): ConfigError {
  try {
    loadConfig(env, require);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('runs on defaults alone, with nothing configured but local Redis and media', () => {
    const config = loadConfig({});
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.higgsfield.baseUrl).toBe('https://api.higgsfield.ai');
    expect(config.anthropic.model).toBe('claude-haiku-4-5');
    expect(config.httpPort).toBe(8080);
    expect(config.media).toEqual({ dir: './media', linkTtlS: 7 * 24 * 3600 });
    expect(config.platforms.discord).toBeUndefined();
    expect(config.platforms.slack).toBeUndefined();
  });

  it('names a missing credential and a malformed URL in one error, each with what it should look like', () => {
    const error = configError({ HF_API_KEY: 'key-id', HIGGSFIELD_BASE_URL: 'api.higgsfield.ai' });
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['HF_API_SECRET', 'HIGGSFIELD_BASE_URL']);
    expect(error.message).toContain('HF_API_SECRET: missing');
    expect(error.message).toContain('HIGGSFIELD_BASE_URL: is not an http(s) URL');
    expect(error.message).toContain('Expected: an http(s) URL');
    expect(error.message).toContain('2 problems');
  });

  it('never echoes a value, since it may be a secret', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'not-a-bot-token-s3cr3t', SLACK_APP_TOKEN: 'xapp-1' });
    expect(error.message).toContain('SLACK_BOT_TOKEN: does not start with xoxb-');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('requires Higgsfield credentials for commands that spend credits', () => {
    const error = configError({}, { require: ['higgsfield'] });
    expect(error.issues.map((i) => i.variable)).toEqual(['HF_API_KEY', 'HF_API_SECRET']);
    expect(loadConfig({ HF_CREDENTIALS: 'id:secret' }, { require: ['higgsfield'] }).higgsfield.credentials).toEqual({
      keyId: 'id',
      keySecret: 'secret',
    });
  });

  it('keeps history embedded in DATA_DIR by default, in PostgreSQL with DATABASE_URL, for 90 days unless told', () => {
    expect(loadConfig({}).history).toEqual({ dataDir: './data', retentionDays: 90 });
    const server = loadConfig({ DATABASE_URL: 'postgres://bot@127.0.0.1:5432/higgsbot', HISTORY_RETENTION_DAYS: '30' });
    expect(server.history).toMatchObject({ databaseUrl: 'postgres://bot@127.0.0.1:5432/higgsbot', retentionDays: 30 });
    expect(configError({ DATABASE_URL: 'mysql://x/y' }).issues.map((i) => i.variable)).toEqual(['DATABASE_URL']);
  });

  it('asks a process that shares history with others (bot or worker role) for DATABASE_URL, saying why', () => {
    const error = configError({ HF_CREDENTIALS: 'id:secret' }, { require: ['higgsfield', 'shared-history'] });
    expect(error.issues).toEqual([expect.objectContaining({ variable: 'DATABASE_URL' })]);
    expect(error.message).toMatch(/--role bot or worker.*embedded database serves one process only/);
    expect(
      loadConfig(
        { HF_CREDENTIALS: 'id:secret', DATABASE_URL: 'postgresql://127.0.0.1/h' },
        { require: ['higgsfield', 'shared-history'] },
      ).history.databaseUrl,
    ).toBe('postgresql://127.0.0.1/h');
  });

  it('treats empty values as unset, as a copied .env.example leaves them', () => {
    const config = loadConfig({ HF_API_KEY: '', HTTP_PORT: '', LOG_LEVEL: '', DISCORD_TOKEN: ' ' });
    expect(config.httpPort).toBe(8080);
    expect(config.logLevel).toBe('info');
    expect(config.higgsfield.credentials).toBeUndefined();
  });

  it('reports every pair that is half set', () => {
    const error = configError({
      HIGGSFIELD_WEBHOOK_URL: 'https://bot.example.com/webhooks/higgsfield',
      DISCORD_TOKEN: 'token',
      AWS_ACCESS_KEY_ID: 'AKIA',
      SLACK_BOT_TOKEN: 'xoxb-1',
    });
    expect(error.issues.map((i) => i.variable).sort()).toEqual([
      'AWS_SECRET_ACCESS_KEY',
      'DISCORD_APPLICATION_ID',
      'HIGGSFIELD_WEBHOOK_SECRET',
      'SLACK_SIGNING_SECRET',
    ]);
  });

  it('builds the platform and storage sections when they are configured', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'token',
      DISCORD_APPLICATION_ID: '123456789012345678',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      S3_BUCKET: 'higgsbot-media',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      HIGGSFIELD_WEBHOOK_URL: 'https://bot.example.com/webhooks/higgsfield',
      HIGGSFIELD_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    expect(config.platforms.discord).toMatchObject({
      applicationId: '123456789012345678',
      apiUrl: 'https://discord.com/api',
    });
    expect(config.platforms.slack).toMatchObject({ appToken: 'xapp-1' });
    expect(config.media.s3).toMatchObject({ bucket: 'higgsbot-media', forcePathStyle: true });
    expect(config.higgsfield.webhook?.url).toBe('https://bot.example.com/webhooks/higgsfield');
  });

  it('lists every variable it reads in .env.example', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_VARIABLES.filter((variable) => !listed.has(variable))).toEqual([]);
  });

  describe('links to results', () => {
    const secret = 'a'.repeat(16) + 'b'.repeat(16);

    it('links through the bot with PUBLIC_URL and its secret, for 7 days unless told otherwise', () => {
      const config = loadConfig({ PUBLIC_URL: 'https://bot.example.com/higgsbot/', MEDIA_LINK_SECRET: secret });
      expect(config.media.signedLinks).toEqual({ publicUrl: 'https://bot.example.com/higgsbot', secret });
      expect(config.media.linkTtlS).toBe(604_800);
      const month = loadConfig({
        PUBLIC_URL: 'https://bot.example.com',
        MEDIA_LINK_SECRET: secret,
        MEDIA_LINK_TTL_HOURS: '720',
      });
      expect(month.media.linkTtlS).toBe(720 * 3600);
    });

    it('asks for the secret with PUBLIC_URL (and the other way round), saying how to make one', () => {
      const noSecret = configError({ PUBLIC_URL: 'https://bot.example.com' });
      expect(noSecret.issues.map((i) => i.variable)).toEqual(['MEDIA_LINK_SECRET']);
      expect(noSecret.message).toContain('MEDIA_LINK_SECRET: missing');
      expect(noSecret.message).toContain('openssl rand -hex 32');
      expect(configError({ MEDIA_LINK_SECRET: secret }).issues.map((i) => i.variable)).toEqual(['PUBLIC_URL']);
    });

    it('refuses a short secret and a PUBLIC_URL with a query, without echoing either', () => {
      const error = configError({
        PUBLIC_URL: 'https://bot.example.com/?token=hunter2',
        MEDIA_LINK_SECRET: 'short-s3cr3t',
      });
      expect(error.message).toContain('MEDIA_LINK_SECRET: is shorter than 32 characters');
      expect(error.message).toContain('PUBLIC_URL: has a query, a fragment or credentials');
      expect(error.message).not.toContain('s3cr3t');
      expect(error.message).not.toContain('hunter2');
    });

    it('takes S3_PUBLIC_URL as a bare origin, only with a bucket', () => {
      const config = loadConfig({ S3_BUCKET: 'higgsbot-media', S3_PUBLIC_URL: 'https://media.example.com' });
      expect(config.media.s3?.publicUrl).toBe('https://media.example.com');
      expect(configError({ S3_PUBLIC_URL: 'https://media.example.com' }).issues.map((i) => i.variable)).toEqual([
        'S3_BUCKET',
      ]);
      const withPath = configError({ S3_BUCKET: 'higgsbot-media', S3_PUBLIC_URL: 'https://example.com/s3' });
      expect(withPath.message).toContain('S3_PUBLIC_URL: is not a bare origin');
    });

    it('refuses a link lifetime past 7 days where links are presigned S3 URLs, instead of cutting it short', () => {
      const error = configError({ S3_BUCKET: 'higgsbot-media', MEDIA_LINK_TTL_HOURS: '200' });
      expect(error.issues.map((i) => i.variable)).toEqual(['MEDIA_LINK_TTL_HOURS']);
      expect(error.message).toContain('the longest a presigned S3 link lives');
      const publicStorage = { S3_BUCKET: 'higgsbot-media', S3_PUBLIC_URL: 'https://media.example.com' };
      expect(configError({ ...publicStorage, MEDIA_LINK_TTL_HOURS: '200' }).issues).toHaveLength(1);
      // Through the bot's own route the bucket is read by the bot, so the lifetime is ours to choose.
      const viaBot = { S3_BUCKET: 'higgsbot-media', PUBLIC_URL: 'https://bot.example.com', MEDIA_LINK_SECRET: secret };
      expect(loadConfig({ ...viaBot, MEDIA_LINK_TTL_HOURS: '200' }).media.linkTtlS).toBe(200 * 3600);
    });
  });
});

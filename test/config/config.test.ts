import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
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
    expect(config.media).toEqual({ dir: './media' });
    expect(config.discord).toBeUndefined();
    expect(config.slack).toBeUndefined();
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
    expect(config.discord).toMatchObject({ applicationId: '123456789012345678', apiUrl: 'https://discord.com/api' });
    expect(config.slack).toMatchObject({ appToken: 'xapp-1' });
    expect(config.media.s3).toMatchObject({ bucket: 'higgsbot-media', forcePathStyle: true });
    expect(config.higgsfield.webhook?.url).toBe('https://bot.example.com/webhooks/higgsfield');
  });
});

/**
 * The one reader of process.env. A zod schema of DESIGN.md §7's variables, parsed once into a typed,
 * nested Config; every invalid or missing variable is reported together, each with what it should look
 * like, and no value is ever echoed (they may be secrets). Empty strings count as unset.
 */
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

/** What each variable should look like, for error messages. */
const EXPECTED: Record<string, string> = {
  REDIS_URL: 'a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
  HF_API_KEY: 'your Higgsfield key id (console.higgsfield.ai → API keys), or HF_CREDENTIALS=<id>:<secret> instead',
  HF_API_SECRET: 'your Higgsfield key secret, set together with HF_API_KEY',
  HF_CREDENTIALS: 'the pair <key id>:<key secret> (instead of HF_API_KEY and HF_API_SECRET)',
  HIGGSFIELD_BASE_URL: 'an http(s) URL, default https://api.higgsfield.ai',
  HIGGSFIELD_WEBHOOK_URL: 'the public https URL of this bot’s /webhooks/higgsfield route',
  HIGGSFIELD_WEBHOOK_SECRET: 'the whsec_… signing secret from Higgsfield Console, set with HIGGSFIELD_WEBHOOK_URL',
  ANTHROPIC_API_KEY: 'an Anthropic API key (sk-ant-…); leave unset for the offline recommender',
  ANTHROPIC_BASE_URL: 'an http(s) URL, default https://api.anthropic.com',
  ANTHROPIC_MODEL: 'a Claude model id, default claude-haiku-4-5',
  ANTHROPIC_TIMEOUT_MS:
    'a whole number of milliseconds from 1000 to 120000: how long a proposal may take before the offline recommender answers, default 30000',
  DISCORD_TOKEN: 'the bot token from the Discord developer portal',
  DISCORD_APPLICATION_ID: 'the application id (a numeric snowflake), set together with DISCORD_TOKEN',
  DISCORD_GUILD_ID: 'a guild id (numeric snowflake) to register commands to instantly, or unset for global',
  DISCORD_API_URL: 'an http(s) URL, default https://discord.com/api',
  SLACK_BOT_TOKEN: 'a bot token starting with xoxb-',
  SLACK_SIGNING_SECRET: 'the app’s signing secret (needed in HTTP mode, i.e. without SLACK_APP_TOKEN)',
  SLACK_APP_TOKEN: 'an app-level token starting with xapp- (enables Socket Mode)',
  SLACK_API_URL: 'an http(s) URL ending in /api/, default https://slack.com/api/',
  HTTP_PORT: 'a port number from 0 to 65535, default 8080',
  MEDIA_DIR: 'a folder path for generated media, default ./media',
  S3_BUCKET: 'an S3 bucket name (3–63 characters of a-z, 0-9, . and -)',
  S3_REGION: 'an AWS region such as us-east-1',
  S3_ENDPOINT: 'an http(s) URL of an S3-compatible endpoint, e.g. http://minio:9000',
  S3_FORCE_PATH_STYLE: 'true or false (true for MinIO)',
  AWS_ACCESS_KEY_ID: 'the access key id for the bucket',
  AWS_SECRET_ACCESS_KEY: 'the secret access key for the bucket, set together with AWS_ACCESS_KEY_ID',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  QUEUE_PREFIX: 'letters, digits, - _ { } only (e.g. higgsbot, or {higgsbot} on Redis Cluster)',
  USER_MAX_ACTIVE: 'a whole number from 1 to 100: active generations one person may have at once',
  WORKER_CONCURRENCY: 'a whole number from 1 to 10000: generations one worker process tracks at once',
};

const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
const httpUrl = z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' });
const snowflake = z.string().regex(/^\d{17,20}$/, 'is not a numeric Discord id');
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'is not true or false')
  .transform((v) => /^(true|1|yes)$/.test(v));

const envSchema = z.object({
  REDIS_URL: opt(z.url({ protocol: /^rediss?$/, error: 'is not a redis:// URL' })).default('redis://127.0.0.1:6379'),
  HF_API_KEY: opt(z.string()),
  HF_API_SECRET: opt(z.string()),
  HF_CREDENTIALS: opt(z.string().regex(/^[^:\s]+:[^:\s]+$/, 'is not of the form id:secret')),
  HIGGSFIELD_BASE_URL: opt(httpUrl).default('https://api.higgsfield.ai'),
  HIGGSFIELD_WEBHOOK_URL: opt(httpUrl),
  HIGGSFIELD_WEBHOOK_SECRET: opt(z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'is not a whsec_… secret')),
  ANTHROPIC_API_KEY: opt(z.string()),
  ANTHROPIC_BASE_URL: opt(httpUrl),
  ANTHROPIC_MODEL: opt(z.string().regex(/^[\w.:-]+$/, 'is not a model id')).default('claude-haiku-4-5'),
  ANTHROPIC_TIMEOUT_MS: opt(
    z.coerce.number('is not a number').int('is not a whole number').min(1_000).max(120_000),
  ).default(30_000),
  DISCORD_TOKEN: opt(z.string()),
  DISCORD_APPLICATION_ID: opt(snowflake),
  DISCORD_GUILD_ID: opt(snowflake),
  DISCORD_API_URL: opt(httpUrl).default('https://discord.com/api'),
  SLACK_BOT_TOKEN: opt(z.string().startsWith('xoxb-', 'does not start with xoxb-')),
  SLACK_SIGNING_SECRET: opt(z.string()),
  SLACK_APP_TOKEN: opt(z.string().startsWith('xapp-', 'does not start with xapp-')),
  SLACK_API_URL: opt(httpUrl).default('https://slack.com/api/'),
  HTTP_PORT: opt(z.coerce.number('is not a number').int('is not a whole number').min(0).max(65535)).default(8080),
  MEDIA_DIR: opt(z.string()).default('./media'),
  S3_BUCKET: opt(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not a valid bucket name')),
  S3_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'is not a region name')).default('us-east-1'),
  S3_ENDPOINT: opt(httpUrl),
  S3_FORCE_PATH_STYLE: opt(bool),
  AWS_ACCESS_KEY_ID: opt(z.string()),
  AWS_SECRET_ACCESS_KEY: opt(z.string()),
  LOG_LEVEL: opt(z.enum(LOG_LEVELS, 'is not a log level')).default('info'),
  QUEUE_PREFIX: opt(z.string().regex(/^[\w{}-]{1,64}$/, 'is not a valid prefix')).default('higgsbot'),
  USER_MAX_ACTIVE: opt(z.coerce.number('is not a number').int('is not a whole number').min(1).max(100)).default(3),
  WORKER_CONCURRENCY: opt(z.coerce.number('is not a number').int('is not a whole number').min(1).max(10_000)).default(
    500,
  ),
});

type Env = z.infer<typeof envSchema>;

/** Services a command cannot run without; their credentials become required. */
export type Requirement = 'higgsfield';

export interface Config {
  redisUrl: string;
  logLevel: LogLevel;
  httpPort: number;
  queue: { prefix: string; maxActivePerUser: number; workerConcurrency: number };
  higgsfield: {
    baseUrl: string;
    credentials?: { keyId: string; keySecret: string };
    webhook?: { url: string; secret: string };
  };
  anthropic: { apiKey?: string; baseUrl?: string; model: string; timeoutMs: number };
  discord?: { token: string; applicationId: string; guildId?: string; apiUrl: string };
  discordApiUrl: string;
  slack?: { botToken: string; signingSecret?: string; appToken?: string; apiUrl: string };
  slackApiUrl: string;
  media: {
    dir: string;
    s3?: {
      bucket: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      accessKeyId?: string;
      secretAccessKey?: string;
    };
  };
}

export interface LoadConfigOptions {
  require?: readonly Requirement[];
  /** Variables set (or, with undefined, unset) on top of the environment: the demo points at its simulator. */
  overrides?: Readonly<Record<string, string | undefined>>;
}

/** Parse an environment (process.env by default) into Config, or throw one ConfigError listing everything. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const env: NodeJS.ProcessEnv = { ...source, ...options.overrides };
  const result = envSchema.safeParse(env);
  const issues: ConfigIssue[] = result.success
    ? []
    : result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        return { variable, problem: issue.message, expected: EXPECTED[variable] ?? 'a valid value' };
      });
  // Cross-field checks look at which variables are present, so they are reported alongside format errors.
  issues.push(...missingPairs(env, new Set(issues.map((i) => i.variable)), options.require ?? []));
  if (issues.length > 0 || !result.success) throw new ConfigError(issues);
  return toConfig(result.data);
}

function missing(variable: string): ConfigIssue {
  return { variable, problem: 'missing', expected: EXPECTED[variable] ?? 'a value' };
}

function missingPairs(env: NodeJS.ProcessEnv, reported: Set<string>, required: readonly Requirement[]): ConfigIssue[] {
  const has = (variable: keyof Env) => (env[variable]?.trim() ?? '') !== '';
  const out: ConfigIssue[] = [];
  const need = (variable: keyof Env, when: boolean) => {
    if (when && !has(variable) && !reported.has(variable)) out.push(missing(variable));
  };
  const viaPair = !has('HF_CREDENTIALS');
  const anyHf = has('HF_API_KEY') || has('HF_API_SECRET') || !viaPair;
  need('HF_API_KEY', viaPair && (has('HF_API_SECRET') || required.includes('higgsfield')));
  need('HF_API_SECRET', viaPair && (has('HF_API_KEY') || (required.includes('higgsfield') && !anyHf)));
  need('HIGGSFIELD_WEBHOOK_SECRET', has('HIGGSFIELD_WEBHOOK_URL'));
  need('HIGGSFIELD_WEBHOOK_URL', has('HIGGSFIELD_WEBHOOK_SECRET'));
  need('DISCORD_APPLICATION_ID', has('DISCORD_TOKEN'));
  need('SLACK_SIGNING_SECRET', has('SLACK_BOT_TOKEN') && !has('SLACK_APP_TOKEN'));
  need('SLACK_BOT_TOKEN', has('SLACK_APP_TOKEN') || has('SLACK_SIGNING_SECRET'));
  need('AWS_SECRET_ACCESS_KEY', has('AWS_ACCESS_KEY_ID'));
  need('AWS_ACCESS_KEY_ID', has('AWS_SECRET_ACCESS_KEY'));
  return out;
}

function toConfig(env: Env): Config {
  const credentials = env.HF_CREDENTIALS
    ? splitCredentials(env.HF_CREDENTIALS)
    : env.HF_API_KEY && env.HF_API_SECRET
      ? { keyId: env.HF_API_KEY, keySecret: env.HF_API_SECRET }
      : undefined;
  const config: Config = {
    redisUrl: env.REDIS_URL,
    logLevel: env.LOG_LEVEL,
    httpPort: env.HTTP_PORT,
    queue: {
      prefix: env.QUEUE_PREFIX,
      maxActivePerUser: env.USER_MAX_ACTIVE,
      workerConcurrency: env.WORKER_CONCURRENCY,
    },
    higgsfield: { baseUrl: env.HIGGSFIELD_BASE_URL },
    anthropic: { model: env.ANTHROPIC_MODEL, timeoutMs: env.ANTHROPIC_TIMEOUT_MS },
    discordApiUrl: env.DISCORD_API_URL,
    slackApiUrl: env.SLACK_API_URL,
    media: { dir: env.MEDIA_DIR },
  };
  if (credentials) config.higgsfield.credentials = credentials;
  if (env.HIGGSFIELD_WEBHOOK_URL && env.HIGGSFIELD_WEBHOOK_SECRET) {
    config.higgsfield.webhook = { url: env.HIGGSFIELD_WEBHOOK_URL, secret: env.HIGGSFIELD_WEBHOOK_SECRET };
  }
  if (env.ANTHROPIC_API_KEY) config.anthropic.apiKey = env.ANTHROPIC_API_KEY;
  if (env.ANTHROPIC_BASE_URL) config.anthropic.baseUrl = env.ANTHROPIC_BASE_URL;
  if (env.DISCORD_TOKEN && env.DISCORD_APPLICATION_ID) {
    config.discord = {
      token: env.DISCORD_TOKEN,
      applicationId: env.DISCORD_APPLICATION_ID,
      apiUrl: env.DISCORD_API_URL,
    };
    if (env.DISCORD_GUILD_ID) config.discord.guildId = env.DISCORD_GUILD_ID;
  }
  if (env.SLACK_BOT_TOKEN) {
    config.slack = { botToken: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL };
    if (env.SLACK_SIGNING_SECRET) config.slack.signingSecret = env.SLACK_SIGNING_SECRET;
    if (env.SLACK_APP_TOKEN) config.slack.appToken = env.SLACK_APP_TOKEN;
  }
  if (env.S3_BUCKET) {
    config.media.s3 = {
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
    };
    if (env.S3_ENDPOINT) config.media.s3.endpoint = env.S3_ENDPOINT;
    if (env.AWS_ACCESS_KEY_ID) config.media.s3.accessKeyId = env.AWS_ACCESS_KEY_ID;
    if (env.AWS_SECRET_ACCESS_KEY) config.media.s3.secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  }
  return config;
}

function splitCredentials(pair: string): { keyId: string; keySecret: string } {
  const [keyId = '', keySecret = ''] = pair.split(':');
  return { keyId, keySecret };
}

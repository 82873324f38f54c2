/**
 * The one reader of process.env. A zod schema of DESIGN.md §7's variables, parsed once into a typed,
 * nested Config; every invalid or missing variable is reported together, each with what it should look
 * like, and no value is ever echoed (they may be secrets). Empty strings count as unset.
 */
import { z } from 'zod';
import { httpUrl, opt } from './config/config-block.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { PLATFORMS, type PlatformConfigs } from './platforms.js';

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
  HTTP_PORT: 'a port number from 0 to 65535, default 8080',
  PUBLIC_URL:
    'the public http(s) address of this bot’s HTTP_PORT, without query or fragment, e.g. https://bot.example.com',
  MEDIA_LINK_SECRET:
    'a random secret of at least 32 characters (e.g. `openssl rand -hex 32`), the same in every bot and worker process, set together with PUBLIC_URL',
  MEDIA_LINK_TTL_HOURS:
    'a whole number of hours from 1 to 8760 that links to results stay valid, default 168 (7 days); at most 168 while links are presigned S3 URLs',
  MEDIA_DIR: 'a folder path for generated media, default ./media',
  S3_BUCKET: 'an S3 bucket name (3–63 characters of a-z, 0-9, . and -)',
  S3_REGION: 'an AWS region such as us-east-1',
  S3_ENDPOINT: 'an http(s) URL of an S3-compatible endpoint, e.g. http://minio:9000',
  S3_FORCE_PATH_STYLE: 'true or false (true for MinIO)',
  S3_PUBLIC_URL:
    'the public http(s) origin of the S3 API (no path), e.g. https://media.example.com, used with S3_BUCKET',
  AWS_ACCESS_KEY_ID: 'the access key id for the bucket',
  AWS_SECRET_ACCESS_KEY: 'the secret access key for the bucket, set together with AWS_ACCESS_KEY_ID',
  DATABASE_URL:
    'a postgres:// URL of the PostgreSQL that keeps history, e.g. postgres://higgsbot@127.0.0.1:5432/higgsbot; unset: an embedded database in DATA_DIR',
  DATA_DIR: 'a folder for the embedded history database (used without DATABASE_URL), default ./data',
  HISTORY_RETENTION_DAYS: 'a whole number of days from 1 to 3650 that history and its media are kept, default 90',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')}`,
  QUEUE_PREFIX: 'letters, digits, - _ { } only (e.g. higgsbot, or {higgsbot} on Redis Cluster)',
  USER_MAX_ACTIVE: 'a whole number from 1 to 100: active generations one person may have at once',
  WORKER_CONCURRENCY: 'a whole number from 1 to 10000: generations one worker process tracks at once',
};

const noExtras = (u: URL) => u.search === '' && u.hash === '' && u.username === '' && u.password === '';
const publicBase = httpUrl.refine(
  (v) => noExtras(new URL(v)),
  'has a query, a fragment or credentials, which a base URL must not',
);
const publicOrigin = httpUrl.refine(
  (v) => noExtras(new URL(v)) && new URL(v).pathname === '/',
  'is not a bare origin (no path, query, fragment or credentials)',
);
/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGNED_HOURS = 168;
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'is not true or false')
  .transform((v) => /^(true|1|yes)$/.test(v));

const coreSchema = z.object({
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
  HTTP_PORT: opt(z.coerce.number('is not a number').int('is not a whole number').min(0).max(65535)).default(8080),
  PUBLIC_URL: opt(publicBase),
  MEDIA_LINK_SECRET: opt(z.string().min(32, 'is shorter than 32 characters')),
  MEDIA_LINK_TTL_HOURS: opt(z.coerce.number('is not a number').int('is not a whole number').min(1).max(8760)).default(
    MAX_PRESIGNED_HOURS,
  ),
  MEDIA_DIR: opt(z.string()).default('./media'),
  S3_BUCKET: opt(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not a valid bucket name')),
  S3_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'is not a region name')).default('us-east-1'),
  S3_ENDPOINT: opt(httpUrl),
  S3_FORCE_PATH_STYLE: opt(bool),
  S3_PUBLIC_URL: opt(publicOrigin),
  AWS_ACCESS_KEY_ID: opt(z.string()),
  AWS_SECRET_ACCESS_KEY: opt(z.string()),
  DATABASE_URL: opt(z.url({ protocol: /^postgres(ql)?$/, error: 'is not a postgres:// URL' })),
  DATA_DIR: opt(z.string()).default('./data'),
  HISTORY_RETENTION_DAYS: opt(z.coerce.number('is not a number').int('is not a whole number').min(1).max(3650)).default(
    90,
  ),
  LOG_LEVEL: opt(z.enum(LOG_LEVELS, 'is not a log level')).default('info'),
  QUEUE_PREFIX: opt(z.string().regex(/^[\w{}-]{1,64}$/, 'is not a valid prefix')).default('higgsbot'),
  USER_MAX_ACTIVE: opt(z.coerce.number('is not a number').int('is not a whole number').min(1).max(100)).default(3),
  WORKER_CONCURRENCY: opt(z.coerce.number('is not a number').int('is not a whole number').min(1).max(10_000)).default(
    500,
  ),
});

type Env = z.infer<typeof coreSchema>;

/** The platforms' blocks (src/platforms.ts), read with the rest. */
const platformVariables = Object.fromEntries(
  PLATFORMS.flatMap((p) => Object.entries(p.config.variables)).map(([name, v]) => [name, v.schema]),
);
for (const p of PLATFORMS) {
  for (const [name, v] of Object.entries(p.config.variables)) EXPECTED[name] = v.expected;
}
const envSchema = coreSchema.extend(platformVariables);

/** Every variable the schema reads (.env.example must list them all). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * What a command cannot run without: Higgsfield's credentials; a history database several processes can
 * share (`start --role bot|worker`: the embedded one is for a single process).
 */
export type Requirement = 'higgsfield' | 'shared-history';

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
  /**
   * History (src/core/history.ts): PostgreSQL at `databaseUrl`, else an embedded PGlite in `dataDir` (one
   * process only); records and media older than `retentionDays` are purged.
   */
  history: { databaseUrl?: string; dataDir: string; retentionDays: number };
  /** The configured platforms' settings, each from its own block (src/adapters/<platform>/<platform>-config.ts). */
  platforms: PlatformConfigs;
  /**
   * Stored results and the links people get to them (src/media/media-links.ts has the rule): a presigned
   * URL on `s3.publicUrl` when set; else this bot's signed /media route when `signedLinks` is set; else a
   * presigned URL on the S3 endpoint, or the provider's URL for the local folder.
   */
  media: {
    dir: string;
    /** How long every link to a stored result stays valid, in seconds (MEDIA_LINK_TTL_HOURS). */
    linkTtlS: number;
    /** PUBLIC_URL (no trailing slash) and MEDIA_LINK_SECRET: links through this bot's signed route. */
    signedLinks?: { publicUrl: string; secret: string };
    s3?: {
      bucket: string;
      region: string;
      endpoint?: string;
      /** S3_PUBLIC_URL: the origin links are presigned on, instead of `endpoint`. */
      publicUrl?: string;
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
  const reported = new Set(issues.map((i) => i.variable));
  issues.push(...missingPairs(env, reported, options.require ?? []));
  if (result.success) issues.push(...linkLifetime(result.data as Env));
  if (issues.length > 0 || !result.success) throw new ConfigError(issues);
  return toConfig(result.data as Env, result.data);
}

function missing(variable: string): ConfigIssue {
  return { variable, problem: 'missing', expected: EXPECTED[variable] ?? 'a value' };
}

function missingPairs(env: NodeJS.ProcessEnv, reported: Set<string>, required: readonly Requirement[]): ConfigIssue[] {
  const has = (variable: string) => (env[variable]?.trim() ?? '') !== '';
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
  for (const platform of PLATFORMS) {
    for (const variable of platform.config.missing?.(has) ?? []) {
      if (!reported.has(variable)) out.push(missing(variable));
    }
  }
  need('AWS_SECRET_ACCESS_KEY', has('AWS_ACCESS_KEY_ID'));
  need('AWS_ACCESS_KEY_ID', has('AWS_SECRET_ACCESS_KEY'));
  need('MEDIA_LINK_SECRET', has('PUBLIC_URL'));
  need('PUBLIC_URL', has('MEDIA_LINK_SECRET'));
  need('S3_BUCKET', has('S3_PUBLIC_URL'));
  if (required.includes('shared-history') && !has('DATABASE_URL') && !reported.has('DATABASE_URL')) {
    out.push({
      variable: 'DATABASE_URL',
      problem:
        'missing, and this process shares history with others (--role bot or worker); the embedded database serves one process only (--role all)',
      expected: EXPECTED.DATABASE_URL ?? 'a postgres:// URL',
    });
  }
  return out;
}

/** Presigned S3 links (S3_PUBLIC_URL, or S3 without PUBLIC_URL) cannot outlive 7 days: say so, never clamp. */
function linkLifetime(env: Env): ConfigIssue[] {
  const presigned = env.S3_BUCKET !== undefined && (env.S3_PUBLIC_URL !== undefined || env.PUBLIC_URL === undefined);
  if (!presigned || env.MEDIA_LINK_TTL_HOURS <= MAX_PRESIGNED_HOURS) return [];
  return [
    {
      variable: 'MEDIA_LINK_TTL_HOURS',
      problem: `is more than ${MAX_PRESIGNED_HOURS} (7 days), the longest a presigned S3 link lives, and links here are presigned`,
      expected: EXPECTED.MEDIA_LINK_TTL_HOURS ?? 'a value',
    },
  ];
}

function toConfig(env: Env, all: Record<string, unknown>): Config {
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
    history: { dataDir: env.DATA_DIR, retentionDays: env.HISTORY_RETENTION_DAYS },
    platforms: platformConfigs(all),
    media: { dir: env.MEDIA_DIR, linkTtlS: env.MEDIA_LINK_TTL_HOURS * 3600 },
  };
  if (credentials) config.higgsfield.credentials = credentials;
  if (env.DATABASE_URL) config.history.databaseUrl = env.DATABASE_URL;
  if (env.HIGGSFIELD_WEBHOOK_URL && env.HIGGSFIELD_WEBHOOK_SECRET) {
    config.higgsfield.webhook = { url: env.HIGGSFIELD_WEBHOOK_URL, secret: env.HIGGSFIELD_WEBHOOK_SECRET };
  }
  if (env.ANTHROPIC_API_KEY) config.anthropic.apiKey = env.ANTHROPIC_API_KEY;
  if (env.ANTHROPIC_BASE_URL) config.anthropic.baseUrl = env.ANTHROPIC_BASE_URL;
  if (env.PUBLIC_URL && env.MEDIA_LINK_SECRET) {
    config.media.signedLinks = { publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''), secret: env.MEDIA_LINK_SECRET };
  }
  if (env.S3_BUCKET) {
    config.media.s3 = {
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
    };
    if (env.S3_ENDPOINT) config.media.s3.endpoint = env.S3_ENDPOINT;
    if (env.S3_PUBLIC_URL) config.media.s3.publicUrl = new URL(env.S3_PUBLIC_URL).origin;
    if (env.AWS_ACCESS_KEY_ID) config.media.s3.accessKeyId = env.AWS_ACCESS_KEY_ID;
    if (env.AWS_SECRET_ACCESS_KEY) config.media.s3.secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  }
  return config;
}

function platformConfigs(env: Record<string, unknown>): PlatformConfigs {
  const out: Record<string, unknown> = {};
  for (const platform of PLATFORMS) {
    const settings = platform.config.build(env);
    if (settings) out[platform.id] = settings;
  }
  return out as PlatformConfigs;
}

function splitCredentials(pair: string): { keyId: string; keySecret: string } {
  const [keyId = '', keySecret = ''] = pair.split(':');
  return { keyId, keySecret };
}

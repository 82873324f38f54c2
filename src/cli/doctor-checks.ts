/**
 * The checks behind `higgsbot doctor`, one per configured service. Each reaches the service with the
 * cheapest authenticated call it has and reports in words; a service that is not configured is skipped
 * with a note on what it would take, never failed. Higgsfield's key is judged on documented endpoints
 * only (the Soul style list, else a status read where 404 for an unknown id means the key works); `GET
 * /models`, whose shape only third parties describe, is extra information and never fails the run.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { HealthCheck } from '../core/platform.js';
import { ErrorCode } from '../errors.js';
import { HiggsfieldClient } from '../higgsfield/client.js';
import { HiggsfieldError } from '../higgsfield/errors.js';
import type { Logger } from '../log.js';
import { describeMediaLinks } from '../media/media-links.js';
import { pingRedis } from '../queue/redis.js';

export type CheckResult = HealthCheck;
export type CheckStatus = HealthCheck['status'];

const TIMEOUT_MS = 5_000;
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function checkRedis(config: Config): Promise<CheckResult[]> {
  const name = 'Redis';
  try {
    const ms = await pingRedis(config.redisUrl, TIMEOUT_MS);
    return [{ name, status: 'ok', detail: `reachable at ${redactUrl(config.redisUrl)} (${ms} ms)` }];
  } catch (error) {
    return [{ name, status: 'fail', detail: `not reachable at ${redactUrl(config.redisUrl)}: ${reason(error)}` }];
  }
}

export async function checkHiggsfield(config: Config, logger: Logger): Promise<CheckResult[]> {
  const { baseUrl, credentials, webhook } = config.higgsfield;
  const webhookCheck: CheckResult = webhook
    ? webhook.url.startsWith('https://')
      ? { name: 'Higgsfield webhooks', status: 'ok', detail: `deliveries to ${webhook.url}, polling as safety net` }
      : {
          name: 'Higgsfield webhooks',
          status: 'warn',
          detail: `${webhook.url} is not https; Higgsfield requires https`,
        }
    : { name: 'Higgsfield webhooks', status: 'skip', detail: 'not configured: results are found by polling' };
  if (!credentials) {
    return [
      {
        name: 'Higgsfield credentials',
        status: 'fail',
        detail: 'not set: HF_API_KEY and HF_API_SECRET (or HF_CREDENTIALS)',
      },
      webhookCheck,
    ];
  }
  const client = new HiggsfieldClient({ baseUrl, credentials, logger, timeoutMs: TIMEOUT_MS, retry: { attempts: 1 } });
  const reachable: CheckResult = { name: 'Higgsfield API', status: 'ok', detail: `reachable at ${baseUrl}` };
  const key = await checkKey(client, credentials.keyId);
  if ('unreachable' in key) {
    return [
      { name: 'Higgsfield API', status: 'fail', detail: `not reachable at ${baseUrl}: ${key.unreachable}` },
      { name: 'Higgsfield credentials', status: 'skip', detail: 'not checked (API unreachable)' },
      webhookCheck,
    ];
  }
  const models: CheckResult =
    key.status === 'ok'
      ? await checkModelListing(client)
      : { name: 'Higgsfield models', status: 'skip', detail: 'not listed (the credentials are not usable)' };
  return [reachable, key, models, webhookCheck];
}

/**
 * The credentials, on documented endpoints: the Soul style list (200 proves the key), else, should that list
 * answer 404, a status read of a request id that cannot exist: Higgsfield authenticates before it looks the
 * id up, so there 404 means the key works. 401 from either means it does not.
 */
async function checkKey(client: HiggsfieldClient, keyId: string): Promise<CheckResult | { unreachable: string }> {
  const name = 'Higgsfield credentials';
  const valid: CheckResult = { name, status: 'ok', detail: `valid for key id ${keyId}` };
  let answered: number | undefined;
  try {
    await client.listStyles();
    return valid;
  } catch (error) {
    answered = answerOf(error);
    if (answered === undefined) return { unreachable: reason(error) };
  }
  if (answered === 404) {
    // The style list moved: the status read is documented as 401 for a bad key, 404 for an unknown id.
    try {
      await client.status(randomUUID());
      return valid;
    } catch (error) {
      answered = answerOf(error);
      if (answered === undefined) return { unreachable: reason(error) };
      if (answered === 404) return valid;
    }
  }
  if (answered === 401) return { name, status: 'fail', detail: `invalid: Higgsfield rejected key id ${keyId} (401)` };
  if (answered === 200) return valid; // an authenticated endpoint answered, though with a body we did not expect
  if (answered === 423 || answered === 429 || answered >= 500) {
    return { name, status: 'warn', detail: `not confirmed: Higgsfield answered ${answered}; try again shortly` };
  }
  return { name, status: 'fail', detail: `not usable: Higgsfield answered ${answered}` };
}

/** The HTTP status Higgsfield answered with (200 for a body we could not read), or undefined when it did not answer. */
function answerOf(error: unknown): number | undefined {
  if (!(error instanceof HiggsfieldError)) return undefined;
  if (error.code === ErrorCode.HfBadResponse) return 200;
  return error.status;
}

/** Extra information only: `GET /models` comes from third-party descriptions, so its absence fails nothing. */
async function checkModelListing(client: HiggsfieldClient): Promise<CheckResult> {
  const name = 'Higgsfield models';
  try {
    const slugs = await client.listModels();
    return { name, status: 'ok', detail: `${slugs.length} models listed for this key` };
  } catch (error) {
    const answered = answerOf(error);
    if (answered === 404) {
      return {
        name,
        status: 'skip',
        detail: 'no listing here (GET /models answered 404); the registry is used as it is',
      };
    }
    const why =
      answered === undefined
        ? reason(error)
        : answered === 200
          ? 'GET /models sent a list we could not read'
          : `GET /models answered ${answered}`;
    return { name, status: 'warn', detail: `not listed: ${why}; the registry is used as it is` };
  }
}

/** Where links to results too large to upload point, and a warning when people outside cannot open them. */
export function checkMediaLinks(config: Config): CheckResult {
  const links = describeMediaLinks(config.media);
  const where: Record<typeof links.kind, string> = {
    'public-storage': 'presigned on the public storage address',
    'signed-route': 'signed links through this bot’s /media route',
    storage: 'presigned on the storage endpoint',
    provider: 'Higgsfield’s own URLs',
  };
  const detail = `${where[links.kind]}${links.origin ? ` (${links.origin})` : ''}`;
  return links.warning
    ? { name: 'Links to results', status: 'warn', detail: links.warning }
    : { name: 'Links to results', status: 'ok', detail };
}

export async function checkMedia(config: Config): Promise<CheckResult[]> {
  const links = checkMediaLinks(config);
  return [...(await checkMediaStore(config)), links];
}

async function checkMediaStore(config: Config): Promise<CheckResult[]> {
  const { s3, dir } = config.media;
  if (s3) {
    const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
    const { createS3Client } = await import('../media/s3-client.js');
    const client = createS3Client(s3);
    try {
      await client.send(new HeadBucketCommand({ Bucket: s3.bucket }), { abortSignal: AbortSignal.timeout(TIMEOUT_MS) });
      return [{ name: 'Media storage', status: 'ok', detail: `S3 bucket ${s3.bucket} reachable` }];
    } catch (error) {
      return [{ name: 'Media storage', status: 'fail', detail: `S3 bucket ${s3.bucket} not usable: ${reason(error)}` }];
    } finally {
      client.destroy();
    }
  }
  const probe = join(dir, `.doctor-${randomUUID()}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe);
    return [{ name: 'Media storage', status: 'ok', detail: `local folder ${dir} is writable` }];
  } catch (error) {
    return [{ name: 'Media storage', status: 'fail', detail: `local folder ${dir} is not writable: ${reason(error)}` }];
  }
}

export async function checkAnthropic(config: Config): Promise<CheckResult[]> {
  const name = 'Claude (Anthropic)';
  const { apiKey, baseUrl, model } = config.anthropic;
  if (!apiKey) return [{ name, status: 'skip', detail: 'no ANTHROPIC_API_KEY: the offline recommender is used' }];
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const client = new Anthropic({
    apiKey,
    maxRetries: 0,
    timeout: TIMEOUT_MS,
    ...(baseUrl ? { baseURL: baseUrl } : {}),
  });
  try {
    await client.models.retrieve(model);
    return [{ name, status: 'ok', detail: `key valid, model ${model} available` }];
  } catch (error) {
    return [{ name, status: 'fail', detail: `${model} not usable: ${reason(error)}` }];
  }
}

/** A URL with any password replaced, for printing. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString().replace(/\/$/, '');
  } catch {
    return raw;
  }
}

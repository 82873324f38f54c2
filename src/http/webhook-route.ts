/**
 * POST /webhooks/higgsfield: verify (401, never retried upstream), validate (400), dedupe on webhook-id
 * with SET NX EX in Redis, then hand the status to `onStatus`. If onStatus fails the seen-key is deleted
 * and we answer 500, so Higgsfield's retry (same webhook-id) is processed instead of dropped as a replay.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { ProviderRequest } from '../core/provider.js';
import { requestStatusWire, toHfRequest } from '../higgsfield/wire.js';
import type { Logger } from '../log.js';
import { readBody, sendJson, sendTooLarge } from './http-server.js';
import { WebhookVerificationError, type WebhookVerifier } from './webhook-verifier.js';

export const WEBHOOK_PATH = '/webhooks/higgsfield';
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
/** Longer than any retry window Higgsfield documents (2 h) and the ±5 min signature tolerance. */
export const WEBHOOK_SEEN_TTL_S = 86_400;

export interface WebhookMeta {
  webhookId: string;
}

export interface HiggsfieldWebhookHandlerOptions {
  verifier: WebhookVerifier;
  redis: Redis;
  keyPrefix: string;
  /** The request's status, in core's terms (a Higgsfield status maps onto ProviderRequest as it is). */
  onStatus: (status: ProviderRequest, meta: WebhookMeta) => Promise<void>;
  logger: Logger;
}

export function seenKey(keyPrefix: string, webhookId: string): string {
  return `${keyPrefix}:webhook-seen:${webhookId}`;
}

export function createHiggsfieldWebhookHandler(
  options: HiggsfieldWebhookHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { verifier, redis, keyPrefix, onStatus } = options;
  const log = options.logger.child({ module: 'webhook' });

  return async (req, res) => {
    const read = await readBody(req, MAX_WEBHOOK_BODY_BYTES);
    if (!read.ok) {
      log.warn({ contentLength: req.headers['content-length'] }, 'webhook body too large');
      sendTooLarge(res, MAX_WEBHOOK_BODY_BYTES);
      return;
    }

    let webhookId: string;
    let payload: unknown;
    try {
      ({ webhookId, payload } = verifier.verify(read.body, req.headers));
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      log.warn({ reason: err.reason, remote: req.socket.remoteAddress }, 'webhook rejected');
      sendJson(res, 401, { error: `webhook rejected: ${err.reason}` });
      return;
    }

    const parsed = requestStatusWire.safeParse(payload);
    if (!parsed.success) {
      log.warn({ webhookId, issues: parsed.error.issues.length }, 'webhook payload is not a request status');
      sendJson(res, 400, { error: 'payload is not a Higgsfield request status' });
      return;
    }
    const status = toHfRequest(parsed.data);
    const logFields = { webhookId, requestId: status.requestId, status: status.status };

    const key = seenKey(keyPrefix, webhookId);
    const fresh = await redis.set(key, '1', 'EX', WEBHOOK_SEEN_TTL_S, 'NX');
    if (fresh === null) {
      log.info(logFields, 'webhook replay ignored');
      sendJson(res, 200, { ok: true, duplicate: true });
      return;
    }

    try {
      await onStatus(status, { webhookId });
    } catch (err) {
      log.error({ ...logFields, err }, 'webhook handling failed; asking Higgsfield to retry');
      try {
        await redis.del(key);
      } catch (delErr) {
        log.error({ ...logFields, err: delErr }, 'could not forget webhook id; its retry will look like a replay');
      }
      sendJson(res, 500, { error: 'internal error' });
      return;
    }
    log.info(logFields, 'webhook accepted');
    sendJson(res, 200, { ok: true });
  };
}

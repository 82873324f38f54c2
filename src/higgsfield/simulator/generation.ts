/**
 * Handlers for the v2 request surface: submit, estimate, status, cancel, delete and the media of
 * completed requests. Order of checks on submit follows the docs: rejected calls (bad key, unknown
 * model, invalid body, concurrency) never consume an Idempotency-Key; a replay bypasses the limit.
 */
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { findModel, type ModelSpec } from '../models/registry.js';
import type { SimContext } from './context.js';
import { type Exchange, HttpError, issuesToDetail, parseJson, readBody, validationError } from './http-io.js';
import { mp4Stream, renderPng } from './media.js';
import {
  canonicalJson,
  FAIL_MESSAGE,
  isTerminal,
  outcomeFromPrompt,
  outputCount,
  type SimRequest,
  statusBody,
  statusOf,
  terminalAt,
} from './store.js';

const JSON_LIMIT = 1024 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function modelOr404(modelId: string): ModelSpec {
  const model = findModel(modelId);
  if (!model) throw new HttpError(404, 'Model not found');
  return model;
}

function validate(model: ModelSpec, raw: unknown): Record<string, unknown> {
  const result = model.schema.safeParse(raw, { reportInput: true });
  if (!result.success) throw validationError(issuesToDetail(result.error.issues));
  return result.data;
}

function webhookFromQuery(ex: Exchange): string | undefined {
  const value = ex.query.get('hf_webhook');
  if (value === null) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw validationError([
      { loc: ['query', 'hf_webhook'], msg: 'Input should be a valid URL', type: 'url_parsing', input: value },
    ]);
  }
  return value;
}

/** `POST /{model_id}`. */
export async function submit(ctx: SimContext, ex: Exchange, modelId: string): Promise<void> {
  ctx.stats.submitCalls++;
  const key = ex.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    const msg = 'Idempotency-Key must be 1 to 255 visible ASCII characters';
    throw validationError([{ loc: ['header', 'Idempotency-Key'], msg, type: 'value_error', input: key }]);
  }
  const model = modelOr404(modelId);
  const raw = parseJson(await readBody(ex.req, JSON_LIMIT));
  const webhookUrl = webhookFromQuery(ex);
  const fingerprint = canonicalJson({ model: model.id, body: raw, webhook: webhookUrl ?? null });
  if (key !== undefined) {
    const prior = ctx.store.byIdempotencyKey(key);
    if (prior && prior.fingerprint !== fingerprint) {
      throw new HttpError(422, 'Idempotency-Key was reused with different parameters');
    }
    if (prior) {
      ex.json(200, statusBody(prior.request, ctx.baseUrl, Date.now()));
      return;
    }
  }
  const params = validate(model, raw);
  const now = Date.now();
  const limit = ctx.settings.maxConcurrent;
  if (ctx.store.active(now) >= limit) {
    throw new HttpError(
      400,
      `Maximum number of concurrent requests (${limit}) has been reached. Wait for an existing request to reach a terminal status.`,
    );
  }
  const outcome = ctx.scripts.shift() ?? outcomeFromPrompt(params.prompt);
  const timing = ctx.settings.timings[model.id] ?? {};
  const req: SimRequest = {
    id: randomUUID(),
    model,
    outcome: outcome.status,
    error: outcome.error ?? FAIL_MESSAGE,
    createdAtMs: now,
    queuedMs: outcome.queuedMs ?? timing.queuedMs ?? ctx.settings.queuedMs,
    inProgressMs: outcome.inProgressMs ?? timing.inProgressMs ?? ctx.settings.inProgressMs,
    videoSizeBytes: outcome.videoSizeBytes ?? ctx.settings.videoSizeBytes,
    outputs: outputCount(model, params),
    idempotencyKey: key,
    webhookUrl,
    canceledAtMs: undefined,
    deleted: false,
    statusReads: 0,
    unschedule: undefined,
  };
  ctx.store.add(req, key === undefined ? undefined : fingerprint);
  ctx.stats.requestsCreated++;
  scheduleWebhook(ctx, req);
  ctx.logger.debug({ requestId: req.id, model: model.id, outcome: req.outcome }, 'simulator request created');
  ex.json(200, {
    status: 'queued',
    request_id: req.id,
    status_url: `${ctx.baseUrl}/requests/${req.id}/status`,
    cancel_url: `${ctx.baseUrl}/requests/${req.id}/cancel`,
  });
}

function scheduleWebhook(ctx: SimContext, req: SimRequest): void {
  const url = req.webhookUrl;
  const at = terminalAt(req);
  if (url === undefined || at === undefined) return;
  req.unschedule = ctx.timers.set(() => {
    req.unschedule = undefined;
    // A timer may fire a hair early against Date.now(); judge the request at its terminal instant.
    const when = Math.max(Date.now(), at);
    if (statusOf(req, when) === 'canceled') return;
    ctx.webhooks.deliver(req.id, url, statusBody(req, ctx.baseUrl, when));
  }, at - Date.now());
}

/** `POST /estimate/{model_id}`: validated like a submit, no side effects. */
export async function estimate(ex: Exchange, modelId: string): Promise<void> {
  const model = modelOr404(modelId);
  const params = validate(model, parseJson(await readBody(ex.req, JSON_LIMIT)));
  const spread = [...model.id].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  const credits =
    model.output === 'image'
      ? (2 + (spread % 5)) * outputCount(model, params)
      : Math.min(60, Math.max(10, Math.round(model.typicalSeconds / 3)));
  ex.json(200, { credits, usd: credits * 0.0625 });
}

function requestOr404(ctx: SimContext, id: string): SimRequest {
  const req = ctx.store.get(id);
  if (!req) throw new HttpError(404, 'Request not found');
  return req;
}

/** `GET /requests/{id}/status`. */
export function status(ctx: SimContext, ex: Exchange, id: string): void {
  ctx.stats.statusReads++;
  const req = requestOr404(ctx, id);
  req.statusReads++;
  ex.json(200, statusBody(req, ctx.baseUrl, Date.now()));
}

/** `POST /requests/{id}/cancel`: 202 while queued, 400 once started. */
export function cancel(ctx: SimContext, ex: Exchange, id: string): void {
  ctx.stats.cancelCalls++;
  const req = requestOr404(ctx, id);
  const now = Date.now();
  if (statusOf(req, now) !== 'queued') throw new HttpError(400, 'Request cannot be canceled: it has already started');
  req.canceledAtMs = now;
  req.unschedule?.();
  req.unschedule = undefined;
  ex.empty(202);
}

/** `DELETE /requests/{id}`: finished requests only; idempotent; their media are gone afterwards. */
export function remove(ctx: SimContext, ex: Exchange, id: string): void {
  const req = requestOr404(ctx, id);
  if (!isTerminal(statusOf(req, Date.now()))) {
    throw new HttpError(400, 'Request cannot be deleted: it has not reached a terminal status');
  }
  req.deleted = true;
  ex.json(200, { request_id: req.id, deleted: true });
}

/** `GET /media/<id>/<n>.png` and `GET /media/<id>/video.mp4` (no auth). */
export async function media(ctx: SimContext, ex: Exchange, id: string, file: string): Promise<void> {
  const req = ctx.store.get(id);
  if (!req || req.deleted || statusOf(req, Date.now()) !== 'completed') throw new HttpError(404, 'Not Found');
  if (req.model.output === 'video' && file === 'video.mp4') {
    ex.head(200, { 'Content-Type': 'video/mp4', 'Content-Length': req.videoSizeBytes, 'Accept-Ranges': 'none' });
    if (ex.method === 'HEAD') ex.res.end();
    else await pipeline(mp4Stream(req.videoSizeBytes), ex.res);
    return;
  }
  const index = /^(\d+)\.png$/.exec(file)?.[1];
  if (req.model.output !== 'image' || index === undefined || Number(index) >= req.outputs) {
    throw new HttpError(404, 'Not Found');
  }
  ex.bytes(200, 'image/png', renderPng(`${req.id}/${index}`));
}

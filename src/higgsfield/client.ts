/**
 * The Higgsfield v2 client: submit, status, cancel, delete, uploads, catalogs, estimates. Bodies are
 * validated against the model registry before any call. GETs are retried with backoff and jitter; a
 * submit is retried only when it carries an Idempotency-Key, so a retry can never pay twice.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { type BackoffPolicy, retry } from '../retry.js';
import { badResponseError, HiggsfieldError } from './errors.js';
import { validateRequest } from './models/registry.js';
import { type CallOptions, createTransport, type HiggsfieldCredentials, type Transport } from './transport.js';
import {
  type CatalogEntry,
  estimateWire,
  type HfRequest,
  modelListWire,
  motionWire,
  requestStatusWire,
  styleWire,
  toCatalogEntry,
  toHfRequest,
  uploadUrlWire,
} from './wire.js';

export type { HiggsfieldCredentials } from './transport.js';
export type { CatalogEntry, HfRequest } from './wire.js';

export interface HiggsfieldClientOptions {
  baseUrl: string;
  credentials: HiggsfieldCredentials;
  logger: Logger;
  /** undici dispatcher, e.g. a MockAgent in unit tests or a proxy agent. */
  dispatcher?: Dispatcher;
  /** Per-call timeout for JSON calls. */
  timeoutMs?: number;
  /** Per-call timeout for uploads of input files. */
  uploadTimeoutMs?: number;
  /** Retries of safe calls: total attempts and the backoff curve. */
  retry?: Partial<BackoffPolicy & { attempts: number }>;
}

export interface CallSignal {
  signal?: AbortSignal;
}

export interface SubmitOptions extends CallSignal {
  /** Our generation id: resubmits with it return the original request instead of a new charge. */
  idempotencyKey?: string;
  /** Where Higgsfield posts the terminal status (`?hf_webhook=`). */
  webhookUrl?: string;
  /** Shorten output retention at Higgsfield (`Hf-Expires-After`, seconds, ≥ 3600). */
  expiresAfterS?: number;
}

export interface UploadTarget {
  publicUrl: string;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
}

const DEFAULT_RETRY = { attempts: 4, baseMs: 500, factor: 2, maxMs: 8_000, jitterRatio: 0.5 };

export class HiggsfieldClient {
  private readonly call: Transport;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;
  private readonly retryPolicy: typeof DEFAULT_RETRY;

  constructor(options: HiggsfieldClientOptions) {
    this.log = options.logger.child({ module: 'higgsfield' });
    this.call = createTransport({ ...options, logger: this.log });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Queue a generation. The body is validated (and defaulted) against the registry first. */
  async submit(modelId: string, body: Readonly<Record<string, unknown>>, opts: SubmitOptions = {}): Promise<HfRequest> {
    const params = validateRequest(modelId, body);
    const headers: Record<string, string> = {};
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    if (opts.expiresAfterS) headers['hf-expires-after'] = String(opts.expiresAfterS);
    const request: CallOptions = {
      method: 'POST',
      path: `/${modelId}`,
      query: { hf_webhook: opts.webhookUrl },
      json: params,
      headers,
      timeoutMs: this.timeoutMs,
      signal: opts.signal,
    };
    const safeToRetry = opts.idempotencyKey !== undefined;
    const res = await this.send(request, safeToRetry);
    const result = this.parse(requestStatusWire, res, 'submit response');
    this.log.info({ modelId, requestId: result.request_id, correlationId: res.correlationId }, 'submitted');
    return toHfRequest(result);
  }

  async status(requestId: string, opts: CallSignal = {}): Promise<HfRequest> {
    const res = await this.get(`/requests/${encodeURIComponent(requestId)}/status`, opts.signal);
    return toHfRequest(this.parse(requestStatusWire, res, 'status response'));
  }

  /** Cancel a request that is still `queued`; HF_CANCEL_TOO_LATE once it has started. */
  async cancel(requestId: string, opts: CallSignal = {}): Promise<void> {
    try {
      await this.call({
        method: 'POST',
        path: `/requests/${encodeURIComponent(requestId)}/cancel`,
        timeoutMs: this.timeoutMs,
        signal: opts.signal,
        // A 400 means "already started": the person is told so, it is no fault worth a warning.
        answerStatuses: [400],
      });
    } catch (error) {
      if (error instanceof HiggsfieldError && error.status === 400) {
        throw new HiggsfieldError(ErrorCode.HfCancelTooLate, 'The request has already started and cannot be canceled', {
          kind: 'bad_input',
          retryable: false,
          userMessage: 'Too late to cancel: Higgsfield has already started rendering this one.',
          status: 400,
          detail: error.detail,
          cause: error,
          ...(error.correlationId ? { correlationId: error.correlationId } : {}),
        });
      }
      throw error;
    }
  }

  /** Delete a finished request's inputs and outputs at Higgsfield (billing is kept). */
  async deleteRequest(requestId: string, opts: CallSignal = {}): Promise<void> {
    await this.call({
      method: 'DELETE',
      path: `/requests/${encodeURIComponent(requestId)}`,
      timeoutMs: this.timeoutMs,
      signal: opts.signal,
    });
  }

  async createUploadUrl(contentType: string, opts: CallSignal = {}): Promise<UploadTarget> {
    const res = await this.call({
      method: 'POST',
      path: '/files/generate-upload-url',
      json: { content_type: contentType },
      timeoutMs: this.timeoutMs,
      signal: opts.signal,
    });
    const wire = this.parse(uploadUrlWire, res, 'upload-url response');
    return {
      publicUrl: wire.public_url,
      uploadUrl: wire.upload_url,
      uploadHeaders: wire.upload_headers ?? { 'Content-Type': contentType },
    };
  }

  /**
   * Host an input file at Higgsfield: get an upload URL, PUT the bytes with every header it asks for
   * (and no credentials), return the public URL to pass as `image_url`.
   */
  async uploadFile(
    body: Buffer | Readable,
    contentType: string,
    opts: CallSignal & { sizeBytes?: number } = {},
  ): Promise<string> {
    const target = await this.createUploadUrl(contentType, opts);
    const headers = { ...lowerKeys(target.uploadHeaders) };
    if (opts.sizeBytes !== undefined) headers['content-length'] = String(opts.sizeBytes);
    await this.call({
      method: 'PUT',
      path: target.uploadUrl,
      body,
      headers,
      authenticated: false,
      timeoutMs: this.uploadTimeoutMs,
      signal: opts.signal,
    });
    return target.publicUrl;
  }

  async listStyles(opts: CallSignal = {}): Promise<CatalogEntry[]> {
    const res = await this.get('/v1/text2image/soul-styles/v2', opts.signal);
    return this.parse(z.array(styleWire), res, 'style catalog').map(toCatalogEntry);
  }

  async listMotions(opts: CallSignal = {}): Promise<CatalogEntry[]> {
    const res = await this.get('/v1/motions', opts.signal);
    return this.parse(z.array(motionWire), res, 'motion catalog').map(toCatalogEntry);
  }

  /** Model slugs this key may call; also the cheapest authenticated call, used by `doctor`. */
  async listModels(opts: CallSignal = {}): Promise<string[]> {
    const res = await this.get('/models', opts.signal);
    const list = this.parse(modelListWire, res, 'model list');
    return list.map((m) => m.slug ?? m.id ?? '').filter((s) => s.length > 0);
  }

  /** Credits (and USD) a submit would cost; free, no side effect. */
  async estimate(modelId: string, body: Readonly<Record<string, unknown>>, opts: CallSignal = {}) {
    const params = validateRequest(modelId, body);
    const res = await this.send(
      { method: 'POST', path: `/estimate/${modelId}`, json: params, timeoutMs: this.timeoutMs, signal: opts.signal },
      true,
    );
    return this.parse(estimateWire, res, 'estimate');
  }

  private get(path: string, signal: AbortSignal | undefined) {
    return this.send({ method: 'GET', path, timeoutMs: this.timeoutMs, signal }, true);
  }

  private send(request: CallOptions, safeToRetry: boolean) {
    if (!safeToRetry) return this.call(request);
    return retry(() => this.call(request), {
      ...this.retryPolicy,
      ...(request.signal ? { signal: request.signal } : {}),
      shouldRetry: (error) => error instanceof HiggsfieldError && error.retryable,
      onRetry: (error, attempt, delayMs) =>
        this.log.warn(
          { path: request.path, attempt, delayMs, code: error instanceof HiggsfieldError ? error.code : undefined },
          'retrying higgsfield call',
        ),
    });
  }

  private parse<T extends z.ZodType>(schema: T, res: { body: unknown; correlationId?: string }, what: string) {
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw badResponseError(what, parsed.error, res.correlationId);
    return parsed.data as z.infer<T>;
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

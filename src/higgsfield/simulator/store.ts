/**
 * Simulated requests. Status is never stored: it is computed from the clock (created + queuedMs +
 * inProgressMs), so polling at any rate sees the same lifecycle; only a cancel is recorded. Idempotency
 * fingerprints use the raw body with keys sorted recursively, so key order is irrelevant but null vs
 * omitted is not.
 */
import type { ModelSpec } from '../models/registry.js';
import type { ScriptedOutcome, SimRequestInfo, SimStatus } from './types.js';

export const FAIL_MESSAGE = 'Simulated failure: the model could not render this prompt';

export interface SimRequest {
  readonly id: string;
  readonly model: ModelSpec;
  readonly outcome: ScriptedOutcome['status'];
  readonly error: string;
  readonly createdAtMs: number;
  readonly queuedMs: number;
  readonly inProgressMs: number;
  readonly videoSizeBytes: number;
  /** Number of images for an image model (batch_size or num_images, default 1). */
  readonly outputs: number;
  readonly idempotencyKey: string | undefined;
  readonly webhookUrl: string | undefined;
  canceledAtMs: number | undefined;
  deleted: boolean;
  statusReads: number;
  /** Clears the pending webhook timer, if any. */
  unschedule: (() => void) | undefined;
}

export const isTerminal = (status: SimStatus): boolean => status !== 'queued' && status !== 'in_progress';

export function statusOf(req: SimRequest, now: number): SimStatus {
  if (req.canceledAtMs !== undefined) return 'canceled';
  const elapsed = now - req.createdAtMs;
  if (elapsed < req.queuedMs) return 'queued';
  if (req.outcome === 'stuck' || elapsed < req.queuedMs + req.inProgressMs) return 'in_progress';
  return req.outcome;
}

export function terminalAt(req: SimRequest): number | undefined {
  if (req.canceledAtMs !== undefined) return req.canceledAtMs;
  if (req.outcome === 'stuck') return undefined;
  return req.createdAtMs + req.queuedMs + req.inProgressMs;
}

/** The outcome named by a prompt marker (`sim:nsfw`, `sim:fail`, `sim:stuck`), else completed. */
export function outcomeFromPrompt(prompt: unknown): ScriptedOutcome {
  const text = typeof prompt === 'string' ? prompt : '';
  if (text.includes('sim:nsfw')) return { status: 'nsfw' };
  if (text.includes('sim:fail')) return { status: 'failed', error: FAIL_MESSAGE };
  if (text.includes('sim:stuck')) return { status: 'stuck' };
  return { status: 'completed' };
}

export function outputCount(model: ModelSpec, params: Record<string, unknown>): number {
  if (model.output !== 'image') return 1;
  const n = Number(params.batch_size ?? params.num_images ?? 1);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** JSON with object keys sorted at every depth; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** The v2 status body for the request as it is at `now`. */
export function statusBody(req: SimRequest, baseUrl: string, now: number): Record<string, unknown> {
  const status = statusOf(req, now);
  const request_id = req.id;
  switch (status) {
    case 'failed':
      return { status, request_id, error: req.error };
    case 'nsfw':
    case 'canceled':
      return { status, request_id };
    default:
      break;
  }
  const body: Record<string, unknown> = {
    status,
    request_id,
    status_url: `${baseUrl}/requests/${req.id}/status`,
    cancel_url: `${baseUrl}/requests/${req.id}/cancel`,
  };
  if (status !== 'completed') return body;
  const media = `${baseUrl}/media/${req.id}`;
  if (req.model.output === 'video') body.video = { url: `${media}/video.mp4` };
  else body.images = Array.from({ length: req.outputs }, (_, n) => ({ url: `${media}/${n}.png` }));
  return body;
}

export function toInfo(req: SimRequest, now: number): SimRequestInfo {
  return {
    id: req.id,
    modelId: req.model.id,
    status: statusOf(req, now),
    createdAtMs: req.createdAtMs,
    terminalAtMs: terminalAt(req),
    idempotencyKey: req.idempotencyKey,
    webhookUrl: req.webhookUrl,
    statusReads: req.statusReads,
  };
}

interface KeyEntry {
  readonly fingerprint: string;
  readonly requestId: string;
}

export class RequestStore {
  readonly byId = new Map<string, SimRequest>();
  private readonly keys = new Map<string, KeyEntry>();

  add(req: SimRequest, fingerprint: string | undefined): void {
    this.byId.set(req.id, req);
    if (req.idempotencyKey !== undefined && fingerprint !== undefined) {
      this.keys.set(req.idempotencyKey, { fingerprint, requestId: req.id });
    }
  }

  get(id: string): SimRequest | undefined {
    return this.byId.get(id);
  }

  all(): SimRequest[] {
    return [...this.byId.values()];
  }

  byIdempotencyKey(key: string): { fingerprint: string; request: SimRequest } | undefined {
    const entry = this.keys.get(key);
    const request = entry ? this.byId.get(entry.requestId) : undefined;
    return entry && request ? { fingerprint: entry.fingerprint, request } : undefined;
  }

  /** Requests counting against the concurrency limit (queued or in_progress now). */
  active(now: number): number {
    let n = 0;
    for (const req of this.byId.values()) if (!isTerminal(statusOf(req, now))) n++;
    return n;
  }
}

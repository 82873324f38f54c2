/**
 * Higgsfield's HTTP error table mapped to typed errors (reference §7.1). 401/403/404/422 are final;
 * 423/429/503/5xx, timeouts and network failures are retryable; the account concurrency limit is a 400
 * recognised by its message and kept distinct, because it means "wait for a slot", not "fail".
 */
import { AppError, ErrorCode as Code, type ErrorCode, type ErrorKind } from '../errors.js';
import { errorBodyWire } from './wire.js';

export interface HiggsfieldErrorInit {
  kind: ErrorKind;
  retryable: boolean;
  userMessage?: string;
  status?: number;
  correlationId?: string;
  detail?: unknown;
  cause?: unknown;
}

export class HiggsfieldError extends AppError {
  readonly status: number | undefined;
  readonly correlationId: string | undefined;
  readonly detail: unknown;

  constructor(code: ErrorCode, message: string, init: HiggsfieldErrorInit) {
    super(code, message, {
      kind: init.kind,
      retryable: init.retryable,
      ...(init.userMessage === undefined ? {} : { userMessage: init.userMessage }),
      cause: init.cause,
    });
    this.status = init.status;
    this.correlationId = init.correlationId;
    this.detail = init.detail;
  }
}

const CONCURRENCY_PATTERN = /concurren|maximum number of (concurrent|active)|existing request to reach a terminal/i;

/** `detail` as one readable line: a string, or `field: message` pairs from a validation list. */
export function describeDetail(body: unknown): string {
  const parsed = errorBodyWire.safeParse(body);
  if (!parsed.success) return typeof body === 'string' && body.length > 0 ? body.slice(0, 300) : 'no details given';
  const { detail } = parsed.data;
  if (typeof detail === 'string') return detail;
  return detail
    .map((d) => {
      const field = (d.loc ?? []).filter((p) => p !== 'body').join('.');
      return field ? `${field}: ${d.msg}` : d.msg;
    })
    .join('; ');
}

export function errorFromResponse(status: number, body: unknown, correlationId?: string): HiggsfieldError {
  const detail = describeDetail(body);
  const base = { status, detail: body, ...(correlationId ? { correlationId } : {}) };
  const make = (code: ErrorCode, kind: ErrorKind, retryable: boolean, userMessage?: string) =>
    new HiggsfieldError(code, `Higgsfield answered ${status}: ${detail}`, {
      ...base,
      kind,
      retryable,
      ...(userMessage ? { userMessage } : {}),
    });

  if (status === 400 && CONCURRENCY_PATTERN.test(detail)) {
    return make(
      Code.HfConcurrencyLimit,
      'unavailable',
      false,
      'Higgsfield is busy with our other generations; this one will start as soon as a slot frees up.',
    );
  }
  switch (status) {
    case 400:
      return make(Code.HfBadRequest, 'bad_input', false, `Higgsfield did not accept this request: ${detail}`);
    case 401:
      return make(
        Code.HfAuth,
        'config',
        false,
        'The bot’s Higgsfield credentials were rejected. Please tell whoever runs it.',
      );
    case 402:
    case 403:
      return make(
        Code.HfForbidden,
        'refused',
        false,
        'Higgsfield refused this request: the account is out of credits or has no access to this model.',
      );
    case 404:
      return make(Code.HfNotFound, 'failed', false, 'Higgsfield does not know this model or request.');
    case 422:
      return make(Code.HfValidation, 'bad_input', false, `Higgsfield did not accept the parameters: ${detail}`);
    case 423:
      return make(Code.HfModelBlocked, 'unavailable', true, 'This model is temporarily blocked at Higgsfield.');
    case 429:
      return make(Code.HfRateLimited, 'unavailable', true);
    case 503:
      return make(Code.HfUnavailable, 'unavailable', true);
    default:
      return status >= 500
        ? make(Code.HfServer, 'unavailable', true)
        : make(Code.HfBadRequest, 'failed', false, `Higgsfield answered ${status}: ${detail}`);
  }
}

export function networkError(cause: unknown): HiggsfieldError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new HiggsfieldError(Code.HfNetwork, `Could not reach Higgsfield: ${reason}`, {
    kind: 'unavailable',
    retryable: true,
    cause,
  });
}

export function timeoutError(timeoutMs: number, cause?: unknown): HiggsfieldError {
  return new HiggsfieldError(Code.HfTimeout, `Higgsfield did not answer within ${timeoutMs} ms`, {
    kind: 'unavailable',
    retryable: true,
    cause,
  });
}

export function badResponseError(what: string, cause: unknown, correlationId?: string): HiggsfieldError {
  return new HiggsfieldError(Code.HfBadResponse, `Higgsfield sent an unexpected ${what}`, {
    kind: 'unavailable',
    retryable: false,
    cause,
    ...(correlationId ? { correlationId } : {}),
  });
}

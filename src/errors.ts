/**
 * Typed errors. Every error we raise carries a machine `code`, a `kind` that tells adapters how to talk
 * about it, and a `userMessage` safe to show in chat. Anything that is not an AppError is a bug: people
 * see a short apology with a reference id, never a stack trace.
 */
import { randomBytes } from 'node:crypto';

export const ErrorCode = {
  ConfigInvalid: 'CONFIG_INVALID',
  BadInput: 'BAD_INPUT',
  Aborted: 'ABORTED',
  HfAuth: 'HF_AUTH',
  HfForbidden: 'HF_FORBIDDEN',
  HfNotFound: 'HF_NOT_FOUND',
  HfValidation: 'HF_VALIDATION',
  HfBadRequest: 'HF_BAD_REQUEST',
  HfConcurrencyLimit: 'HF_CONCURRENCY_LIMIT',
  HfCancelTooLate: 'HF_CANCEL_TOO_LATE',
  HfModelBlocked: 'HF_MODEL_BLOCKED',
  HfUnavailable: 'HF_UNAVAILABLE',
  HfRateLimited: 'HF_RATE_LIMITED',
  HfServer: 'HF_SERVER',
  HfNetwork: 'HF_NETWORK',
  HfTimeout: 'HF_TIMEOUT',
  HfBadResponse: 'HF_BAD_RESPONSE',
  Internal: 'INTERNAL',
  WebhookInvalid: 'WEBHOOK_INVALID',
  MediaTooLarge: 'MEDIA_TOO_LARGE',
  MediaFetchFailed: 'MEDIA_FETCH_FAILED',
  MediaBadType: 'MEDIA_BAD_TYPE',
  MediaNotFound: 'MEDIA_NOT_FOUND',
  MediaStoreFailed: 'MEDIA_STORE_FAILED',
  PlatformForbidden: 'PLATFORM_FORBIDDEN',
  PlatformRejected: 'PLATFORM_REJECTED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** How a person should hear about the error. */
export type ErrorKind =
  | 'bad_input' // the person can fix it by asking differently
  | 'refused' // the provider refused (credits, moderation, access)
  | 'failed' // the provider tried and failed
  | 'unavailable' // try again later
  | 'config' // the operator must fix the deployment
  | 'internal'; // a bug on our side

export interface AppErrorOptions {
  kind: ErrorKind;
  userMessage?: string;
  retryable?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly userMessage: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = options.kind;
    this.retryable = options.retryable ?? false;
    this.userMessage = options.userMessage ?? defaultUserMessage(options.kind);
  }
}

/** Input a person gave us that we refuse before spending anything. The message is for them. */
export class BadInputError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.BadInput, message, { kind: 'bad_input', userMessage: message, cause });
  }
}

export interface ConfigIssue {
  variable: string;
  problem: string;
  expected: string;
}

/** Every invalid or missing environment variable, reported together. */
export class ConfigError extends AppError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.variable}: ${i.problem}. Expected: ${i.expected}`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const message = `Configuration is invalid (${count}):\n${lines.join('\n')}`;
    super(ErrorCode.ConfigInvalid, message, { kind: 'config', userMessage: message });
    this.issues = issues;
  }
}

/** The caller's AbortSignal fired. Never retried, never reported as a failure of the provider. */
export class AbortedError extends AppError {
  constructor(message = 'The operation was aborted', cause?: unknown) {
    super(ErrorCode.Aborted, message, { kind: 'internal', cause });
  }
}

function defaultUserMessage(kind: ErrorKind): string {
  switch (kind) {
    case 'bad_input':
      return 'That request could not be used. Please rephrase it and try again.';
    case 'refused':
      return 'Higgsfield refused this request.';
    case 'failed':
      return 'The generation failed at Higgsfield.';
    case 'unavailable':
      return 'Higgsfield is not available right now. Please try again in a few minutes.';
    case 'config':
      return 'The bot is not configured correctly. Please tell whoever runs it.';
    case 'internal':
      // Never shown: toUserMessage answers a bug with an apology that carries a reference id.
      return apology();
  }
}

/** The apology for a bug, with the reference a person can quote when there is one. */
export function apology(referenceId?: string): string {
  return referenceId
    ? `Something went wrong on our side (reference ${referenceId}). Please try again.`
    : 'Something went wrong on our side. Please try again.';
}

/** What a person reads while our own Redis (queues, options, memory) cannot be reached. */
export const BRIEFLY_UNAVAILABLE_TEXT =
  'Higgsbot is briefly unavailable (it cannot reach its queue). Nothing was started; please try again in a moment.';

/** Our own store (Redis) is unreachable: the person should simply try again shortly. */
export class ServiceUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.ServiceUnavailable, message, {
      kind: 'unavailable',
      retryable: true,
      userMessage: BRIEFLY_UNAVAILABLE_TEXT,
      cause,
    });
  }
}

/**
 * Errors ioredis raises while the connection is down or being re-established (fail-fast clients refuse at
 * once; others give up after their retries). They are an outage, not a bug.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN'].includes(code))
    return true;
  return /Stream isn't writeable|Connection is closed|Reached the max retries per request|connect ETIMEDOUT/.test(
    error.message,
  );
}

/** A short, unguessable id a person can quote and an operator can find in the logs. */
export function newReferenceId(): string {
  return randomBytes(5).toString('hex');
}

/**
 * The one rule for what a person reads about an error: its own user message when it is one of ours and not
 * a bug, "briefly unavailable" for an outage of our Redis, else an apology with a reference id to quote.
 */
export function toUserMessage(error: unknown, referenceId: string): string {
  if (error instanceof AppError && error.kind !== 'internal') return error.userMessage;
  if (isConnectionError(error)) return BRIEFLY_UNAVAILABLE_TEXT;
  return apology(referenceId);
}

/**
 * The answer to a person when handling their action failed: logs it once (with a fresh reference id when it
 * is a bug, so the id in the chat finds the log line) and returns the words to show.
 */
export function reportFailure(
  logger: { error(details: object, message: string): void; warn(details: object, message: string): void },
  error: unknown,
  context: object,
): string {
  const reference = newReferenceId();
  const text = toUserMessage(error, reference);
  if (error instanceof AppError && error.kind !== 'internal') return text;
  if (isConnectionError(error)) {
    logger.warn({ ...context, err: error }, 'our Redis is unreachable; told the person to try again shortly');
  } else {
    logger.error({ ...context, err: error, reference }, 'handling an action failed');
  }
  return text;
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

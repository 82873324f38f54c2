/**
 * Discord's JSON error replies as a throwable: handlers `throw new ApiError(...)` and the server turns it into
 * `{ code, message, errors? }` with the right status. Messages match Discord's wording where known, because
 * @discordjs/rest copies them into `DiscordAPIError.message` and adapters may log or match them.
 */

const KNOWN_MESSAGES: Record<number, string> = {
  0: 'General error',
  10003: 'Unknown Channel',
  10004: 'Unknown Guild',
  10007: 'Unknown Member',
  10008: 'Unknown Message',
  10013: 'Unknown User',
  10015: 'Unknown Webhook',
  10062: 'Unknown interaction',
  20009: 'Explicit content cannot be sent to the desired recipient(s)',
  40005: 'Request entity too large',
  40060: 'Interaction has already been acknowledged.',
  50001: 'Missing Access',
  50005: 'Cannot edit a message authored by another user',
  50006: 'Cannot send an empty message',
  50007: 'Cannot send messages to this user',
  50013: 'Missing Permissions',
  50024: 'Cannot execute action on this channel type',
  50027: 'Invalid Webhook Token',
  50035: 'Invalid Form Body',
  160004: 'A thread has already been created for this message',
};

export function defaultErrorMessage(code: number, status: number): string {
  return KNOWN_MESSAGES[code] ?? `${status}: ${status === 404 ? 'Not Found' : 'Error'}`;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message?: string,
    readonly errors?: unknown,
  ) {
    super(message ?? defaultErrorMessage(code, status));
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { message: this.message, code: this.code };
    if (this.errors !== undefined) body.errors = this.errors;
    return body;
  }
}

export const unknownChannel = () => new ApiError(404, 10003);
export const unknownMessage = () => new ApiError(404, 10008);
export const unknownInteraction = () => new ApiError(404, 10062);
export const invalidWebhookToken = () => new ApiError(401, 50027);
export const unknownWebhook = () => new ApiError(404, 10015);

/** 400 / 50035 with a single field error, e.g. `formError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be ...')`. */
export function formError(path: string, code: string, message: string): ApiError {
  return formErrors([{ path, code, message }]);
}

export interface Violation {
  /** Dotted path into the request body: `components.0.components.1.custom_id`. */
  path: string;
  code: string;
  message: string;
}

/** Builds Discord's nested `errors` tree (`{ content: { _errors: [...] } }`) so DiscordAPIError names each field. */
export function formErrors(violations: Violation[]): ApiError {
  const tree: Record<string, unknown> = {};
  for (const v of violations) {
    let node = tree;
    for (const key of v.path.split('.').filter(Boolean)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node._errors ??= [];
    (node._errors as Array<{ code: string; message: string }>).push({ code: v.code, message: v.message });
  }
  return new ApiError(400, 50035, 'Invalid Form Body', tree);
}

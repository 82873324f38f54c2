/**
 * What can go wrong talking to the API, as one typed error: an HTTP refusal (`status` and the server's
 * `detail`, written for people; `retryAfterS` on 429) or no answer at all (`status` 0: offline, the server is
 * down, the connection broke).
 */

export const NETWORK_TEXT = 'Higgsbot cannot be reached right now. Retrying…';

export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly retryAfterS: number | undefined;

  constructor(status: number, detail: string, retryAfterS?: number) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.retryAfterS = retryAfterS;
  }

  /** No answer came (as opposed to an HTTP error). */
  get network(): boolean {
    return this.status === 0;
  }
}

/** A `Retry-After` header in whole seconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1_000));
}

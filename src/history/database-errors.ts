/**
 * Which database errors mean "the history database cannot be reached right now" (a ServiceUnavailableError:
 * history commands say so, the feed retries) rather than a bug. Non-obvious: a statement timeout counts as an
 * outage too — a database too slow to answer is, to a person, a database that is not there.
 */
import { isConnectionError, ServiceUnavailableError } from '../errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server that is away, starting, stopping, full, or too slow. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|Cannot use a pool after calling end/;

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code))) return true;
  // Class 08: connection exceptions.
  if (typeof code === 'string' && /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (error instanceof AggregateError && error.errors.some(isUnavailable)) return true;
  return isConnectionError(error) || UNAVAILABLE_MESSAGES.test(error.message);
}

/** `error` as a ServiceUnavailableError when it is an outage; anything else is returned as it is. */
export function toHistoryError(error: unknown): unknown {
  if (error instanceof ServiceUnavailableError || !isUnavailable(error)) return error;
  const reason = error instanceof Error ? error.message || (error as { code?: string }).code : String(error);
  return new ServiceUnavailableError(`The history database cannot be reached (${reason})`, error);
}

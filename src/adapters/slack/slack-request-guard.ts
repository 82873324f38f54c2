/**
 * What our HTTP route refuses before Bolt's receiver sees a request for /slack/events. Bolt checks the
 * signature and refuses a timestamp more than 5 minutes old, but it accepts one from the future (a request
 * signed now and replayed later) and parses any content type other than a form as JSON. Slack signs each
 * request "within five minutes of local time" either way, and sends exactly two content types: slash
 * commands and interactivity as `application/x-www-form-urlencoded`, Events API callbacks as
 * `application/json`. Anything else did not come from Slack as it documents, so it is refused at once,
 * without reading the body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How far a request's timestamp may be from our clock, in either direction (Slack's and Bolt's 5 minutes). */
export const SLACK_TIMESTAMP_TOLERANCE_S = 300;
const SLACK_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'application/json']);

export type SlackRequestRefusal = { status: 401; reason: 'timestamp' } | { status: 415; reason: 'content-type' };

/** Why a request to /slack/events must not reach Bolt, or undefined when Bolt may judge it. */
export function refuseSlackRequest(
  headers: IncomingMessage['headers'],
  nowMs: number = Date.now(),
): SlackRequestRefusal | undefined {
  const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!SLACK_CONTENT_TYPES.has(mediaType)) return { status: 415, reason: 'content-type' };
  const stamp = headers['x-slack-request-timestamp'];
  // A missing or repeated header is Bolt's to refuse (401); a malformed or future one is ours.
  if (typeof stamp !== 'string') return undefined;
  const seconds = /^\d{1,12}$/.test(stamp.trim()) ? Number(stamp) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds > nowMs / 1_000 + SLACK_TIMESTAMP_TOLERANCE_S) {
    return { status: 401, reason: 'timestamp' };
  }
  return undefined;
}

/** `listener` behind the checks above: a refused request gets an empty 401 or 415 and never reaches Bolt. */
export function guardSlackRequests(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  onRefused: (refusal: SlackRequestRefusal) => void = () => {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const refusal = refuseSlackRequest(req.headers);
    if (!refusal) return listener(req, res);
    onRefused(refusal);
    // The body is not read: close the connection rather than leave it half-consumed on a keep-alive socket.
    res.writeHead(refusal.status, { connection: 'close', 'content-length': 0 });
    res.end();
  };
}

/**
 * Slack's one route on the bot's HTTP port, `POST /slack/events` (HTTP mode): mounted before Slack is
 * started, since the server is up first, so it answers 503 `{"error":"starting"}` (Slack retries) until Bolt's
 * receiver is bound, then hands every request to it; unbound again when Slack stops.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '../../core/platform.js';
import { sendJson } from '../../http/http-server.js';
import { SLACK_EVENTS_PATH } from './slack-app.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface SlackEventsRoute {
  route: HttpRoute;
  /** Hand requests to `listener` from now on; `undefined` answers 503 again. */
  bind(listener: Listener | undefined): void;
}

export function slackEventsRoute(): SlackEventsRoute {
  let bound: Listener | undefined;
  return {
    route: {
      method: 'POST',
      path: SLACK_EVENTS_PATH,
      handler: (req, res) => (bound ? bound(req, res) : sendJson(res, 503, { error: 'starting' })),
    },
    bind(listener) {
      bound = listener;
    },
  };
}

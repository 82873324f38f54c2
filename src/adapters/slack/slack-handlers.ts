/**
 * Slack's inbound side on Bolt, wired: slash commands (slack-commands.ts), mentions, DMs and thread replies
 * (slack-messages.ts), Block Kit buttons (slack-actions.ts), and history (slack-history.ts: /history,
 * /show, /forget and their buttons). Every command, action and event is
 * acknowledged first (Slack allows 3 s); the work happens after, in one wrapper (slack-reply.ts) that lets
 * waiting acknowledgements go first and tells the person about any failure once. A request in a channel
 * starts a thread, and the thread is the conversation; a reply there continues it (slack-turn.ts).
 */
import type { App } from '@slack/bolt';
import { registerSlackActions } from './slack-actions.js';
import { registerSlackCommands } from './slack-commands.js';
import { adminChecker, type SlackHandlerDeps } from './slack-context.js';
import { slackHistory } from './slack-history.js';
import { registerSlackMessages } from './slack-messages.js';
import { slackReplies } from './slack-reply.js';
import { slackConverse } from './slack-turn.js';

export function registerSlackHandlers(app: App, deps: SlackHandlerDeps, botUserId: () => string | undefined): void {
  const replies = slackReplies(deps.logger, deps.afterAck ?? (() => Promise.resolve()));
  const converse = slackConverse(deps, replies);
  const isAdmin = adminChecker(app.client, deps.logger);
  const history = slackHistory({ deps, replies, isAdmin });
  registerSlackCommands(app, { deps, replies, converse, history });
  registerSlackMessages(app, { deps, replies, converse, botUserId });
  registerSlackActions(app, { deps, replies, history, isAdmin });
}

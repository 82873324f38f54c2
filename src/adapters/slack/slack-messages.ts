/**
 * People's messages to Slack's bot: a mention (in a channel, where its thread becomes the conversation, or
 * in a thread already), a DM, and a reply in a channel thread, which continues the conversation only when
 * the thread is one of ours (it has history). A message that mentions the bot is left to its app_mention
 * event, so it is answered once; bots' messages and edits are ignored.
 */
import type { App } from '@slack/bolt';
import { conversationOf, type SlackHandlerDeps, stripMentions } from './slack-context.js';
import type { Recipient, SlackReplies } from './slack-reply.js';
import type { Converse, SlackFile } from './slack-turn.js';

export interface SlackMessageKit {
  deps: SlackHandlerDeps;
  replies: SlackReplies;
  converse: Converse;
  botUserId: () => string | undefined;
}

/** The fields of a message event we read (Bolt's union of message subtypes, flattened). */
interface MessageFields {
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  channel: string;
  channel_type?: string;
  thread_ts?: string;
  files?: SlackFile[];
}

export function registerSlackMessages(app: App, { deps, replies, converse, botUserId }: SlackMessageKit): void {
  app.event('app_mention', async ({ event, client, body }) => {
    if (!event.user) return;
    const to: Recipient = { client, channel: event.channel, user: event.user, thread: event.thread_ts ?? event.ts };
    const files = (event as { files?: SlackFile[] }).files ?? [];
    const teamId = body.team_id ?? event.team ?? '';
    await replies.afterAcked(to, { event: 'app_mention' }, (steps) =>
      converse({ to, teamId, text: stripMentions(event.text, botUserId()), files }, steps),
    );
  });

  app.message(async ({ message, client, body }) => {
    const m = message as MessageFields;
    if (m.bot_id || !m.user || (m.subtype && m.subtype !== 'file_share')) return;
    const bot = botUserId();
    if (bot && m.text?.includes(`<@${bot}`)) return; // app_mention answers it
    const user = m.user;
    const to: Recipient = { client, channel: m.channel, user, thread: m.thread_ts };
    const teamId = (body as { team_id?: string }).team_id ?? '';
    await replies.afterAcked(to, { event: 'message' }, async (steps) => {
      // A DM is always for us; a reply in a channel thread only if the thread is one of ours.
      if (m.channel_type !== 'im') {
        if (!m.thread_ts) return;
        if (!(await deps.assistant.hasHistory(conversationOf(teamId, m.channel, user, m.thread_ts)))) return;
      }
      await converse({ to, teamId, text: stripMentions(m.text ?? '', bot), files: m.files }, steps);
    });
  });
}

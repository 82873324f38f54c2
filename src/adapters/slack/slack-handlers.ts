/**
 * Slack's inbound side on Bolt: slash commands, mentions, DMs, thread replies and Block Kit buttons. Every
 * command, action and event is acknowledged first (Slack allows 3 s); the work happens after. A request in a
 * channel starts a thread, and the thread is the conversation; a reply there continues it.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../core/assistant.js';
import type { IntentHint } from '../../core/assistant-types.js';
import { AppError, toUserMessage } from '../../errors.js';
import { decodeButton } from '../shared/button-ids.js';
import { ALREADY_QUEUED_TEXT, CANCEL_TEXT, helpText } from '../shared/message-text.js';
import { adminChecker, conversationOf, type SlackHandlerDeps, stripMentions } from './slack-context.js';
import { threadTs } from './slack-publisher.js';
import { escapeMrkdwn, optionsMessage, statusMessage } from './slack-render.js';

const INTENTS: Record<string, IntentHint> = { '/imagine': 'image', '/video': 'video' };
interface SlackFile {
  url_private_download?: string;
  url_private?: string;
  mimetype?: string;
  size?: number;
}

export function registerSlackHandlers(app: App, deps: SlackHandlerDeps, botUserId: () => string | undefined): void {
  const { assistant, logger } = deps;
  const afterAck = deps.afterAck ?? (() => Promise.resolve());
  const isAdmin = adminChecker(app.client, logger);
  const fail = (error: unknown, ref: string) => {
    if (!(error instanceof AppError)) logger.error({ err: error, ref }, 'slack handler failed');
    return error instanceof AppError ? error.userMessage : toUserMessage(error, ref);
  };
  const whisper = (client: WebClient, channel: string, user: string, text: string, thread?: string) =>
    client.chat
      .postEphemeral({ channel, user, text, ...(thread ? { thread_ts: thread } : {}) })
      .catch((err: unknown) => logger.warn({ err }, 'ephemeral message failed'));

  /** A turn from a person: options (or a hint) posted in the conversation's thread. */
  const converse = async (
    client: WebClient,
    teamId: string,
    channel: string,
    userId: string,
    thread: string | undefined,
    text: string,
    intent?: IntentHint,
    files: readonly SlackFile[] = [],
  ) => {
    const conversation = conversationOf(teamId, channel, userId, thread);
    try {
      const file = files.find((f) => f.mimetype?.startsWith('image/')) ?? files[0];
      const url = file?.url_private_download ?? file?.url_private;
      const image = url
        ? await deps.rehost({
            url,
            contentType: file?.mimetype ?? null,
            sizeBytes: file?.size ?? null,
            allowedHosts: deps.fileHosts,
            headers: { authorization: `Bearer ${deps.botToken}` },
          })
        : undefined;
      await afterAck();
      const reply = await assistant.handleMessage({
        conversation,
        text,
        ...(intent ? { intent } : {}),
        ...(image ? { image } : {}),
      });
      const message = reply.kind === 'hint' ? { text: reply.text, blocks: [] } : optionsMessage(reply.set, reply.notes);
      await afterAck();
      await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(thread ? { thread_ts: thread } : {}),
      });
    } catch (error) {
      await whisper(client, channel, userId, fail(error, channel), thread);
    }
  };

  app.command(/^\/(imagine|video|jobs|help)$/, async ({ ack, command, client }) => {
    await ack();
    await afterAck();
    const intent = INTENTS[command.command];
    if (command.command === '/help')
      return void (await whisper(client, command.channel_id, command.user_id, helpText('slack')));
    if (command.command === '/jobs') {
      const active = await assistant.activeJobs(
        conversationOf(command.team_id, command.channel_id, command.user_id, undefined),
      );
      const lines = active.map((j) => `• ${j.modelId}: ${j.state}${j.position ? ` (position ${j.position})` : ''}`);
      const text = lines.length
        ? `Your generations in progress:\n${lines.join('\n')}`
        : 'You have no generations in progress.';
      return void (await whisper(client, command.channel_id, command.user_id, text));
    }
    const text = command.text.trim();
    let thread: string | undefined;
    if (!command.channel_id.startsWith('D')) {
      try {
        const starter = await client.chat.postMessage({
          channel: command.channel_id,
          text: `<@${command.user_id}> asked: ${escapeMrkdwn(text || '(nothing yet)')}`,
        });
        thread = starter.ts;
      } catch (error) {
        return void (await whisper(
          client,
          command.channel_id,
          command.user_id,
          `${fail(error, command.channel_id)} Invite me to this channel first (/invite @Higgsbot).`,
        ));
      }
    }
    await converse(client, command.team_id, command.channel_id, command.user_id, thread, text, intent);
  });

  app.event('app_mention', async ({ event, client, body }) => {
    if (!event.user) return;
    await afterAck();
    const teamId = body.team_id ?? event.team ?? '';
    const files = (event as { files?: SlackFile[] }).files ?? [];
    const text = stripMentions(event.text, botUserId());
    await converse(client, teamId, event.channel, event.user, event.thread_ts ?? event.ts, text, undefined, files);
  });

  app.message(async ({ message, client, body }) => {
    const m = message as {
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
      channel: string;
      channel_type?: string;
      thread_ts?: string;
      files?: SlackFile[];
    };
    if (m.bot_id || !m.user || (m.subtype && m.subtype !== 'file_share')) return;
    const bot = botUserId();
    if (bot && m.text?.includes(`<@${bot}`)) return; // app_mention answers it
    await afterAck();
    const teamId = (body as { team_id?: string }).team_id ?? '';
    // A DM is always for us; a reply in a channel thread only if the thread is one of ours.
    if (m.channel_type !== 'im') {
      if (!m.thread_ts) return;
      if (!(await assistant.hasHistory(conversationOf(teamId, m.channel, m.user, m.thread_ts)))) return;
    }
    await converse(
      client,
      teamId,
      m.channel,
      m.user,
      m.thread_ts,
      stripMentions(m.text ?? '', bot),
      undefined,
      m.files,
    );
  });

  app.action<BlockAction<ButtonAction>>(/^[orax]:/, async ({ ack, body, action, client }) => {
    await ack();
    await afterAck();
    const channel = body.channel?.id ?? body.container?.channel_id ?? '';
    const user = body.user.id;
    const thread = body.message?.thread_ts ?? body.message?.ts;
    const button = decodeButton(action.action_id);
    try {
      if (!button)
        return void (await whisper(
          client,
          channel,
          user,
          'This button is no longer valid. Ask again for fresh options.',
          thread,
        ));
      // Tried as the person first: users.info is asked only when someone else presses.
      const asAdminIfRefused = async <T>(
        act: (actor: Actor) => Promise<T>,
        refused = (result: T) => (result as { kind?: string }).kind === 'not-allowed',
      ): Promise<T> => {
        const result = await act({ userId: user, isAdmin: false });
        return refused(result) && (await isAdmin(user)) ? act({ userId: user, isAdmin: true }) : result;
      };
      if (button.kind === 'cancel') {
        const outcome = await asAdminIfRefused(
          (actor) => assistant.cancel(button.generationId, actor),
          (result) => result.outcome === 'not-allowed',
        );
        return void (await whisper(client, channel, user, CANCEL_TEXT[outcome.outcome], thread));
      }
      if (button.kind === 'animate') {
        const reply = await asAdminIfRefused((actor) => assistant.animate(button.generationId, actor));
        if (reply.kind === 'options') {
          const message = optionsMessage(reply.set, reply.notes);
          const t = threadTs(reply.set.conversation);
          await client.chat.postMessage({
            channel: reply.set.conversation.channelId,
            text: message.text,
            blocks: message.blocks,
            ...(t ? { thread_ts: t } : {}),
          });
        } else if (reply.kind !== 'queued') {
          await whisper(client, channel, user, reply.kind === 'hint' ? reply.text : reply.message, thread);
        }
        return;
      }
      const outcome = await asAdminIfRefused((actor) =>
        button.kind === 'option'
          ? assistant.choose(button.key, button.index, actor)
          : assistant.reroll(button.generationId, actor),
      );
      if (outcome.kind !== 'queued') return void (await whisper(client, channel, user, outcome.message, thread));
      if (outcome.duplicate) return void (await whisper(client, channel, user, ALREADY_QUEUED_TEXT, thread));
      const { conversation } = outcome;
      const status = statusMessage(outcome.option.label, outcome.generationId, {
        state: 'queued',
        position: outcome.position,
        estimatedWaitMs: outcome.estimatedWaitMs,
      });
      const t = threadTs(conversation);
      const posted = await client.chat.postMessage({
        channel: conversation.channelId,
        text: status.text,
        blocks: status.blocks,
        ...(t ? { thread_ts: t } : {}),
      });
      if (posted.ts)
        await assistant.attachStatus(outcome.generationId, { channelId: conversation.channelId, messageId: posted.ts });
    } catch (error) {
      await whisper(client, channel, user, fail(error, action.action_id), thread);
    }
  });
}

/**
 * Slack's inbound side on Bolt: slash commands, mentions, DMs, thread replies and Block Kit buttons. Every
 * command, action and event is acknowledged first (Slack allows 3 s); the work happens after, in `afterAcked`,
 * which lets waiting acknowledgements go first and turns any failure into one ephemeral note for the person
 * (`reportFailure`: logged once, with a fresh reference for a bug, "briefly unavailable" when Redis is down).
 * A request in a channel starts a thread, and the thread is the conversation; a reply there continues it.
 * A button whose action id is not ours is acknowledged and ignored, not left to Bolt's 404 after 3 s.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../core/assistant.js';
import type { IntentHint } from '../../core/assistant-types.js';
import { reportFailure } from '../../errors.js';
import { type ButtonAction as ButtonId, decodeButton } from '../shared/button-ids.js';
import { ALREADY_QUEUED_TEXT, CANCEL_TEXT, helpText } from '../shared/message-text.js';
import { adminChecker, conversationOf, type SlackHandlerDeps, stripMentions } from './slack-context.js';
import { slackError, threadTs } from './slack-publisher.js';
import { askedText, noteText, optionsMessage, type SlackMessage, statusMessage } from './slack-render.js';

const INTENTS: Record<string, IntentHint> = { '/imagine': 'image', '/video': 'video' };
/** Action ids of our buttons (button-ids.ts); anything else is acknowledged and ignored. */
const OUR_ACTIONS = /^[orax]:/;
const NOT_OURS = /^(?![orax]:)/;
/** Answers of chat.postMessage in a channel the bot has not joined (or cannot see). */
const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found']);
const INVITE_TEXT = 'I cannot post in this channel yet: invite me first (/invite @Higgsbot), then ask again.';

interface SlackFile {
  url_private_download?: string;
  url_private?: string;
  mimetype?: string;
  size?: number;
}

/** Where a person's private notes go: their channel (and thread, once there is one). */
interface Recipient {
  client: WebClient;
  channel: string;
  user: string;
  thread?: string | undefined;
}

export function registerSlackHandlers(app: App, deps: SlackHandlerDeps, botUserId: () => string | undefined): void {
  const { assistant, logger } = deps;
  const afterAck = deps.afterAck ?? (() => Promise.resolve());
  const isAdmin = adminChecker(app.client, logger);

  const whisper = (to: Recipient, text: string) =>
    to.client.chat
      .postEphemeral({
        channel: to.channel,
        user: to.user,
        text: noteText(text),
        ...(to.thread ? { thread_ts: to.thread } : {}),
      })
      .catch((err: unknown) => logger.warn({ err }, 'ephemeral message failed'));

  /** The work that follows an acknowledgement; whatever fails is told to the person once, privately. */
  const afterAcked = async (to: Recipient, context: Record<string, unknown>, work: () => Promise<void>) => {
    try {
      await afterAck();
      await work();
    } catch (error) {
      await whisper(
        to,
        reportFailure(logger, error, { platform: 'slack', channel: to.channel, user: to.user, ...context }),
      );
    }
  };

  const post = (
    client: WebClient,
    channel: string,
    thread: string | undefined,
    message: { text: string; blocks?: SlackMessage['blocks'] },
  ) =>
    client.chat.postMessage({
      channel,
      text: message.text,
      ...(message.blocks?.length ? { blocks: message.blocks } : {}),
      ...(thread ? { thread_ts: thread } : {}),
    });

  /** A turn from a person: options (or a hint) posted in the conversation's thread. */
  const converse = async (
    to: Recipient,
    teamId: string,
    text: string,
    intent?: IntentHint,
    files: readonly SlackFile[] = [],
  ) => {
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
      conversation: conversationOf(teamId, to.channel, to.user, to.thread),
      text,
      ...(intent ? { intent } : {}),
      ...(image ? { image } : {}),
    });
    const message = reply.kind === 'hint' ? { text: noteText(reply.text) } : optionsMessage(reply.set, reply.notes);
    await afterAck();
    await post(to.client, to.channel, to.thread, message);
  };

  app.command(/^\/(imagine|video|jobs|help)$/, async ({ ack, command, client }) => {
    await ack();
    const to: Recipient = { client, channel: command.channel_id, user: command.user_id };
    await afterAcked(to, { command: command.command }, async () => {
      if (command.command === '/help') return void (await whisper(to, helpText('slack')));
      if (command.command === '/jobs') {
        const active = await assistant.activeJobs(conversationOf(command.team_id, to.channel, to.user, undefined));
        const lines = active.map((j) => `• ${j.label}: ${j.state}${j.position ? ` (position ${j.position})` : ''}`);
        const text = lines.length
          ? `Your generations in progress:\n${lines.join('\n')}`
          : 'You have no generations in progress.';
        return void (await whisper(to, text));
      }
      const text = command.text.trim();
      if (!to.channel.startsWith('D')) {
        try {
          to.thread = (await post(client, to.channel, undefined, { text: askedText(to.user, text) })).ts;
        } catch (error) {
          if (NOT_A_MEMBER.has(slackError(error) ?? '')) return void (await whisper(to, INVITE_TEXT));
          throw error;
        }
      }
      await converse(to, command.team_id, text, INTENTS[command.command]);
    });
  });

  app.event('app_mention', async ({ event, client, body }) => {
    if (!event.user) return;
    const to: Recipient = { client, channel: event.channel, user: event.user, thread: event.thread_ts ?? event.ts };
    const files = (event as { files?: SlackFile[] }).files ?? [];
    await afterAcked(to, { event: 'app_mention' }, () =>
      converse(to, body.team_id ?? event.team ?? '', stripMentions(event.text, botUserId()), undefined, files),
    );
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
    const user = m.user;
    const to: Recipient = { client, channel: m.channel, user, thread: m.thread_ts };
    const teamId = (body as { team_id?: string }).team_id ?? '';
    await afterAcked(to, { event: 'message' }, async () => {
      // A DM is always for us; a reply in a channel thread only if the thread is one of ours.
      if (m.channel_type !== 'im') {
        if (!m.thread_ts) return;
        if (!(await assistant.hasHistory(conversationOf(teamId, m.channel, user, m.thread_ts)))) return;
      }
      await converse(to, teamId, stripMentions(m.text ?? '', bot), undefined, m.files);
    });
  });

  /** One of our buttons, pressed: tried as the person first, users.info asked only when someone else presses. */
  const press = async (to: Recipient, button: ButtonId) => {
    const asAdminIfRefused = async <T>(
      act: (actor: Actor) => Promise<T>,
      refused = (result: T) => (result as { kind?: string }).kind === 'not-allowed',
    ): Promise<T> => {
      const result = await act({ userId: to.user, isAdmin: false });
      return refused(result) && (await isAdmin(to.user)) ? act({ userId: to.user, isAdmin: true }) : result;
    };
    if (button.kind === 'cancel') {
      const outcome = await asAdminIfRefused(
        (actor) => assistant.cancel(button.generationId, actor),
        (result) => result.outcome === 'not-allowed',
      );
      return void (await whisper(to, CANCEL_TEXT[outcome.outcome]));
    }
    if (button.kind === 'animate') {
      const reply = await asAdminIfRefused((actor) => assistant.animate(button.generationId, actor));
      if (reply.kind === 'options') {
        const { conversation } = reply.set;
        await post(to.client, conversation.channelId, threadTs(conversation), optionsMessage(reply.set, reply.notes));
      } else if (reply.kind !== 'queued') {
        await whisper(to, reply.kind === 'hint' ? reply.text : reply.message);
      }
      return;
    }
    const outcome = await asAdminIfRefused((actor) =>
      button.kind === 'option'
        ? assistant.choose(button.key, button.index, actor)
        : assistant.reroll(button.generationId, actor),
    );
    if (outcome.kind !== 'queued') return void (await whisper(to, outcome.message));
    // A storm of presses: the person hears "already queued" once every few seconds, not once per press.
    if (outcome.duplicate) return void (outcome.quiet ? undefined : await whisper(to, ALREADY_QUEUED_TEXT));
    const { conversation } = outcome;
    const status = statusMessage(outcome.option.label, outcome.generationId, {
      state: 'queued',
      position: outcome.position,
      estimatedWaitMs: outcome.estimatedWaitMs,
    });
    const posted = await post(to.client, conversation.channelId, threadTs(conversation), status);
    if (posted.ts)
      await assistant.attachStatus(outcome.generationId, { channelId: conversation.channelId, messageId: posted.ts });
  };

  app.action<BlockAction<ButtonAction>>(OUR_ACTIONS, async ({ ack, body, action, client }) => {
    await ack();
    const to: Recipient = {
      client,
      channel: body.channel?.id ?? body.container?.channel_id ?? '',
      user: body.user.id,
      thread: body.message?.thread_ts ?? body.message?.ts,
    };
    await afterAcked(to, { actionId: action.action_id }, async () => {
      const button = decodeButton(action.action_id);
      if (!button) return void (await whisper(to, 'This button is no longer valid. Ask again for fresh options.'));
      await press(to, button);
    });
  });

  // Not one of ours (a link button, an old app's): Slack still wants its acknowledgement within 3 s.
  app.action(NOT_OURS, async ({ ack }) => {
    await ack();
  });
}

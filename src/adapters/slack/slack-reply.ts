/**
 * How the Slack handlers answer, shared by commands, messages and buttons: where a person's private notes
 * go (`Recipient`), the note itself (`whisper`, ephemeral; `whisperMessage` for one with blocks and buttons),
 * a post in a conversation, and `afterAcked`, the one wrapper of the work that follows an acknowledgement.
 *
 * `afterAcked` awaits the acknowledgement backlog once, before the work, so requests still waiting for
 * their acknowledgement go first (HTTP mode; Socket Mode has no backlog); whatever the work throws is told to
 * the person once, privately (`reportFailure`: logged once, with a fresh reference for a bug, "briefly
 * unavailable" when Redis is down). A long piece of work (a turn: re-hosting, proposing, posting) runs its
 * later steps through `steps.next`, which lets the acknowledgements that arrived meanwhile go first again.
 */
import type { ChatPostMessageResponse, WebClient } from '@slack/web-api';
import type { PlatformLogger } from '../../core/platform.js';
import { reportFailure } from '../../errors.js';
import { slackError } from './slack-publisher.js';
import { noteText, type SlackMessage } from './slack-render.js';

/** What a person hears when the bot may not post in the channel they typed a command in. */
export const INVITE_TEXT = 'I cannot post in this channel yet: invite me first (/invite @Higgsbot), then ask again.';

/** Whether Slack refused a post because the bot is not in the channel (or cannot see it). */
export function notAMember(error: unknown): boolean {
  const code = slackError(error) ?? slackError((error as { cause?: unknown } | undefined)?.cause);
  return code === 'not_in_channel' || code === 'channel_not_found';
}

/** Where a person's private notes go: their channel (and thread, once there is one). */
export interface Recipient {
  client: WebClient;
  channel: string;
  user: string;
  thread?: string | undefined;
}

/** Where a message is posted: a channel, in a thread or not. */
export type Place = Pick<Recipient, 'client' | 'channel' | 'thread'>;

/** The steps of the work after an acknowledgement. */
export interface AckedSteps {
  /** Runs `step` once the acknowledgements that are waiting meanwhile have gone out. */
  next<T>(step: () => Promise<T>): Promise<T>;
}

export interface SlackReplies {
  /** An ephemeral note to the person; a failure to send it is logged, not thrown. */
  whisper(to: Recipient, text: string): Promise<void>;
  /** An ephemeral message of ours (blocks, buttons; its words already escaped); a failure is thrown. */
  whisperMessage(to: Recipient, message: SlackMessage): Promise<void>;
  post(where: Place, message: { text: string; blocks?: SlackMessage['blocks'] }): Promise<ChatPostMessageResponse>;
  /** The work that follows an acknowledgement: after the backlog, and any failure told to the person once. */
  afterAcked(
    to: Recipient,
    context: Record<string, unknown>,
    work: (steps: AckedSteps) => Promise<void>,
  ): Promise<void>;
}

export function slackReplies(logger: PlatformLogger, afterAck: () => Promise<void>): SlackReplies {
  const steps: AckedSteps = {
    async next(step) {
      await afterAck();
      return step();
    },
  };

  const whisper = async (to: Recipient, text: string) => {
    await to.client.chat
      .postEphemeral({
        channel: to.channel,
        user: to.user,
        text: noteText(text),
        ...(to.thread ? { thread_ts: to.thread } : {}),
      })
      .catch((err: unknown) => logger.warn({ err }, 'ephemeral message failed'));
  };

  return {
    whisper,

    async whisperMessage(to, message) {
      await to.client.chat.postEphemeral({
        channel: to.channel,
        user: to.user,
        text: message.text,
        blocks: message.blocks,
        ...(to.thread ? { thread_ts: to.thread } : {}),
      });
    },

    post: (where, message) =>
      where.client.chat.postMessage({
        channel: where.channel,
        text: message.text,
        ...(message.blocks?.length ? { blocks: message.blocks } : {}),
        ...(where.thread ? { thread_ts: where.thread } : {}),
      }),

    async afterAcked(to, context, work) {
      try {
        await steps.next(() => work(steps));
      } catch (error) {
        const details = { platform: 'slack', channel: to.channel, user: to.user, ...context };
        await whisper(to, reportFailure(logger, error, details));
      }
    },
  };
}

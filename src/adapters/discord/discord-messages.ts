/**
 * Messages: a DM, or a mention (or a reply to the bot) in a guild channel or thread. Without the privileged
 * MESSAGE_CONTENT intent Discord still delivers the content of exactly these. A mention in a plain channel
 * opens a thread on that message; in a thread (or a DM) the conversation simply continues. An attached image
 * is checked and re-hosted, and offers animation options.
 */
import type { Message } from 'discord.js';
import { reportFailure } from '../../errors.js';
import {
  afterAcks,
  conversationOf,
  type DiscordBotDeps,
  NO_THREAD_NOTE,
  openThread,
  rehostAttachment,
  sendableChannel,
} from './discord-context.js';
import { hintPayload, optionsPayload } from './discord-render.js';

export function isForUs(message: Message, botId: string): boolean {
  if (message.author.bot || message.system) return false;
  if (!message.guildId) return true;
  return message.mentions.users.has(botId) || message.mentions.repliedUser?.id === botId;
}

export async function handleMessage(message: Message, deps: DiscordBotDeps): Promise<void> {
  const botId = message.client.user.id;
  const text = message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').trim();
  const conversation = conversationOf(message.channel, message.channelId, message.guildId, message.author.id);
  const notes: string[] = [];
  try {
    await afterAcks(deps);
    if (message.guildId && !message.channel.isThread()) {
      const threadId = await openThread(message, text || 'Higgsbot', deps.logger);
      if (threadId) conversation.threadId = threadId;
      else notes.push(NO_THREAD_NOTE);
    }
    const channel = await sendableChannel(message.client, conversation.threadId);
    await channel?.sendTyping().catch(() => undefined);
    const attachment =
      message.attachments.find((a) => a.contentType?.startsWith('image/') ?? false) ?? message.attachments.first();
    const image = await rehostAttachment(deps, attachment);
    const reply = await deps.assistant.handleMessage({ conversation, text, ...(image ? { image } : {}) });
    const payload =
      reply.kind === 'hint' ? hintPayload(reply.text) : optionsPayload(reply.set, [...reply.notes, ...notes]);
    if (channel) await channel.send(payload);
    else await message.reply(payload);
  } catch (error) {
    const text = reportFailure(deps.logger, error, { messageId: message.id, channelId: message.channelId });
    await message.reply({ content: text }).catch((err: unknown) => deps.logger.warn({ err }, 'could not reply'));
  }
}

/**
 * What the Discord handlers share: their dependencies (the publisher too: `/show` re-posts a result through
 * it), the ConversationRef of a channel or thread, who may act as an admin (Manage Server), the allowed hosts
 * of input images, and the thread a new request opens.
 */

import {
  type Attachment,
  type Client,
  type Message,
  PermissionFlagsBits,
  type PermissionsBitField,
  type SendableChannels,
  type TextBasedChannel,
} from 'discord.js';
import { ACK_PRIORITY_MAX_WAIT_MS, type AckBacklog } from '../../ack-backlog.js';
import type { Assistant } from '../../core/assistant.js';
import type { ImageInput } from '../../core/assistant-types.js';
import type { PlatformImage, PlatformLogger } from '../../core/platform.js';
import type { Publisher } from '../../core/ports.js';
import type { ConversationRef } from '../../core/types.js';
import { cleanEcho } from '../shared/echo-text.js';

export interface DiscordBotDeps {
  assistant: Assistant;
  logger: PlatformLogger;
  /** The platform's publisher: `/show` posts a stored result again with it, as a finished generation is posted. */
  publisher: Publisher;
  /** Re-host an input image on Higgsfield (checked, fetched from an allowed host, uploaded). */
  rehost: (image: PlatformImage) => Promise<ImageInput>;
  /** Soul styles matching a query, for /styles and its autocomplete. */
  searchStyles: (query: string) => Promise<Array<{ name: string; description: string }>>;
  /** Hosts input images may come from: Discord's CDN, plus the API host when it is a proxy or test double. */
  imageHosts: readonly string[];
  /** Deferrals not yet sent: the work of a turn lets them go first (the bot makes one). */
  acks?: AckBacklog;
}

/** Discord's acknowledgement of an interaction (a deferral), counted as owed until it has gone out. */
export function acknowledge<T>(deps: DiscordBotDeps, deferral: Promise<T>): Promise<T> {
  const settle = deps.acks?.arrive();
  return settle ? deferral.finally(settle) : deferral;
}

/** Before heavy work: lets the acknowledgements still owed to others go out first (briefly). */
export function afterAcks(deps: DiscordBotDeps): Promise<void> {
  return deps.acks?.drained(ACK_PRIORITY_MAX_WAIT_MS) ?? Promise.resolve();
}

/** A Discord attachment, checked and re-hosted on Higgsfield (undefined when there is none). */
export async function rehostAttachment(
  deps: DiscordBotDeps,
  attachment: Attachment | null | undefined,
): Promise<ImageInput | undefined> {
  if (!attachment) return undefined;
  return deps.rehost({
    url: attachment.url,
    contentType: attachment.contentType,
    sizeBytes: attachment.size,
    allowedHosts: deps.imageHosts,
  });
}

export const DISCORD_CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];

export function imageHostsFor(apiUrl: string): string[] {
  const host = new URL(apiUrl).hostname;
  return host === 'discord.com' || host.endsWith('.discord.com') ? DISCORD_CDN_HOSTS : [...DISCORD_CDN_HOSTS, host];
}

export function isAdmin(permissions: Readonly<PermissionsBitField> | null | undefined): boolean {
  return permissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
}

/** The conversation of a channel: a thread is its own conversation; a DM has no threads. */
export function conversationOf(
  channel: TextBasedChannel | null,
  channelId: string,
  guildId: string | null,
  userId: string,
  uploadLimitBytes?: number,
): ConversationRef {
  const inThread = channel?.isThread() ?? false;
  return {
    platform: 'discord',
    workspaceId: guildId ?? '@dm',
    channelId: inThread && channel?.isThread() ? (channel.parentId ?? channelId) : channelId,
    threadId: channelId,
    userId,
    ...(uploadLimitBytes ? { uploadLimitBytes } : {}),
  };
}

export const NO_THREAD_NOTE =
  'I could not open a thread here (I need the Create Public Threads and Send Messages in Threads permissions), so I am answering in this channel.';

/** Opens a thread on `message` for a new request in a guild channel; the thread is then the conversation. */
export async function openThread(message: Message, title: string, logger: PlatformLogger): Promise<string | undefined> {
  try {
    const thread = await message.startThread({
      // A person's words: cleaned (no controls, no bidi overrides, one line) and cut on a grapheme boundary.
      name: cleanEcho(title, 90) || 'Higgsbot',
      autoArchiveDuration: 1440,
    });
    return thread.id;
  } catch (error) {
    logger.warn(
      { err: error, channelId: message.channelId },
      'could not open a thread (missing Create Public Threads?); staying in the channel',
    );
    return undefined;
  }
}

/** The channel to post in, fetched if the cache does not have it (a worker-opened thread, a DM). */
export async function sendableChannel(client: Client, channelId: string): Promise<SendableChannels | undefined> {
  const channel = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId).catch(() => null));
  return channel?.isSendable() ? channel : undefined;
}

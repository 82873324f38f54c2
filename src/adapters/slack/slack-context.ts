/**
 * What the Slack handlers share: their dependencies (the publisher too: `/show` re-posts a result through
 * it), the ConversationRef of a channel, thread or DM, who is
 * a workspace admin (users.info, cached), the hosts input files may come from, and the text of a mention.
 */
import type { WebClient } from '@slack/web-api';
import type { Assistant } from '../../core/assistant.js';
import type { ImageInput } from '../../core/assistant-types.js';
import type { PlatformImage, PlatformLogger } from '../../core/platform.js';
import type { Publisher } from '../../core/ports.js';
import type { ConversationRef } from '../../core/types.js';

export interface SlackHandlerDeps {
  assistant: Assistant;
  logger: PlatformLogger;
  /** The platform's publisher: `/show` posts a stored result again with it, as a finished generation is posted. */
  publisher: Publisher;
  botToken: string;
  rehost: (image: PlatformImage) => Promise<ImageInput>;
  /** Hosts Slack files may be fetched from: files.slack.com, plus the API host for proxies and test doubles. */
  fileHosts: readonly string[];
  /**
   * Resolves once acknowledgements waiting on our HTTP server have gone out (HTTP mode): awaited before the
   * work that follows an acknowledgement, and between the slow steps of a turn (slack-reply.ts).
   */
  afterAck?: () => Promise<void>;
}

export const SLACK_FILE_HOSTS = ['files.slack.com'];

export function fileHostsFor(apiUrl: string): string[] {
  const host = new URL(apiUrl).hostname;
  return host === 'slack.com' || host.endsWith('.slack.com') ? SLACK_FILE_HOSTS : [...SLACK_FILE_HOSTS, host];
}

/** A channel message starts (or continues) a thread; a DM without threads is one conversation. */
export function conversationOf(
  teamId: string,
  channel: string,
  userId: string,
  threadTs: string | undefined,
): ConversationRef {
  return {
    platform: 'slack',
    workspaceId: channel.startsWith('D') ? '@dm' : teamId,
    channelId: channel,
    threadId: threadTs ?? channel,
    userId,
  };
}

export function stripMentions(text: string, botUserId: string | undefined): string {
  const own = botUserId ? new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g') : /<@[A-Z0-9]+(\|[^>]*)?>/g;
  return text.replace(own, ' ').replace(/\s+/g, ' ').trim();
}

/** Workspace admins and owners may act on anyone's buttons; users.info answers are kept ten minutes. */
export function adminChecker(client: WebClient, logger: PlatformLogger): (userId: string) => Promise<boolean> {
  const cache = new Map<string, { admin: boolean; expiresAtMs: number }>();
  return async (userId) => {
    const hit = cache.get(userId);
    if (hit && hit.expiresAtMs > Date.now()) return hit.admin;
    try {
      const info = await client.users.info({ user: userId });
      const admin = Boolean(info.user?.is_admin || info.user?.is_owner);
      if (cache.size > 10_000) cache.clear();
      cache.set(userId, { admin, expiresAtMs: Date.now() + 600_000 });
      return admin;
    } catch (err) {
      logger.warn({ err, userId }, 'users.info failed; treating the user as not an admin');
      return false;
    }
  };
}

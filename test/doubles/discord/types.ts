/**
 * Shared record types of the local Discord double: what it stores (users, channels, messages, interactions)
 * and what tests read back. Stored shapes are camelCase for assertions; `payloads.ts` turns them into the
 * snake_case API objects discord.js parses, so the wire format lives in one place.
 */

export interface DoubleUser {
  id: string;
  username: string;
  bot: boolean;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string | null;
  url: string;
  description: string | null;
  /** The uploaded bytes (bot uploads only); user attachments point at `url` instead. */
  data: Buffer | null;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  author: DoubleUser;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: StoredAttachment[];
  nonce: string | number | null;
  flags: number;
  /** 0 default, 19 reply, 20 chat-input command response. */
  type: number;
  webhookId: string | null;
  /** The interaction this message answers (original response or followup). */
  interactionId: string | null;
  /** Users the message pings (Discord's `mentions`): after `allowed_mentions` and permissions, see mentions.ts. */
  mentionIds: string[];
  /** Roles it pings (`mention_roles`). */
  mentionRoleIds: string[];
  /** Whether it pings @everyone or @here (`mention_everyone`). */
  mentionEveryone: boolean;
  referenceId: string | null;
  /** Id of the thread started from this message, if any. */
  threadId: string | null;
  createdAtMs: number;
  editedAtMs: number | null;
}

export interface StoredChannel {
  id: string;
  /** 0 guild text, 1 DM, 11 public thread, 12 private thread. */
  type: number;
  name: string | null;
  guildId: string | null;
  parentId: string | null;
  /** DM channels: the other user. */
  recipientId: string | null;
  /** Threads: the message the thread was started from. */
  messageId: string | null;
  ownerId: string | null;
  autoArchiveDuration: number;
  archived: boolean;
  createdAtMs: number;
  lastMessageId: string | null;
}

export interface StoredRole {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
  /** Members of a mentionable role are pinged by `<@&id>` even without MENTION_EVERYONE. */
  mentionable: boolean;
  botId: string | null;
}

export interface StoredMember {
  userId: string;
  roleIds: string[];
  joinedAtMs: number;
}

export interface StoredCommand {
  id: string;
  name: string;
  guildId: string | null;
  body: Record<string, unknown>;
}

export type InteractionResponseKind =
  | 'callback'
  | 'editOriginal'
  | 'deleteOriginal'
  | 'followup'
  | 'editFollowup'
  | 'deleteFollowup';

export interface InteractionResponseRecord {
  kind: InteractionResponseKind;
  /** The callback type (4, 5, 6, 7, 8, 9) for `callback`; null for webhook edits and followups. */
  type: number | null;
  data?: unknown;
  messageId: string | null;
  atMs: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 application command, 3 message component, 4 autocomplete. */
  type: number;
  channelId: string;
  guildId: string | null;
  userId: string;
  commandName: string | null;
  /** For component interactions: the message that carries the component. */
  componentMessageId: string | null;
  dispatchedAtMs: number;
  callbackType: number | null;
  originalMessageId: string | null;
  followupIds: string[];
  responses: InteractionResponseRecord[];
}

/** Who one message pings: @everyone/@here, users, roles (see mentions.ts for Discord's rules). */
export interface Pings {
  everyone: boolean;
  users: string[];
  roles: string[];
}

/** One message create or edit that pinged someone: what a test asserts "nobody was pinged" on. */
export interface PingRecord extends Pings {
  messageId: string;
  channelId: string;
  authorId: string;
  /** Discord notifies on creation; an edit highlights new mentions (and the first edit of a deferred reply notifies). */
  on: 'create' | 'edit';
  content: string;
  atMs: number;
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string | null;
  data: Buffer;
}

export interface RecordedCall {
  method: string;
  /** Path after `/api/v10`, percent-decoded (`/webhooks/1/tok/messages/@original`). */
  path: string;
  query: string;
  body: unknown;
  files: Array<{ name: string; contentType?: string; sizeBytes: number }>;
  status: number;
  atMs: number;
}

export interface FailureReply {
  status: number;
  code?: number;
  message?: string;
  retryAfterS?: number;
}

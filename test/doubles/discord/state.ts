/**
 * In-memory world of the Discord double: one guild (roles, members, channels), DM channels, messages,
 * interactions and registered commands, plus the double's clock and snowflake ids. The clock is
 * `Date.now() + offset` so tests can jump past the 15-minute token lifetime with `advanceTime` instead of waiting.
 */
import { ApiError, unknownChannel, unknownMessage } from './api-error.js';
import type {
  DoubleUser,
  InteractionRecord,
  PingRecord,
  StoredAttachment,
  StoredChannel,
  StoredCommand,
  StoredMember,
  StoredMessage,
  StoredRole,
} from './types.js';

const DISCORD_EPOCH = 1_420_070_400_000n;

/** A few permission bits (Discord's PermissionFlagsBits) for options and tests. */
export const Perm = {
  AddReactions: 1n << 6n,
  Administrator: 1n << 3n,
  ManageGuild: 1n << 5n,
  MentionEveryone: 1n << 17n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
} as const;

export const ALL_PERMISSIONS = (1n << 51n) - 1n;
export const DEFAULT_EVERYONE_PERMISSIONS =
  Perm.AddReactions |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.SendMessagesInThreads;
export const DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | Perm.ManageMessages | Perm.ManageThreads;

export interface MemberOption {
  id?: string;
  username: string;
  /** Permission bitfield (decimal string or bigint), e.g. `String(PermissionFlagsBits.ManageGuild)`. */
  permissions?: string | bigint;
}

export interface DiscordDoubleOptions {
  token?: string;
  applicationId?: string;
  botUsername?: string;
  guildName?: string;
  /** Extra text channels besides `general`. */
  channels?: Array<{ name: string; id?: string }>;
  members?: MemberOption[];
  botPermissions?: string | bigint;
  everyonePermissions?: string | bigint;
  /** Per-file upload limit in bytes; default 10 MiB. */
  attachmentSizeLimit?: number;
  /** First interaction callback must arrive within this (default 3000 ms). */
  interactionDeadlineMs?: number;
  /** Interaction webhook token lifetime (default 15 min of double time). */
  interactionTokenTtlMs?: number;
  /** `enforce_nonce` dedupe window (default 5 min). */
  nonceWindowMs?: number;
  /** op 10 HELLO heartbeat_interval (default 41250 ms). */
  heartbeatIntervalMs?: number;
  /** Intent bits whose IDENTIFY is refused with close 4014 (e.g. `1 << 15` to model an unapproved MessageContent). */
  disallowedIntents?: number;
  /** Extra guild roles (e.g. a mentionable one for mention specs); `double.guild.roles` lists them with ids. */
  roles?: Array<{ name: string; id?: string; mentionable?: boolean; permissions?: string | bigint }>;
  /** Users whose DM channel refuses bot messages with 403 / 50007. */
  cannotDmUserIds?: string[];
  /** Dispatch MESSAGE_CREATE/UPDATE/DELETE for what the bot itself posts, as Discord does (default true). */
  echoBotMessages?: boolean;
}

export class DoubleState {
  clockOffsetMs = 0;
  baseUrl = '';
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: DoubleUser;
  readonly guildId: string;
  readonly guildName: string;
  readonly ownerId: string;
  readonly defaultChannelId: string;
  readonly everyonePermissions: bigint;
  readonly botPermissions: bigint;
  readonly users = new Map<string, DoubleUser>();
  readonly channels = new Map<string, StoredChannel>();
  readonly roles: StoredRole[] = [];
  readonly members = new Map<string, StoredMember>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly commands: StoredCommand[] = [];
  readonly nonces = new Map<string, { messageId: string; atMs: number }>();
  /**
   * Channels with a permission overwrite denying the bot Send Messages (and Send Messages in Threads): the
   * bot still sees them, but a post there or in one of their threads is 403 / 50013 Missing Permissions.
   */
  readonly sendDenied = new Set<string>();
  /** Every create or edit that pinged someone, in order. */
  readonly pings: PingRecord[] = [];
  /** Bot uploads by attachment id, served at `/attachments/:id/:filename`. */
  readonly uploads = new Map<string, StoredAttachment>();
  attachmentSizeLimit: number;
  private readonly byChannel = new Map<string, StoredMessage[]>();
  private readonly byId = new Map<string, StoredMessage>();
  private lastId = 0n;

  constructor(readonly options: DiscordDoubleOptions) {
    this.token = options.token ?? 'test-bot-token';
    this.attachmentSizeLimit = options.attachmentSizeLimit ?? 10 * 1024 * 1024;
    this.applicationId = options.applicationId ?? this.newId();
    this.botUser = { id: this.applicationId, username: options.botUsername ?? 'higgsbot', bot: true };
    this.users.set(this.botUser.id, this.botUser);
    this.guildId = this.newId();
    this.guildName = options.guildName ?? 'Test Guild';
    this.everyonePermissions = BigInt(options.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS);
    this.botPermissions = BigInt(options.botPermissions ?? DEFAULT_BOT_PERMISSIONS);
    this.roles.push({
      id: this.guildId,
      name: '@everyone',
      permissions: this.everyonePermissions,
      position: 0,
      managed: false,
      mentionable: false,
      botId: null,
    });
    for (const r of options.roles ?? []) {
      this.roles.push({
        id: r.id ?? this.newId(),
        name: r.name,
        permissions: BigInt(r.permissions ?? 0n),
        position: this.roles.length,
        managed: false,
        mentionable: r.mentionable ?? false,
        botId: null,
      });
    }
    const owner = this.addMember({ username: 'guild-owner' });
    this.ownerId = owner.id;
    this.addMember({ id: this.botUser.id, username: this.botUser.username, permissions: this.botPermissions }, true);
    for (const m of options.members ?? []) this.addMember(m);
    this.defaultChannelId = this.addTextChannel('general').id;
    for (const c of options.channels ?? []) this.addTextChannel(c.name, c.id);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Monotonic snowflake stamped with the double's clock (17–19 digits, as @discordjs/rest's bucket regex expects). */
  newId(): string {
    const fresh = ((BigInt(Math.floor(this.now())) - DISCORD_EPOCH) << 22n) | (1n << 17n);
    this.lastId = fresh > this.lastId ? fresh : this.lastId + 1n;
    return this.lastId.toString();
  }

  ensureUser(id: string, username?: string): DoubleUser {
    let user = this.users.get(id);
    if (!user) {
      user = { id, username: username ?? `user-${id.slice(-6)}`, bot: false };
      this.users.set(id, user);
    }
    return user;
  }

  addMember(option: MemberOption, isBot = false): DoubleUser {
    const user = isBot ? this.botUser : this.ensureUser(option.id ?? this.newId(), option.username);
    const roleIds: string[] = [];
    if (option.permissions !== undefined) {
      const role: StoredRole = {
        id: this.newId(),
        name: isBot ? user.username : `${user.username}-role`,
        permissions: BigInt(option.permissions),
        position: this.roles.length,
        managed: isBot,
        mentionable: false,
        botId: isBot ? user.id : null,
      };
      this.roles.push(role);
      roleIds.push(role.id);
    }
    this.members.set(user.id, { userId: user.id, roleIds, joinedAtMs: this.now() });
    return user;
  }

  /** Guild-level permissions as Discord computes them for `member.permissions` (owner and admins get all). */
  memberPermissions(userId: string): bigint {
    if (userId === this.ownerId) return ALL_PERMISSIONS;
    const member = this.members.get(userId);
    let bits = this.everyonePermissions;
    for (const roleId of member?.roleIds ?? []) bits |= this.roles.find((r) => r.id === roleId)?.permissions ?? 0n;
    return bits & Perm.Administrator ? ALL_PERMISSIONS : bits;
  }

  addTextChannel(name: string, id?: string): StoredChannel {
    return this.addChannel({ id: id ?? this.newId(), type: 0, name, guildId: this.guildId });
  }

  addChannel(fields: Partial<StoredChannel> & { id: string; type: number }): StoredChannel {
    const channel: StoredChannel = {
      name: null,
      guildId: null,
      parentId: null,
      recipientId: null,
      messageId: null,
      ownerId: null,
      autoArchiveDuration: 1440,
      archived: false,
      createdAtMs: this.now(),
      lastMessageId: null,
      ...fields,
    };
    this.channels.set(channel.id, channel);
    this.byChannel.set(channel.id, []);
    return channel;
  }

  dmChannelFor(userId: string): StoredChannel {
    for (const c of this.channels.values()) if (c.type === 1 && c.recipientId === userId) return c;
    this.ensureUser(userId);
    return this.addChannel({ id: this.newId(), type: 1, recipientId: userId });
  }

  requireChannel(id: string): StoredChannel {
    const channel = this.channels.get(id);
    if (!channel) throw unknownChannel();
    return channel;
  }

  guildChannels(): StoredChannel[] {
    return [...this.channels.values()].filter((c) => c.guildId === this.guildId && c.type === 0);
  }

  threads(): StoredChannel[] {
    return [...this.channels.values()].filter((c) => c.type === 11 || c.type === 12);
  }

  addMessage(message: StoredMessage): StoredMessage {
    const list = this.byChannel.get(message.channelId);
    if (!list) throw unknownChannel();
    list.push(message);
    this.byId.set(message.id, message);
    const channel = this.channels.get(message.channelId);
    if (channel) channel.lastMessageId = message.id;
    return message;
  }

  message(id: string): StoredMessage | undefined {
    return this.byId.get(id);
  }

  requireMessage(channelId: string, id: string): StoredMessage {
    const message = this.byId.get(id);
    if (!message || message.channelId !== channelId) throw unknownMessage();
    return message;
  }

  removeMessage(message: StoredMessage): void {
    this.byId.delete(message.id);
    const list = this.byChannel.get(message.channelId);
    const index = list?.indexOf(message) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
  }

  messages(channelId: string): StoredMessage[] {
    return [...(this.byChannel.get(channelId) ?? [])];
  }

  commandId(name: string): string {
    return this.commands.find((c) => c.name === name)?.id ?? this.newId();
  }

  requireApp(appId: string | undefined): void {
    if (appId !== this.applicationId) throw new ApiError(403, 50001);
  }
}

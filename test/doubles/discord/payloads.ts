/**
 * Stored records → the snake_case API objects Discord sends (users, members, roles, channels, messages,
 * GUILD_CREATE, application). Shapes follow what discord.js 14 `_patch` methods read; e.g. messages always
 * carry `author`, `mentions`, `attachments` and `embeds` arrays, because Message#_patch only resets fields
 * present in the payload and editReply builds a Message from the PATCH response.
 */
import type { DoubleState } from './state.js';
import type { DoubleUser, StoredAttachment, StoredChannel, StoredMessage, StoredRole } from './types.js';

type Json = Record<string, unknown>;

const iso = (ms: number): string => new Date(ms).toISOString();

export function apiUser(user: DoubleUser): Json {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.bot ? null : user.username,
    avatar: null,
    bot: user.bot,
    system: false,
    public_flags: 0,
    flags: 0,
  };
}

export function apiMember(state: DoubleState, userId: string, withUser = true): Json {
  const member = state.members.get(userId);
  const user = state.ensureUser(userId);
  const body: Json = {
    roles: member?.roleIds ?? [],
    joined_at: iso(member?.joinedAtMs ?? state.now()),
    nick: null,
    avatar: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    premium_since: null,
    communication_disabled_until: null,
  };
  if (withUser) body.user = apiUser(user);
  return body;
}

export function apiRole(role: StoredRole): Json {
  const body: Json = {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0,
  };
  if (role.botId) body.tags = { bot_id: role.botId };
  return body;
}

export function apiChannel(state: DoubleState, channel: StoredChannel): Json {
  if (channel.type === 1) {
    const recipient = state.ensureUser(channel.recipientId ?? '0');
    return {
      id: channel.id,
      type: 1,
      last_message_id: channel.lastMessageId,
      recipients: [apiUser(recipient)],
      flags: 0,
    };
  }
  const body: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: channel.parentId,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
    nsfw: false,
  };
  if (channel.type === 11 || channel.type === 12) {
    const count = state.messages(channel.id).length;
    Object.assign(body, {
      owner_id: channel.ownerId,
      message_count: count,
      total_message_sent: count,
      member_count: 1,
      thread_metadata: {
        archived: channel.archived,
        auto_archive_duration: channel.autoArchiveDuration,
        archive_timestamp: iso(channel.createdAtMs),
        create_timestamp: iso(channel.createdAtMs),
        locked: false,
        invitable: channel.type === 12 ? false : undefined,
      },
    });
  } else {
    const position = state.guildChannels().indexOf(channel);
    Object.assign(body, {
      position: Math.max(position, 0),
      permission_overwrites: [],
      topic: null,
      default_auto_archive_duration: channel.autoArchiveDuration,
    });
  }
  return body;
}

export function apiAttachment(a: StoredAttachment): Json {
  return {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url: a.url,
    proxy_url: a.url,
    content_type: a.contentType ?? undefined,
    description: a.description ?? undefined,
  };
}

export function apiMessage(state: DoubleState, m: StoredMessage, depth = 0): Json {
  const body: Json = {
    id: m.id,
    channel_id: m.channelId,
    author: apiUser(m.author),
    content: m.content,
    timestamp: iso(m.createdAtMs),
    edited_timestamp: m.editedAtMs === null ? null : iso(m.editedAtMs),
    tts: false,
    mention_everyone: m.mentionEveryone,
    mentions: m.mentionIds.map((id) => apiUser(state.ensureUser(id))),
    mention_roles: m.mentionRoleIds,
    attachments: m.attachments.map(apiAttachment),
    embeds: m.embeds,
    components: m.components,
    pinned: false,
    type: m.type,
    flags: m.flags,
  };
  if (m.guildId) body.guild_id = m.guildId;
  if (m.nonce !== null) body.nonce = m.nonce;
  if (m.webhookId) {
    body.webhook_id = m.webhookId;
    body.application_id = state.applicationId;
  }
  const interaction = m.interactionId ? state.interactions.get(m.interactionId) : undefined;
  if (interaction) {
    const meta: Json = {
      id: interaction.id,
      type: interaction.type,
      user: apiUser(state.ensureUser(interaction.userId)),
      authorizing_integration_owners: interaction.guildId ? { '0': interaction.guildId } : { '1': interaction.userId },
    };
    if (interaction.commandName) meta.name = interaction.commandName;
    if (interaction.componentMessageId) meta.interacted_message_id = interaction.componentMessageId;
    if (interaction.originalMessageId && interaction.originalMessageId !== m.id) {
      meta.original_response_message_id = interaction.originalMessageId;
    }
    body.interaction_metadata = meta;
  }
  if (m.referenceId) {
    body.message_reference = {
      type: 0,
      message_id: m.referenceId,
      channel_id: m.channelId,
      guild_id: m.guildId ?? undefined,
    };
    const referenced = state.message(m.referenceId);
    if (referenced && depth === 0) body.referenced_message = apiMessage(state, referenced, 1);
  }
  const thread = m.threadId ? state.channels.get(m.threadId) : undefined;
  if (thread && depth === 0) body.thread = apiChannel(state, thread);
  return body;
}

export function apiGuild(state: DoubleState): Json {
  return {
    id: state.guildId,
    name: state.guildName,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: state.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: state.roles.map(apiRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: state.defaultChannelId,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
  };
}

export function apiGuildCreate(state: DoubleState): Json {
  return {
    ...apiGuild(state),
    unavailable: false,
    large: false,
    joined_at: iso(state.members.get(state.botUser.id)?.joinedAtMs ?? state.now()),
    member_count: state.members.size,
    members: [...state.members.keys()].map((id) => apiMember(state, id)),
    channels: state.guildChannels().map((c) => {
      const { guild_id: _omit, ...rest } = apiChannel(state, c);
      return rest;
    }),
    threads: state
      .threads()
      .filter((t) => !t.archived)
      .map((t) => apiChannel(state, t)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function apiApplication(state: DoubleState): Json {
  return {
    id: state.applicationId,
    name: state.botUser.username,
    icon: null,
    description: '',
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    bot: apiUser(state.botUser),
    owner: apiUser(state.ensureUser(state.ownerId)),
    team: null,
    approximate_guild_count: 1,
  };
}

/**
 * What a human does, turned into gateway dispatches: slash commands, button / select clicks and autocomplete
 * (INTERACTION_CREATE) and plain messages (MESSAGE_CREATE). Users that act in the guild are made members
 * first, as on Discord, so discord.js can cache `interaction.member` / `message.member`. A click on a custom_id
 * that the message does not carry (or carries disabled) throws in the test, since Discord could not send it.
 */
import { randomBytes } from 'node:crypto';
import { applyPings, echo, type World } from './messages.js';
import { apiChannel, apiMember, apiMessage, apiUser } from './payloads.js';
import type { InteractionRecord, StoredAttachment, StoredChannel, StoredMessage } from './types.js';

type Obj = Record<string, unknown>;

export interface CommandOptionInput {
  name: string;
  /** ApplicationCommandOptionType: 1 subcommand, 3 string, 4 integer, 5 boolean, 6 user, 10 number, 11 attachment… */
  type: number;
  value?: string | number | boolean;
  options?: CommandOptionInput[];
  focused?: boolean;
}

export interface UserAttachmentInput {
  url: string;
  filename: string;
  size: number;
  contentType?: string;
}

interface Actor {
  userId: string;
  /** Defaults to the guild's `general` channel, or the user's DM channel when `guildId` is null. */
  channelId?: string;
  /** null = DM with the bot; omitted = the channel's guild. */
  guildId?: string | null;
  /** Overrides the member's computed permissions (decimal bitfield string). */
  memberPermissions?: string;
}

export interface SlashCommandInput extends Actor {
  name: string;
  options?: CommandOptionInput[];
  /** Attachment options: each becomes a type-11 option plus `resolved.attachments`. */
  attachments?: Array<UserAttachmentInput & { optionName: string }>;
}

export interface ComponentClickInput extends Actor {
  customId: string;
  messageId: string;
  /** For select menus: the chosen values. */
  values?: string[];
}

export interface AutocompleteInput extends Actor {
  name: string;
  /** Include the option being typed with `focused: true`. */
  options: CommandOptionInput[];
}

export interface UserMessageInput {
  authorId: string;
  content: string;
  channelId?: string;
  guildId?: string | null;
  mentionsBot?: boolean;
  attachments?: UserAttachmentInput[];
  replyToId?: string;
}

export interface SentInteraction {
  interactionId: string;
  token: string;
  sentAtMs: number;
}

function resolveChannel(
  world: World,
  actor: { userId: string; channelId?: string; guildId?: string | null },
): StoredChannel {
  const { state } = world;
  if (actor.guildId === null && !actor.channelId) return state.dmChannelFor(actor.userId);
  const channel = state.channels.get(actor.channelId ?? state.defaultChannelId);
  if (!channel) throw new Error(`discord double: unknown channel ${String(actor.channelId)}`);
  if (channel.guildId && !state.members.has(actor.userId))
    state.addMember({ id: actor.userId, username: `user-${actor.userId.slice(-6)}` });
  return channel;
}

function dispatchInteraction(
  world: World,
  rec: InteractionRecord,
  channel: StoredChannel,
  extra: Obj,
  perms?: string,
): SentInteraction {
  const { state } = world;
  if (world.gateway.sessionCount() === 0) {
    throw new Error(
      'discord double: no bot session on the gateway to deliver the interaction to (log a Client in first)',
    );
  }
  state.interactions.set(rec.id, rec);
  const payload: Obj = {
    id: rec.id,
    application_id: state.applicationId,
    type: rec.type,
    token: rec.token,
    version: 1,
    channel_id: channel.id,
    channel: apiChannel(state, channel),
    app_permissions: (channel.guildId ? state.memberPermissions(state.botUser.id) : state.botPermissions).toString(),
    attachment_size_limit: state.attachmentSizeLimit,
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: channel.guildId ? { '0': channel.guildId } : {},
    context: channel.guildId ? 0 : 1,
    ...extra,
  };
  if (channel.guildId) {
    payload.guild_id = channel.guildId;
    payload.guild = { id: channel.guildId, locale: 'en-US', features: [] };
    payload.guild_locale = 'en-US';
    payload.member = {
      ...apiMember(state, rec.userId),
      permissions: perms ?? state.memberPermissions(rec.userId).toString(),
    };
  } else {
    payload.user = apiUser(state.ensureUser(rec.userId));
  }
  rec.dispatchedAtMs = state.now();
  world.gateway.dispatch('INTERACTION_CREATE', () => payload);
  return { interactionId: rec.id, token: rec.token, sentAtMs: rec.dispatchedAtMs };
}

function newRecord(
  world: World,
  type: number,
  channel: StoredChannel,
  userId: string,
  fields: Partial<InteractionRecord>,
): InteractionRecord {
  const { state } = world;
  state.ensureUser(userId);
  return {
    id: state.newId(),
    token: `itk_${randomBytes(24).toString('base64url')}`,
    type,
    channelId: channel.id,
    guildId: channel.guildId,
    userId,
    commandName: null,
    componentMessageId: null,
    dispatchedAtMs: state.now(),
    callbackType: null,
    originalMessageId: null,
    followupIds: [],
    responses: [],
    ...fields,
  };
}

function resolvedFor(world: World, options: CommandOptionInput[], attachments: Record<string, Obj>): Obj {
  const users: Record<string, Obj> = {};
  const walk = (list: CommandOptionInput[]) => {
    for (const o of list) {
      if (o.type === 6 && typeof o.value === 'string') users[o.value] = apiUser(world.state.ensureUser(o.value));
      if (o.options) walk(o.options);
    }
  };
  walk(options);
  const resolved: Obj = {};
  if (Object.keys(users).length > 0) resolved.users = users;
  if (Object.keys(attachments).length > 0) resolved.attachments = attachments;
  return resolved;
}

export function sendSlashCommand(world: World, input: SlashCommandInput): SentInteraction {
  const { state } = world;
  const channel = resolveChannel(world, input);
  const options = [...(input.options ?? [])];
  const attachments: Record<string, Obj> = {};
  for (const a of input.attachments ?? []) {
    const id = state.newId();
    options.push({ name: a.optionName, type: 11, value: id });
    attachments[id] = {
      id,
      filename: a.filename,
      size: a.size,
      url: a.url,
      proxy_url: a.url,
      content_type: a.contentType,
    };
  }
  const resolved = resolvedFor(world, options, attachments);
  const data: Obj = { id: state.commandId(input.name), name: input.name, type: 1, options };
  if (Object.keys(resolved).length > 0) data.resolved = resolved;
  const guildCommand = state.commands.find((c) => c.name === input.name && c.guildId !== null);
  if (guildCommand) data.guild_id = guildCommand.guildId;
  const rec = newRecord(world, 2, channel, input.userId, { commandName: input.name });
  return dispatchInteraction(world, rec, channel, { data }, input.memberPermissions);
}

function findComponent(list: unknown, customId: string): Obj | null {
  if (!Array.isArray(list)) return null;
  for (const c of list) {
    if (typeof c !== 'object' || c === null) continue;
    const component = c as Obj;
    if (component.custom_id === customId) return component;
    const nested =
      findComponent(component.components, customId) ??
      findComponent(component.accessory ? [component.accessory] : [], customId);
    if (nested) return nested;
  }
  return null;
}

export function clickComponent(world: World, input: ComponentClickInput): SentInteraction {
  const { state } = world;
  const message = state.message(input.messageId);
  if (!message) throw new Error(`discord double: no message ${input.messageId}`);
  const component = findComponent(message.components, input.customId);
  if (!component)
    throw new Error(`discord double: message ${message.id} has no component with custom_id ${input.customId}`);
  if (component.disabled === true) throw new Error(`discord double: component ${input.customId} is disabled`);
  const channel = resolveChannel(world, { ...input, channelId: message.channelId });
  const data: Obj = { custom_id: input.customId, component_type: component.type };
  if (input.values) data.values = input.values;
  const rec = newRecord(world, 3, channel, input.userId, { componentMessageId: message.id });
  return dispatchInteraction(
    world,
    rec,
    channel,
    { data, message: apiMessage(state, message) },
    input.memberPermissions,
  );
}

export function sendAutocomplete(world: World, input: AutocompleteInput): SentInteraction {
  const channel = resolveChannel(world, input);
  const data: Obj = { id: world.state.commandId(input.name), name: input.name, type: 1, options: input.options };
  const rec = newRecord(world, 4, channel, input.userId, { commandName: input.name });
  return dispatchInteraction(world, rec, channel, { data }, input.memberPermissions);
}

export function sendUserMessage(world: World, input: UserMessageInput): StoredMessage {
  const { state } = world;
  const channel = resolveChannel(world, { userId: input.authorId, ...input });
  const author = state.ensureUser(input.authorId);
  const mention = `<@${state.botUser.id}>`;
  const content = input.mentionsBot && !input.content.includes(mention) ? `${mention} ${input.content}` : input.content;
  const attachments: StoredAttachment[] = (input.attachments ?? []).map((a) => ({
    id: state.newId(),
    filename: a.filename,
    size: a.size,
    contentType: a.contentType ?? null,
    url: a.url,
    description: null,
    data: null,
  }));
  const message: StoredMessage = {
    id: state.newId(),
    channelId: channel.id,
    guildId: channel.guildId,
    author,
    content,
    embeds: [],
    components: [],
    attachments,
    nonce: null,
    flags: 0,
    type: input.replyToId ? 19 : 0,
    webhookId: null,
    interactionId: null,
    mentionIds: [],
    mentionRoleIds: [],
    mentionEveryone: false,
    referenceId: input.replyToId ?? null,
    threadId: null,
    createdAtMs: state.now(),
    editedAtMs: null,
  };
  applyPings(state, message, {}, 'message', 'create');
  state.addMessage(message);
  echo(world, 'MESSAGE_CREATE', message);
  return message;
}

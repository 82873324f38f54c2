/**
 * Message create / edit / delete shared by channel routes, interaction callbacks and interaction webhooks:
 * limits, the per-file upload cap (413 / 40005), attachment bookkeeping and the gateway echo. The echo
 * applies Discord's MESSAGE_CONTENT rule: without that intent, guild messages by others that don't mention
 * the bot arrive with empty content, embeds, attachments and components.
 */
import { ApiError, formError, formErrors } from './api-error.js';
import type { GatewayServer } from './gateway.js';
import { isEmptyMessage } from './limits.js';
import { type MentionContext, pingsAnyone, resolvePings } from './mentions.js';
import { validateMessageBody } from './message-limits.js';
import { apiMember, apiMessage } from './payloads.js';
import type { DoubleState } from './state.js';
import type {
  DoubleUser,
  InteractionRecord,
  StoredAttachment,
  StoredChannel,
  StoredMessage,
  UploadedFile,
} from './types.js';

export interface World {
  state: DoubleState;
  gateway: GatewayServer;
  echoBotMessages: boolean;
}

type Obj = Record<string, unknown>;

const EPHEMERAL = 64;
const LOADING = 128;
const SUPPRESS_EMBEDS = 4;
const IS_COMPONENTS_V2 = 1 << 15;
const INTENT_GUILD_MESSAGES = 1 << 9;
const INTENT_DIRECT_MESSAGES = 1 << 12;
const INTENT_MESSAGE_CONTENT = 1 << 15;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves who `message` (just created or edited with `body`) pings, stores it on the message and logs it. */
export function applyPings(
  state: DoubleState,
  message: StoredMessage,
  body: Obj,
  kind: MentionContext['kind'],
  on: 'create' | 'edit',
): void {
  const replied = message.referenceId ? state.message(message.referenceId) : undefined;
  const pings = resolvePings(state, message.content, 'allowed_mentions' in body ? body.allowed_mentions : undefined, {
    authorId: message.author.id,
    guildId: message.guildId,
    kind,
    repliedAuthorId: replied?.author.id ?? null,
  });
  message.mentionIds = pings.users;
  message.mentionRoleIds = pings.roles;
  message.mentionEveryone = pings.everyone;
  if (pingsAnyone(pings)) {
    state.pings.push({
      ...pings,
      messageId: message.id,
      channelId: message.channelId,
      authorId: message.author.id,
      on,
      content: message.content,
      atMs: state.now(),
    });
  }
}

export function checkFileSizes(state: DoubleState, files: UploadedFile[]): void {
  for (const file of files) {
    if (file.data.length > state.attachmentSizeLimit) throw new ApiError(413, 40005, 'Request entity too large');
  }
}

function fileIndex(file: UploadedFile, position: number): string {
  return /^files?\[(\d+)\]$/.exec(file.field)?.[1] ?? String(position);
}

/** Applies Discord's `attachments` semantics: listed existing ids are kept, `files[n]` become new attachments. */
function resolveAttachments(
  state: DoubleState,
  existing: StoredAttachment[],
  listed: unknown,
  files: UploadedFile[],
): StoredAttachment[] {
  const entries = Array.isArray(listed) ? listed.filter(isObj) : null;
  const kept = entries ? existing.filter((a) => entries.some((e) => String(e.id) === a.id)) : existing;
  const added = files.map((file, position) => {
    const index = fileIndex(file, position);
    const entry = entries?.find((e) => String(e.id) === index);
    const id = state.newId();
    const attachment: StoredAttachment = {
      id,
      filename: typeof entry?.filename === 'string' ? entry.filename : file.filename,
      size: file.data.length,
      contentType: file.contentType,
      url: `${state.baseUrl}/attachments/${id}/${encodeURIComponent(file.filename)}`,
      description: typeof entry?.description === 'string' ? entry.description : null,
      data: file.data,
    };
    state.uploads.set(id, attachment);
    return attachment;
  });
  return [...kept, ...added];
}

export interface CreateInput {
  channel: StoredChannel;
  author: DoubleUser;
  body: Obj;
  files: UploadedFile[];
  interaction?: InteractionRecord;
  /** Extra flag bits the double sets itself (LOADING for deferred replies). */
  extraFlags?: number;
  allowEmpty?: boolean;
}

export function createMessage(world: World, input: CreateInput): StoredMessage {
  const { state } = world;
  const { channel, body, files } = input;
  const violations = validateMessageBody(body, files.length);
  if (violations.length > 0) throw formErrors(violations);
  checkFileSizes(state, files);
  if (!input.allowEmpty && isEmptyMessage(body, files.length)) throw new ApiError(400, 50006);
  let referenceId: string | null = null;
  const ref = body.message_reference;
  if (isObj(ref) && typeof ref.message_id === 'string') {
    const target = state.message(ref.message_id);
    if (target && target.channelId === channel.id) referenceId = target.id;
    else if (ref.fail_if_not_exists !== false) {
      throw formError('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
    }
  }
  const content = typeof body.content === 'string' ? body.content : '';
  const bodyFlags = typeof body.flags === 'number' ? body.flags : 0;
  const interaction = input.interaction;
  const message: StoredMessage = {
    id: state.newId(),
    channelId: channel.id,
    guildId: channel.guildId,
    author: input.author,
    content,
    embeds: Array.isArray(body.embeds) ? body.embeds : [],
    components: Array.isArray(body.components) ? body.components : [],
    attachments: resolveAttachments(state, [], body.attachments, files),
    nonce: typeof body.nonce === 'string' || typeof body.nonce === 'number' ? body.nonce : null,
    flags: (bodyFlags & (EPHEMERAL | SUPPRESS_EMBEDS | IS_COMPONENTS_V2 | 4096)) | (input.extraFlags ?? 0),
    type: interaction ? (interaction.type === 2 ? 20 : 0) : referenceId ? 19 : 0,
    webhookId: interaction ? state.applicationId : null,
    interactionId: interaction?.id ?? null,
    mentionIds: [],
    mentionRoleIds: [],
    mentionEveryone: false,
    referenceId,
    threadId: null,
    createdAtMs: state.now(),
    editedAtMs: null,
  };
  applyPings(state, message, body, interaction ? 'interaction' : 'message', 'create');
  state.addMessage(message);
  echo(world, 'MESSAGE_CREATE', message);
  return message;
}

/** `via`: an interaction response or webhook edit (parses users only by default) or a bot-token edit. */
export function editMessage(
  world: World,
  message: StoredMessage,
  body: Obj,
  files: UploadedFile[],
  via: MentionContext['kind'] = message.webhookId ? 'interaction' : 'message',
): StoredMessage {
  const { state } = world;
  const flagsForCheck = typeof body.flags === 'number' ? body.flags : message.flags;
  const violations = validateMessageBody({ ...body, flags: flagsForCheck }, files.length);
  if (violations.length > 0) throw formErrors(violations);
  checkFileSizes(state, files);
  if ('content' in body) message.content = typeof body.content === 'string' ? body.content : '';
  if ('embeds' in body) message.embeds = Array.isArray(body.embeds) ? body.embeds : [];
  if ('components' in body) message.components = Array.isArray(body.components) ? body.components : [];
  let flags = message.flags & ~LOADING;
  if (typeof body.flags === 'number') {
    flags = (flags & ~SUPPRESS_EMBEDS) | (body.flags & (SUPPRESS_EMBEDS | IS_COMPONENTS_V2));
  }
  message.flags = flags;
  if (Array.isArray(body.attachments) || files.length > 0) {
    message.attachments = resolveAttachments(state, message.attachments, body.attachments, files);
  }
  if ('content' in body || 'allowed_mentions' in body) applyPings(state, message, body, via, 'edit');
  message.editedAtMs = state.now();
  echo(world, 'MESSAGE_UPDATE', message);
  return message;
}

export function deleteMessage(world: World, message: StoredMessage): void {
  world.state.removeMessage(message);
  if (!shouldEcho(world, message)) return;
  const needed = message.guildId ? INTENT_GUILD_MESSAGES : INTENT_DIRECT_MESSAGES;
  const d: Obj = { id: message.id, channel_id: message.channelId };
  if (message.guildId) d.guild_id = message.guildId;
  world.gateway.dispatch('MESSAGE_DELETE', (intents) => (intents & needed ? d : null));
}

function shouldEcho(world: World, message: StoredMessage): boolean {
  if (message.flags & EPHEMERAL) return false;
  return world.echoBotMessages || message.author.id !== world.state.botUser.id;
}

/** Dispatches MESSAGE_CREATE / MESSAGE_UPDATE to every session whose intents cover the message. */
export function echo(world: World, t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: StoredMessage): void {
  if (!shouldEcho(world, message)) return;
  const { state } = world;
  const channel = state.channels.get(message.channelId);
  const needed = message.guildId ? INTENT_GUILD_MESSAGES : INTENT_DIRECT_MESSAGES;
  const exempt =
    !message.guildId || message.author.id === state.botUser.id || message.mentionIds.includes(state.botUser.id);
  world.gateway.dispatch(t, (intents) => {
    if (!(intents & needed)) return null;
    const payload = apiMessage(state, message);
    if (channel) payload.channel_type = channel.type;
    if (message.guildId && !message.webhookId && state.members.has(message.author.id)) {
      payload.member = apiMember(state, message.author.id, false);
    }
    if (!(intents & INTENT_MESSAGE_CONTENT) && !exempt) {
      Object.assign(payload, { content: '', embeds: [], attachments: [], components: [] });
    }
    return payload;
  });
}

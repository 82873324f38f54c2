/**
 * Web API handlers of the Slack double for auth.test, chat.*, conversations.*, users.info and reactions.add.
 * Non-obvious: limits are checked before anything is stored, so a rejected post leaves no message behind, only
 * its entry in `calls`, just as a failed call leaves nothing on Slack.
 */
import {
  type ApiReply,
  type Args,
  type DoubleState,
  fail,
  type StoredEphemeral,
  type StoredMessage,
  str,
} from './double-state.js';
import { findBlockViolations, formatViolation, textTooLong } from './limits.js';
import { messageMentions } from './mentions.js';

export type Handler = (args: Args, state: DoubleState) => ApiReply | Promise<ApiReply>;

function truthy(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** `msg_too_long` / `invalid_blocks_format` / `invalid_blocks` / `no_text`, or undefined when Slack would accept it. */
export function validateMessage(args: Args, requireContent: boolean, textField = 'text'): ApiReply | undefined {
  const text = str(args[textField]);
  if (textTooLong(text)) return fail('msg_too_long');
  if (args.blocks !== undefined) {
    // The body parser leaves unparseable JSON as a string.
    if (!Array.isArray(args.blocks)) return fail('invalid_blocks_format');
    const violations = findBlockViolations(args.blocks);
    if (violations.length > 0) {
      return fail('invalid_blocks', { response_metadata: { messages: violations.map(formatViolation) } });
    }
  }
  if (requireContent && !text && args.blocks === undefined && args.attachments === undefined) return fail('no_text');
  return undefined;
}

/**
 * A message as the API returns it (Slack message objects carry no `channel`, nor the double's mention record;
 * metadata only when asked for).
 */
export function publicMessage(message: StoredMessage, includeMetadata = false): Record<string, unknown> {
  const { channel: _channel, mentions: _mentions, metadata, ...rest } = message;
  return includeMetadata && metadata ? { ...rest, metadata } : rest;
}

/** Whom a chat.* call's text, blocks and attachments notify (bare @channel only with `link_names`). */
function mentionsOf(args: Args) {
  return messageMentions({
    text: str(args.text),
    blocks: args.blocks,
    attachments: args.attachments,
    linkNames: truthy(args.link_names),
  });
}

/** chat.postMessage `metadata`: an `event_type` and an object `event_payload`, as Slack requires. */
function parseMetadata(value: unknown): StoredMessage['metadata'] | 'invalid' | undefined {
  if (value === undefined) return undefined;
  const m = value as { event_type?: unknown; event_payload?: unknown } | null;
  if (typeof m?.event_type !== 'string' || !/^[a-z0-9_]{1,255}$/.test(m.event_type)) return 'invalid';
  if (typeof m.event_payload !== 'object' || m.event_payload === null || Array.isArray(m.event_payload))
    return 'invalid';
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

const authTest: Handler = (_args, state) => ({
  ok: true,
  url: `https://${state.ids.teamDomain}.slack.com/`,
  team: 'Higgs Test',
  user: 'higgsbot',
  team_id: state.ids.teamId,
  user_id: state.ids.botUserId,
  bot_id: state.ids.botId,
  is_enterprise_install: false,
});

const postMessage: Handler = (args, state) => {
  const channel = state.resolveChannel(str(args.channel));
  if (channel === undefined) return fail('channel_not_found');
  if (state.notJoined.has(channel)) return fail('not_in_channel');
  const invalid = validateMessage(args, true);
  if (invalid) return invalid;
  const message: StoredMessage = {
    type: 'message',
    channel,
    ts: state.nextTs(),
    text: str(args.text) ?? '',
    user: state.ids.botUserId,
    bot_id: state.ids.botId,
    app_id: state.ids.appId,
    mentions: mentionsOf(args),
  };
  if (Array.isArray(args.blocks)) message.blocks = args.blocks;
  const metadata = parseMetadata(args.metadata);
  if (metadata === 'invalid') return fail('invalid_metadata_format');
  if (metadata) message.metadata = metadata;
  const threadTs = str(args.thread_ts);
  if (threadTs) {
    message.thread_ts = threadTs;
    if (truthy(args.reply_broadcast)) message.reply_broadcast = true;
  }
  state.addMessage(message);
  return { ok: true, channel, ts: message.ts, message: publicMessage(message) };
};

const update: Handler = (args, state) => {
  const channel = state.resolveChannel(str(args.channel));
  if (channel === undefined) return fail('channel_not_found');
  const message = state.findMessage(channel, str(args.ts) ?? '');
  if (!message) return fail('message_not_found');
  if (message.user !== state.ids.botUserId) return fail('cant_update_message');
  const invalid = validateMessage(args, true);
  if (invalid) return invalid;
  const text = str(args.text);
  if (text !== undefined) message.text = text;
  if (Array.isArray(args.blocks)) message.blocks = args.blocks;
  message.mentions = messageMentions({
    text: message.text,
    blocks: message.blocks,
    attachments: args.attachments,
    linkNames: truthy(args.link_names),
  });
  message.edited = { user: state.ids.botUserId, ts: state.nextTs() };
  return { ok: true, channel, ts: message.ts, text: message.text, message: publicMessage(message) };
};

const postEphemeral: Handler = (args, state) => {
  const channel = state.resolveChannel(str(args.channel));
  if (channel === undefined) return fail('channel_not_found');
  const user = str(args.user);
  if (!user) return fail('user_not_in_channel');
  const invalid = validateMessage(args, true);
  if (invalid) return invalid;
  const ephemeral: StoredEphemeral = {
    channel,
    user,
    text: str(args.text) ?? '',
    blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
    message_ts: state.nextTs(),
    mentions: mentionsOf(args),
  };
  const threadTs = str(args.thread_ts);
  if (threadTs) ephemeral.thread_ts = threadTs;
  state.ephemerals.push(ephemeral);
  return { ok: true, message_ts: ephemeral.message_ts };
};

const deleteMessage: Handler = (args, state) => {
  const channel = state.resolveChannel(str(args.channel));
  if (channel === undefined) return fail('channel_not_found');
  const message = state.findMessage(channel, str(args.ts) ?? '');
  if (!message) return fail('message_not_found');
  if (message.user !== state.ids.botUserId) return fail('cant_delete_message');
  state.messageList.splice(state.messageList.indexOf(message), 1);
  return { ok: true, channel, ts: message.ts };
};

const conversationsInfo: Handler = (args, state) => {
  const id = state.resolveChannel(str(args.channel));
  if (id === undefined || /^[UW]/.test(str(args.channel) ?? '')) return fail('channel_not_found');
  const isIm = id.startsWith('D');
  const channel: Record<string, unknown> = {
    id,
    name: isIm ? undefined : `chan-${id.toLowerCase()}`,
    is_channel: id.startsWith('C'),
    is_group: id.startsWith('G'),
    is_im: isIm,
    is_private: !id.startsWith('C'),
    is_member: !state.notJoined.has(id),
    is_archived: false,
  };
  if (isIm) channel.user = `U${id.slice(1)}`;
  return { ok: true, channel };
};

const conversationsOpen: Handler = (args, state) => {
  const users = (str(args.users) ?? '').split(',').filter((u) => u.length > 0);
  if (users.length === 0) return fail('users_list_not_supplied');
  const first = users[0] ?? '';
  const id = users.length === 1 ? state.dmFor(first) : `G${users.map((u) => u.slice(1)).join('')}`.slice(0, 20);
  return { ok: true, channel: { id } };
};

const conversationsReplies: Handler = (args, state) => {
  const channel = state.resolveChannel(str(args.channel));
  if (channel === undefined) return fail('channel_not_found');
  const thread = state.thread(channel, str(args.ts) ?? '');
  if (thread.length === 0) return fail('thread_not_found');
  const limit = Number(str(args.limit) ?? 1000);
  const withMetadata = truthy(args.include_all_metadata);
  const messages = thread.slice(0, limit > 0 ? limit : 1000).map((m) => publicMessage(m, withMetadata));
  return { ok: true, messages, has_more: messages.length < thread.length, response_metadata: { next_cursor: '' } };
};

const conversationsHistory: Handler = (args, state) => {
  const channel = state.resolveChannel(str(args.channel));
  if (channel === undefined) return fail('channel_not_found');
  const all = state.history(channel);
  const limit = Math.min(Math.max(Number(str(args.limit) ?? 100) || 100, 1), 999);
  const withMetadata = truthy(args.include_all_metadata);
  const messages = all.slice(0, limit).map((m) => publicMessage(m, withMetadata));
  return { ok: true, messages, has_more: all.length > limit, response_metadata: { next_cursor: '' } };
};

const usersInfo: Handler = (args, state) => {
  const id = str(args.user) ?? '';
  if (id === state.ids.botUserId) {
    return { ok: true, user: { id, team_id: state.ids.teamId, name: 'higgsbot', is_bot: true, deleted: false } };
  }
  const user = state.users.get(id);
  if (!user) return fail('user_not_found');
  const name = user.name ?? id.toLowerCase();
  return {
    ok: true,
    user: {
      id,
      team_id: state.ids.teamId,
      name,
      real_name: name,
      deleted: false,
      is_bot: false,
      is_admin: user.isAdmin ?? false,
      is_owner: user.isOwner ?? false,
      profile: { display_name: name, real_name: name },
    },
  };
};

const reactionsAdd: Handler = (args, state) => {
  const channel = state.resolveChannel(str(args.channel));
  if (channel === undefined) return fail('channel_not_found');
  const message = state.findMessage(channel, str(args.timestamp) ?? '');
  if (!message) return fail('message_not_found');
  const name = str(args.name);
  if (!name) return fail('invalid_name');
  message.reactions ??= [];
  let reaction = message.reactions.find((r) => r.name === name);
  if (reaction?.users.includes(state.ids.botUserId)) return fail('already_reacted');
  if (!reaction) {
    reaction = { name, users: [], count: 0 };
    message.reactions.push(reaction);
  }
  reaction.users.push(state.ids.botUserId);
  reaction.count += 1;
  return { ok: true };
};

export const CHAT_HANDLERS: Record<string, Handler> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': deleteMessage,
  'conversations.info': conversationsInfo,
  'conversations.open': conversationsOpen,
  'conversations.replies': conversationsReplies,
  'conversations.history': conversationsHistory,
  'users.info': usersInfo,
  'reactions.add': reactionsAdd,
};

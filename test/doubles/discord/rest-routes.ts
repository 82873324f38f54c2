/**
 * Bot-token REST routes of the double: gateway info, users, DM channels, channels, messages, threads and guild reads. `enforce_nonce` is honoured per channel within a window
 * (default 5 min): a repeat returns the earlier message unchanged, which is what an idempotent retry relies on.
 */
import { ApiError, formErrors } from './api-error.js';
import { commandRoutes } from './command-routes.js';
import { validateThreadBody } from './limits.js';
import { createMessage, deleteMessage, editMessage, type World } from './messages.js';
import { apiChannel, apiGuild, apiMember, apiMessage, apiRole, apiUser } from './payloads.js';
import type { Route, RouteContext, RouteResult } from './rest-server.js';
import type { StoredChannel } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const ok = (body?: unknown): RouteResult => (body === undefined ? { status: 204 } : { status: 200, body });
const param = (ctx: RouteContext, name: string): string => ctx.params[name] ?? '';
const HAS_THREAD = 32;
const INTENT_GUILDS = 1;

export interface RestRouteOptions {
  gatewayUrl: () => string;
  nonceWindowMs: number;
  cannotDmUserIds: ReadonlySet<string>;
}

export function restRoutes(world: World, options: RestRouteOptions): Route[] {
  const { state } = world;

  const gatewayInfo = () => ({
    url: options.gatewayUrl(),
    shards: 1,
    session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
  });

  const requireGuild = (id: string) => {
    if (id !== state.guildId) throw new ApiError(404, 10004);
  };

  const createThread = (parent: StoredChannel, id: string, body: Obj, type: number, messageId: string | null) => {
    const violations = validateThreadBody(body);
    if (violations.length > 0) throw formErrors(violations);
    const thread = state.addChannel({
      id,
      type,
      name: String(body.name),
      guildId: parent.guildId,
      parentId: parent.id,
      messageId,
      ownerId: state.botUser.id,
      autoArchiveDuration: Number(body.auto_archive_duration ?? parent.autoArchiveDuration),
    });
    world.gateway.dispatch('THREAD_CREATE', (intents) =>
      intents & INTENT_GUILDS ? { ...apiChannel(state, thread), newly_created: true } : null,
    );
    return { status: 201, body: apiChannel(state, thread) };
  };

  const postMessage = (ctx: RouteContext): RouteResult => {
    const channel = state.requireChannel(param(ctx, 'channelId'));
    if (channel.type === 1 && options.cannotDmUserIds.has(channel.recipientId ?? '')) throw new ApiError(403, 50007);
    if (state.sendDenied.has(channel.id) || state.sendDenied.has(channel.parentId ?? ''))
      throw new ApiError(403, 50013);
    const body = obj(ctx.body);
    const nonce = body.nonce;
    const key = `${channel.id}:${String(nonce)}`;
    if (body.enforce_nonce === true && (typeof nonce === 'string' || typeof nonce === 'number')) {
      const seen = state.nonces.get(key);
      const earlier =
        seen && state.now() - seen.atMs < options.nonceWindowMs ? state.message(seen.messageId) : undefined;
      if (earlier) return ok(apiMessage(state, earlier));
    }
    const message = createMessage(world, { channel, author: state.botUser, body, files: ctx.files });
    if (nonce !== undefined && nonce !== null)
      state.nonces.set(key, { messageId: message.id, atMs: message.createdAtMs });
    return ok(apiMessage(state, message));
  };

  const listMessages = (ctx: RouteContext): RouteResult => {
    const channel = state.requireChannel(param(ctx, 'channelId'));
    const limit = Math.min(Number(ctx.query.get('limit') ?? 50), 100);
    const before = ctx.query.get('before');
    const after = ctx.query.get('after');
    const list = state
      .messages(channel.id)
      .filter((m) => (before ? BigInt(m.id) < BigInt(before) : true) && (after ? BigInt(m.id) > BigInt(after) : true))
      .reverse()
      .slice(0, limit);
    return ok(list.map((m) => apiMessage(state, m)));
  };

  return [
    { method: 'GET', pattern: '/gateway/bot', auth: true, handle: () => ok(gatewayInfo()) },
    { method: 'GET', pattern: '/gateway', auth: false, handle: () => ok({ url: options.gatewayUrl() }) },
    {
      method: 'GET',
      pattern: '/users/@me',
      auth: true,
      handle: () => ok({ ...apiUser(state.botUser), verified: true, mfa_enabled: false }),
    },
    {
      method: 'POST',
      pattern: '/users/@me/channels',
      auth: true,
      handle: (ctx) => ok(apiChannel(state, state.dmChannelFor(String(obj(ctx.body).recipient_id ?? '')))),
    },
    {
      method: 'GET',
      pattern: '/users/:userId',
      auth: true,
      handle: (ctx) => {
        const user = state.users.get(param(ctx, 'userId'));
        if (!user) throw new ApiError(404, 10013);
        return ok(apiUser(user));
      },
    },
    ...commandRoutes(world),
    {
      method: 'GET',
      pattern: '/channels/:channelId',
      auth: true,
      handle: (ctx) => ok(apiChannel(state, state.requireChannel(param(ctx, 'channelId')))),
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channelId',
      auth: true,
      handle: (ctx) => {
        const channel = state.requireChannel(param(ctx, 'channelId'));
        const body = obj(ctx.body);
        if (typeof body.name === 'string') channel.name = body.name;
        if (typeof body.archived === 'boolean') channel.archived = body.archived;
        if (typeof body.auto_archive_duration === 'number') channel.autoArchiveDuration = body.auto_archive_duration;
        return ok(apiChannel(state, channel));
      },
    },
    { method: 'GET', pattern: '/channels/:channelId/messages', auth: true, handle: listMessages },
    { method: 'POST', pattern: '/channels/:channelId/messages', auth: true, handle: postMessage },
    {
      method: 'GET',
      pattern: '/channels/:channelId/messages/:messageId',
      auth: true,
      handle: (ctx) => ok(apiMessage(state, state.requireMessage(param(ctx, 'channelId'), param(ctx, 'messageId')))),
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channelId/messages/:messageId',
      auth: true,
      handle: (ctx) => {
        const message = state.requireMessage(param(ctx, 'channelId'), param(ctx, 'messageId'));
        if (message.author.id !== state.botUser.id || message.webhookId) throw new ApiError(403, 50005);
        return ok(apiMessage(state, editMessage(world, message, obj(ctx.body), ctx.files)));
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channelId/messages/:messageId',
      auth: true,
      handle: (ctx) => {
        deleteMessage(world, state.requireMessage(param(ctx, 'channelId'), param(ctx, 'messageId')));
        return ok();
      },
    },
    {
      method: 'POST',
      pattern: '/channels/:channelId/typing',
      auth: true,
      handle: (ctx) => {
        state.requireChannel(param(ctx, 'channelId'));
        return ok();
      },
    },
    ...['PUT', 'DELETE'].map((method) => ({
      method,
      pattern: '/channels/:channelId/messages/:messageId/reactions/:emoji/@me',
      auth: true,
      handle: (ctx: RouteContext) => {
        state.requireMessage(param(ctx, 'channelId'), param(ctx, 'messageId'));
        return ok();
      },
    })),
    {
      method: 'POST',
      pattern: '/channels/:channelId/messages/:messageId/threads',
      auth: true,
      handle: (ctx) => {
        const parent = state.requireChannel(param(ctx, 'channelId'));
        if (parent.type !== 0 && parent.type !== 5) throw new ApiError(400, 50024);
        const message = state.requireMessage(parent.id, param(ctx, 'messageId'));
        if (message.threadId) throw new ApiError(400, 160004);
        const result = createThread(parent, message.id, obj(ctx.body), 11, message.id);
        message.threadId = message.id;
        message.flags |= HAS_THREAD;
        return result;
      },
    },
    {
      method: 'POST',
      pattern: '/channels/:channelId/threads',
      auth: true,
      handle: (ctx) => {
        const parent = state.requireChannel(param(ctx, 'channelId'));
        if (parent.type !== 0 && parent.type !== 5) throw new ApiError(400, 50024);
        const body = obj(ctx.body);
        return createThread(parent, state.newId(), body, Number(body.type ?? 12), null);
      },
    },
    {
      method: 'PUT',
      pattern: '/channels/:channelId/thread-members/@me',
      auth: true,
      handle: (ctx) => {
        state.requireChannel(param(ctx, 'channelId'));
        return ok();
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId',
      auth: true,
      handle: (ctx) => {
        requireGuild(param(ctx, 'guildId'));
        return ok({ ...apiGuild(state), approximate_member_count: state.members.size });
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/channels',
      auth: true,
      handle: (ctx) => {
        requireGuild(param(ctx, 'guildId'));
        return ok(state.guildChannels().map((c) => apiChannel(state, c)));
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/roles',
      auth: true,
      handle: (ctx) => {
        requireGuild(param(ctx, 'guildId'));
        return ok(state.roles.map(apiRole));
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/members',
      auth: true,
      handle: (ctx) => {
        requireGuild(param(ctx, 'guildId'));
        return ok([...state.members.keys()].map((id) => apiMember(state, id)));
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/members/:userId',
      auth: true,
      handle: (ctx) => {
        requireGuild(param(ctx, 'guildId'));
        if (!state.members.has(param(ctx, 'userId'))) throw new ApiError(404, 10007);
        return ok(apiMember(state, param(ctx, 'userId')));
      },
    },
  ];
}

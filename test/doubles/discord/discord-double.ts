/**
 * Local Discord double for integration tests: REST v10 (`/api/v10/*`) and a JSON gateway (`/gateway`) on one
 * 127.0.0.1 port, driven by the real discord.js Client via `rest: { api: double.apiUrl, version: '10' }`.
 * Non-obvious: `close()` terminates gateway sockets and drops keep-alive HTTP connections instead of waiting,
 * so always `client.destroy()` first; otherwise the client sees a dropped socket and starts reconnecting.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayServer } from './gateway.js';
import { interactionRoutes } from './interaction-routes.js';
import type { World } from './messages.js';
import { apiGuildCreate, apiMember, apiUser } from './payloads.js';
import { restRoutes } from './rest-routes.js';
import { createRestHandler, type Failure } from './rest-server.js';
import { type DiscordDoubleOptions, DoubleState } from './state.js';
import type { InteractionResponseRecord, PingRecord, RecordedCall, StoredCommand, StoredMessage } from './types.js';
import {
  type AutocompleteInput,
  type ComponentClickInput,
  clickComponent,
  type SentInteraction,
  type SlashCommandInput,
  sendAutocomplete,
  sendSlashCommand,
  sendUserMessage,
  type UserMessageInput,
} from './user-actions.js';

export type { DiscordDoubleOptions, MemberOption } from './state.js';
export { ALL_PERMISSIONS, DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, Perm } from './state.js';
export type * from './types.js';
export type * from './user-actions.js';

export interface DiscordDouble {
  /** `http://127.0.0.1:<port>/api` — pass as `rest.api` with `version: '10'`. */
  apiUrl: string;
  gatewayUrl: string;
  token: string;
  applicationId: string;
  botUser: { id: string; username: string };
  guild: {
    id: string;
    name: string;
    ownerId: string;
    /** The default `general` text channel. */
    textChannelId: string;
    readonly channels: Array<{ id: string; name: string; type: number }>;
    /** Includes the owner, the bot and members added by options or by acting in the guild. */
    readonly members: Array<{ id: string; username: string; permissions: string }>;
    /** @everyone (id = guild id), the options' roles, and each member's own role. */
    readonly roles: Array<{ id: string; name: string; mentionable: boolean }>;
  };
  /**
   * Every message create or edit that pinged someone (users, roles, @everyone/@here), by any author, computed
   * as Discord does from the content, `allowed_mentions` and permissions. Filter on `authorId` for the bot.
   */
  readonly pings: PingRecord[];
  /** Every REST call in arrival order (including refused and unknown ones). */
  calls: RecordedCall[];
  messages(channelId: string): StoredMessage[];
  message(messageId: string): StoredMessage | undefined;
  readonly threads: Array<{ id: string; parentId: string; name: string; messageId?: string }>;
  interactionResponses(interactionId: string): InteractionResponseRecord[];
  /** Choices of the type-8 callback to an autocomplete interaction, or null if none yet. */
  autocompleteChoices(interactionId: string): Array<{ name: string; value: string | number }> | null;
  commands(guildId?: string | null): StoredCommand[];
  dmChannelId(userId: string): string;
  sendSlashCommand(input: SlashCommandInput): Promise<SentInteraction>;
  clickButton(input: ComponentClickInput): Promise<SentInteraction>;
  autocomplete(input: AutocompleteInput): Promise<SentInteraction>;
  sendMessage(input: UserMessageInput): Promise<StoredMessage>;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /**
   * A permission overwrite on `channelId` denying the bot Send Messages and Send Messages in Threads: posting
   * there, or in a thread under it, answers 403 / 50013 Missing Permissions, as Discord does.
   */
  denyBotSend(channelId: string): void;
  /** The next REST call matching `route` (RegExp on `"METHOD /path"`, or exact path / `"METHOD /path"`) fails. */
  failNext(route: RegExp | string, reply: Failure['reply']): void;
  /** Per-file upload limit (bytes), also sent as `attachment_size_limit`; default 10 MiB. */
  attachmentSizeLimit: number;
  /** Moves the double's clock forward (token expiry, deadlines, nonce window). */
  advanceTime(ms: number): void;
  now(): number;
  /** op 7 Reconnect to every connected client (they RESUME). */
  requestReconnect(): void;
  /** Drop every gateway socket with `code` (default 4000: clients resume). */
  disconnectGateway(code?: number): void;
  gatewayStats(): { connected: number; identifies: number; resumes: number };
  close(): Promise<void>;
}

export async function startDiscordDouble(options: DiscordDoubleOptions = {}): Promise<DiscordDouble> {
  const state = new DoubleState(options);
  const calls: RecordedCall[] = [];
  const failures: Failure[] = [];
  let port = 0;
  const gatewayUrl = () => `ws://127.0.0.1:${port}/gateway`;
  const gateway = new GatewayServer({
    token: state.token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    disallowedIntents: options.disallowedIntents ?? 0,
    ready: (sessionId) => ({
      v: 10,
      user: { ...apiUser(state.botUser), verified: true, mfa_enabled: false },
      guilds: [{ id: state.guildId, unavailable: true }],
      session_id: sessionId,
      resume_gateway_url: gatewayUrl(),
      shard: [0, 1],
      application: { id: state.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      user_settings: {},
    }),
    guildCreates: () => [apiGuildCreate(state)],
    members: (request) => {
      const ids = Array.isArray(request.user_ids)
        ? request.user_ids.map(String)
        : typeof request.user_ids === 'string'
          ? [request.user_ids]
          : null;
      const query = typeof request.query === 'string' ? request.query.toLowerCase() : '';
      return [...state.members.keys()]
        .filter((id) => (ids ? ids.includes(id) : state.ensureUser(id).username.toLowerCase().startsWith(query)))
        .map((id) => apiMember(state, id));
    },
  });
  const world: World = { state, gateway, echoBotMessages: options.echoBotMessages ?? true };
  const routes = [
    ...interactionRoutes(world, {
      deadlineMs: options.interactionDeadlineMs ?? 3_000,
      tokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    }),
    ...restRoutes(world, {
      gatewayUrl,
      nonceWindowMs: options.nonceWindowMs ?? 5 * 60_000,
      cannotDmUserIds: new Set(options.cannotDmUserIds ?? []),
    }),
  ];
  const server = createServer(createRestHandler({ state, routes, calls, failures }));
  server.on('upgrade', (req, socket, head: Buffer) => {
    if ((req.url ?? '').startsWith('/gateway')) gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  state.baseUrl = `http://127.0.0.1:${port}`;

  const double: DiscordDouble = {
    apiUrl: `${state.baseUrl}/api`,
    gatewayUrl: gatewayUrl(),
    token: state.token,
    applicationId: state.applicationId,
    botUser: { id: state.botUser.id, username: state.botUser.username },
    guild: {
      id: state.guildId,
      name: state.guildName,
      ownerId: state.ownerId,
      textChannelId: state.defaultChannelId,
      get channels() {
        return state.guildChannels().map((c) => ({ id: c.id, name: c.name ?? '', type: c.type }));
      },
      get members() {
        return [...state.members.keys()].map((id) => ({
          id,
          username: state.ensureUser(id).username,
          permissions: state.memberPermissions(id).toString(),
        }));
      },
      get roles() {
        return state.roles.map((r) => ({ id: r.id, name: r.name, mentionable: r.mentionable }));
      },
    },
    get pings() {
      return [...state.pings];
    },
    calls,
    messages: (channelId) => state.messages(channelId),
    message: (messageId) => state.message(messageId),
    get threads() {
      return state.threads().map((t) => ({
        id: t.id,
        parentId: t.parentId ?? '',
        name: t.name ?? '',
        ...(t.messageId ? { messageId: t.messageId } : {}),
      }));
    },
    interactionResponses: (interactionId) => [...(state.interactions.get(interactionId)?.responses ?? [])],
    autocompleteChoices: (interactionId) => {
      const response = state.interactions
        .get(interactionId)
        ?.responses.find((r) => r.kind === 'callback' && r.type === 8);
      const data = response?.data as { choices?: Array<{ name: string; value: string | number }> } | undefined;
      return response ? (data?.choices ?? []) : null;
    },
    commands: (guildId = null) => state.commands.filter((c) => c.guildId === guildId),
    dmChannelId: (userId) => state.dmChannelFor(userId).id,
    sendSlashCommand: async (input) => sendSlashCommand(world, input),
    clickButton: async (input) => clickComponent(world, input),
    autocomplete: async (input) => sendAutocomplete(world, input),
    sendMessage: async (input) => sendUserMessage(world, input),
    waitFor: async (predicate, timeoutMs = 3_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`discord double: waitFor timed out after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    denyBotSend: (channelId) => {
      state.sendDenied.add(channelId);
    },
    failNext: (route, reply) => {
      failures.push({ match: route, reply });
    },
    get attachmentSizeLimit() {
      return state.attachmentSizeLimit;
    },
    set attachmentSizeLimit(bytes: number) {
      state.attachmentSizeLimit = bytes;
    },
    advanceTime: (ms) => {
      state.clockOffsetMs += ms;
    },
    now: () => state.now(),
    requestReconnect: () => gateway.requestReconnect(),
    disconnectGateway: (code) => gateway.disconnectAll(code),
    gatewayStats: () => ({
      connected: gateway.connectedCount(),
      identifies: gateway.identifyCount,
      resumes: gateway.resumeCount,
    }),
    close: async () => {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return double;
}

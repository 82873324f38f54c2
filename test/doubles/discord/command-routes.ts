/**
 * Application routes: `GET /applications/@me` and command registration (global and guild: PUT replaces the
 * set, POST upserts one, GET lists). Non-obvious: ids stay stable across re-registration by name, so a
 * slash command dispatched by the double carries the same `data.id` the bot got back from its PUT.
 */
import { ApiError, formErrors } from './api-error.js';
import { validateCommand } from './limits.js';
import type { World } from './messages.js';
import { apiApplication } from './payloads.js';
import type { Route, RouteContext, RouteResult } from './rest-server.js';
import type { StoredCommand } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const ok = (body: unknown): RouteResult => ({ status: 200, body });

export function commandRoutes(world: World): Route[] {
  const { state } = world;
  const scope = (ctx: RouteContext): string | null => {
    state.requireApp(ctx.params.appId);
    const guildId = ctx.params.guildId ?? null;
    if (guildId !== null && guildId !== state.guildId) throw new ApiError(404, 10004);
    return guildId;
  };

  const apiCommand = (c: StoredCommand): Obj => ({
    type: 1,
    options: [],
    default_member_permissions: null,
    nsfw: false,
    integration_types: [0],
    contexts: null,
    ...c.body,
    id: c.id,
    application_id: state.applicationId,
    version: c.id,
    ...(c.guildId ? { guild_id: c.guildId } : {}),
  });

  const upsertCommand = (body: Obj, guildId: string | null): StoredCommand => {
    const existing = state.commands.find((c) => c.guildId === guildId && c.name === body.name);
    if (existing) {
      existing.body = body;
      return existing;
    }
    const command: StoredCommand = { id: state.newId(), name: String(body.name), guildId, body };
    state.commands.push(command);
    return command;
  };

  const putCommands = (ctx: RouteContext): RouteResult => {
    const guildId = scope(ctx);
    const list = Array.isArray(ctx.body) ? ctx.body : [];
    const violations = list.flatMap((c, i) => validateCommand(c, String(i)));
    const names = list.map((c) => `${String(obj(c).type ?? 1)}:${String(obj(c).name)}`);
    if (names.some((n, i) => names.indexOf(n) !== i)) {
      violations.push({
        path: '',
        code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
        message: 'Application command names must be unique',
      });
    }
    if (list.filter((c) => (obj(c).type ?? 1) === 1).length > 100) {
      violations.push({ path: '', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer chat input commands.' });
    }
    if (violations.length > 0) throw formErrors(violations);
    const kept = list.map((c) => upsertCommand(obj(c), guildId));
    for (const c of state.commands.filter((x) => x.guildId === guildId && !kept.includes(x))) {
      state.commands.splice(state.commands.indexOf(c), 1);
    }
    return ok(kept.map(apiCommand));
  };

  const postCommand = (ctx: RouteContext): RouteResult => {
    const guildId = scope(ctx);
    const violations = validateCommand(ctx.body, '');
    if (violations.length > 0) throw formErrors(violations);
    return { status: 201, body: apiCommand(upsertCommand(obj(ctx.body), guildId)) };
  };

  const listCommands = (ctx: RouteContext): RouteResult => {
    const guildId = scope(ctx);
    return ok(state.commands.filter((c) => c.guildId === guildId).map(apiCommand));
  };

  const guildPattern = '/applications/:appId/guilds/:guildId/commands';
  return [
    { method: 'GET', pattern: '/applications/@me', auth: true, handle: () => ok(apiApplication(state)) },
    { method: 'GET', pattern: '/applications/:appId/commands', auth: true, handle: listCommands },
    { method: 'PUT', pattern: '/applications/:appId/commands', auth: true, handle: putCommands },
    { method: 'POST', pattern: '/applications/:appId/commands', auth: true, handle: postCommand },
    { method: 'GET', pattern: guildPattern, auth: true, handle: listCommands },
    { method: 'PUT', pattern: guildPattern, auth: true, handle: putCommands },
    { method: 'POST', pattern: guildPattern, auth: true, handle: postCommand },
  ];
}

/**
 * Who a message actually pings, per developers/resources/message.mdx "Allowed Mentions Object": mentions
 * come from the content only (never embeds); with `allowed_mentions` absent, regular messages parse users,
 * roles and everyone while interaction responses and webhooks parse users only; with it present, only what
 * it allows pings. `@everyone`/`@here` need the author's MENTION_EVERYONE; a role pings when it is
 * mentionable or the author has MENTION_EVERYONE; a reply pings the replied-to author unless
 * `allowed_mentions` is present without `replied_user: true`. Invalid objects are refused as Discord does:
 * unknown parse types, more than 100 ids, and `parse: ["users"]` with a non-empty `users` (same for roles).
 */
import { formErrors, type Violation } from './api-error.js';
import type { DoubleState } from './state.js';
import { Perm } from './state.js';
import type { Pings } from './types.js';

type Obj = Record<string, unknown>;

const PARSE_TYPES = new Set(['users', 'roles', 'everyone']);
const MAX_IDS = 100;

export interface MentionContext {
  authorId: string;
  guildId: string | null;
  /** Interaction responses and webhook messages default to `parse: ["users"]`. */
  kind: 'message' | 'interaction';
  /** The author of the message this one replies to, if it is a reply. */
  repliedAuthorId?: string | null;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the content would mention with every type parsed. */
function mentionTokens(content: string): { users: string[]; roles: string[]; everyone: boolean } {
  const unique = (re: RegExp) => [...new Set([...content.matchAll(re)].map((m) => m[1] ?? ''))].filter(Boolean);
  return {
    users: unique(/<@!?(\d{1,20})>/g),
    roles: unique(/<@&(\d{1,20})>/g),
    everyone: /@(everyone|here)\b/.test(content),
  };
}

function idList(out: Violation[], value: unknown, field: 'users' | 'roles'): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) {
    out.push({ path: `allowed_mentions.${field}`, code: 'BASE_TYPE_LIST', message: 'Must be an array.' });
    return null;
  }
  if (value.length > MAX_IDS) {
    out.push({
      path: `allowed_mentions.${field}`,
      code: 'BASE_TYPE_MAX_LENGTH',
      message: `Must be ${MAX_IDS} or fewer in length.`,
    });
  }
  value.forEach((id, i) => {
    if (typeof id !== 'string' || !/^\d{1,20}$/.test(id)) {
      out.push({
        path: `allowed_mentions.${field}.${i}`,
        code: 'NUMBER_TYPE_COERCE',
        message: `Value "${String(id)}" is not snowflake.`,
      });
    }
  });
  return value.map(String);
}

/** The pings of `content` sent with `allowed` (`undefined` when the body has no `allowed_mentions` key). */
export function resolvePings(state: DoubleState, content: string, allowed: unknown, ctx: MentionContext): Pings {
  const tokens = mentionTokens(content);
  let parse: Set<string>;
  let users: string[] | null = null;
  let roles: string[] | null = null;
  let repliedUser: boolean;
  if (allowed === undefined || allowed === null) {
    parse = new Set(ctx.kind === 'interaction' ? ['users'] : ['users', 'roles', 'everyone']);
    repliedUser = true;
  } else {
    const out: Violation[] = [];
    if (!isObj(allowed)) {
      throw formErrors([
        {
          path: 'allowed_mentions',
          code: 'MODEL_TYPE_CONVERT',
          message: 'Only dictionaries may be used in a ModelType',
        },
      ]);
    }
    const rawParse = allowed.parse ?? [];
    if (!Array.isArray(rawParse)) {
      out.push({ path: 'allowed_mentions.parse', code: 'BASE_TYPE_LIST', message: 'Must be an array.' });
    }
    parse = new Set(Array.isArray(rawParse) ? rawParse.map(String) : []);
    for (const [i, type] of [...parse].entries()) {
      if (!PARSE_TYPES.has(type)) {
        out.push({
          path: `allowed_mentions.parse.${i}`,
          code: 'BASE_TYPE_CHOICES',
          message: "Value must be one of ('roles', 'users', 'everyone').",
        });
      }
    }
    users = idList(out, allowed.users, 'users');
    roles = idList(out, allowed.roles, 'roles');
    if (parse.has('users') && users && users.length > 0) {
      out.push({
        path: 'allowed_mentions',
        code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        message: 'parse:["users"] and users: [ids] are mutually exclusive.',
      });
    }
    if (parse.has('roles') && roles && roles.length > 0) {
      out.push({
        path: 'allowed_mentions',
        code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        message: 'parse:["roles"] and roles: [ids] are mutually exclusive.',
      });
    }
    if (out.length > 0) throw formErrors(out);
    repliedUser = allowed.replied_user === true;
  }

  const canMentionEveryone =
    ctx.guildId !== null && (state.memberPermissions(ctx.authorId) & Perm.MentionEveryone) !== 0n;
  const pingedUsers = tokens.users.filter(
    (id) => state.users.has(id) && (parse.has('users') || (users?.includes(id) ?? false)),
  );
  if (ctx.repliedAuthorId && repliedUser && !pingedUsers.includes(ctx.repliedAuthorId)) {
    pingedUsers.push(ctx.repliedAuthorId);
  }
  const pingedRoles =
    ctx.guildId === null
      ? []
      : tokens.roles.filter((id) => {
          const role = state.roles.find((r) => r.id === id);
          if (!role || role.id === state.guildId) return false;
          if (!(parse.has('roles') || (roles?.includes(id) ?? false))) return false;
          return role.mentionable || canMentionEveryone;
        });
  return {
    everyone: tokens.everyone && parse.has('everyone') && canMentionEveryone,
    users: pingedUsers.filter((id) => id !== ctx.authorId),
    roles: pingedRoles,
  };
}

export function pingsAnyone(pings: Pings): boolean {
  return pings.everyone || pings.users.length > 0 || pings.roles.length > 0;
}

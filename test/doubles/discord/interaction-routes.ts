/**
 * Interaction routes (no bot token): `POST /interactions/:id/:token/callback` and the interaction webhook
 * (`/webhooks/:appId/:token[/messages/@original|:id]`). Enforces the 3 s first-callback deadline (10062),
 * single acknowledgement (40060) and the 15 min token lifetime (401 / 50027), all on the double's clock.
 * Non-obvious: as on Discord, the first followup after a deferred (type 5) reply replaces the "thinking"
 * message instead of posting a new one.
 */
import {
  ApiError,
  formError,
  formErrors,
  invalidWebhookToken,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from './api-error.js';
import { validateChoices } from './limits.js';
import { createMessage, deleteMessage, editMessage, type World } from './messages.js';
import { apiMessage } from './payloads.js';
import type { Route, RouteContext, RouteResult } from './rest-server.js';
import type { InteractionRecord, InteractionResponseKind, StoredMessage } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const ok = (body?: unknown): RouteResult => (body === undefined ? { status: 204 } : { status: 200, body });
const EPHEMERAL = 64;
const LOADING = 128;

export interface InteractionRouteOptions {
  deadlineMs: number;
  tokenTtlMs: number;
}

export function interactionRoutes(world: World, options: InteractionRouteOptions): Route[] {
  const { state } = world;

  const record = (
    rec: InteractionRecord,
    kind: InteractionResponseKind,
    type: number | null,
    data: unknown,
    messageId: string | null,
  ) => {
    rec.responses.push({ kind, type, ...(data === undefined ? {} : { data }), messageId, atMs: state.now() });
  };

  const requireComponentMessage = (rec: InteractionRecord, type: number): StoredMessage => {
    const message = rec.componentMessageId ? state.message(rec.componentMessageId) : undefined;
    if (rec.type !== 3 || !message) {
      throw formError(
        'type',
        'INTERACTION_RESPONSE_TYPE_INVALID',
        `Interaction callback type ${type} is only valid for component interactions`,
      );
    }
    return message;
  };

  const callback = (ctx: RouteContext): RouteResult => {
    const rec = state.interactions.get(ctx.params.interactionId ?? '');
    if (!rec || rec.token !== ctx.params.token) throw unknownInteraction();
    if (rec.callbackType !== null) throw new ApiError(400, 40060);
    if (state.now() - rec.dispatchedAtMs > options.deadlineMs) throw unknownInteraction();
    const body = obj(ctx.body);
    const type = Number(body.type);
    const data = obj(body.data);
    const channel = state.requireChannel(rec.channelId);
    const author = state.botUser;
    let message: StoredMessage | undefined;
    if ((type === 4 || type === 5 || type === 9) && rec.type === 4) {
      throw formError(
        'type',
        'INTERACTION_RESPONSE_TYPE_INVALID',
        'Autocomplete interactions only accept callback type 8',
      );
    }
    switch (type) {
      case 4:
        message = createMessage(world, { channel, author, body: data, files: ctx.files, interaction: rec });
        break;
      case 5: {
        const flags = typeof data.flags === 'number' ? data.flags & EPHEMERAL : 0;
        message = createMessage(world, {
          channel,
          author,
          body: { flags },
          files: [],
          interaction: rec,
          extraFlags: LOADING,
          allowEmpty: true,
        });
        break;
      }
      case 6:
        message = requireComponentMessage(rec, 6);
        break;
      case 7:
        message = editMessage(world, requireComponentMessage(rec, 7), data, ctx.files, 'interaction');
        break;
      case 8: {
        if (rec.type !== 4)
          throw formError(
            'type',
            'INTERACTION_RESPONSE_TYPE_INVALID',
            'Callback type 8 is only valid for autocomplete',
          );
        const violations = validateChoices(data);
        if (violations.length > 0) throw formErrors(violations);
        break;
      }
      case 9:
        break;
      default:
        throw formError('type', 'BASE_TYPE_CHOICES', 'Value must be one of {4, 5, 6, 7, 8, 9}.');
    }
    rec.callbackType = type;
    rec.originalMessageId = message?.id ?? null;
    record(rec, 'callback', type, body.data, rec.originalMessageId);
    if (ctx.query.get('with_response') !== 'true') return ok();
    return ok({
      interaction: {
        id: rec.id,
        type: rec.type,
        activity_instance_id: null,
        response_message_id: message?.id ?? null,
        response_message_loading: type === 5,
        response_message_ephemeral: message ? (message.flags & EPHEMERAL) !== 0 : false,
      },
      resource: { type, ...(message ? { message: apiMessage(state, message) } : {}) },
    });
  };

  const interactionFor = (ctx: RouteContext): InteractionRecord => {
    if (ctx.params.appId !== state.applicationId) throw unknownWebhook();
    const rec = [...state.interactions.values()].find((r) => r.token === ctx.params.token);
    if (!rec || state.now() - rec.dispatchedAtMs > options.tokenTtlMs) throw invalidWebhookToken();
    if (rec.callbackType === null) throw unknownWebhook();
    return rec;
  };

  const targetOf = (rec: InteractionRecord, ctx: RouteContext): { message: StoredMessage; original: boolean } => {
    const id = ctx.params.messageId === '@original' ? rec.originalMessageId : (ctx.params.messageId ?? null);
    const original = id !== null && id === rec.originalMessageId;
    const message = id && (original || rec.followupIds.includes(id)) ? state.message(id) : undefined;
    if (!message) throw unknownMessage();
    return { message, original };
  };

  const followup = (ctx: RouteContext): RouteResult => {
    const rec = interactionFor(ctx);
    const body = obj(ctx.body);
    const original = rec.originalMessageId ? state.message(rec.originalMessageId) : undefined;
    if (rec.callbackType === 5 && original && original.flags & LOADING) {
      const edited = editMessage(world, original, body, ctx.files);
      record(rec, 'followup', null, body, edited.id);
      return ok(apiMessage(state, edited));
    }
    const threadId = ctx.query.get('thread_id');
    const channel = state.requireChannel(threadId ?? rec.channelId);
    const message = createMessage(world, { channel, author: state.botUser, body, files: ctx.files, interaction: rec });
    rec.followupIds.push(message.id);
    record(rec, 'followup', null, body, message.id);
    return ok(apiMessage(state, message));
  };

  const messagePattern = '/webhooks/:appId/:token/messages/:messageId';
  return [
    { method: 'POST', pattern: '/interactions/:interactionId/:token/callback', auth: false, handle: callback },
    { method: 'POST', pattern: '/webhooks/:appId/:token', auth: false, handle: followup },
    {
      method: 'GET',
      pattern: messagePattern,
      auth: false,
      handle: (ctx) => ok(apiMessage(state, targetOf(interactionFor(ctx), ctx).message)),
    },
    {
      method: 'PATCH',
      pattern: messagePattern,
      auth: false,
      handle: (ctx) => {
        const rec = interactionFor(ctx);
        const { message, original } = targetOf(rec, ctx);
        const body = obj(ctx.body);
        const edited = editMessage(world, message, body, ctx.files);
        record(rec, original ? 'editOriginal' : 'editFollowup', null, body, edited.id);
        return ok(apiMessage(state, edited));
      },
    },
    {
      method: 'DELETE',
      pattern: messagePattern,
      auth: false,
      handle: (ctx) => {
        const rec = interactionFor(ctx);
        const { message, original } = targetOf(rec, ctx);
        deleteMessage(world, message);
        record(rec, original ? 'deleteOriginal' : 'deleteFollowup', null, undefined, message.id);
        return ok();
      },
    },
  ];
}

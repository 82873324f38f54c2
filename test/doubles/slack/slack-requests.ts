/**
 * Signed requests into a running Bolt HTTP receiver, shaped as Slack sends them: slash commands and block actions
 * form-encoded, Events API callbacks as JSON, each with X-Slack-Signature and X-Slack-Request-Timestamp. The payload
 * builders (slashCommandFields, blockActionPayload, eventCallback) are shared with the double's Socket Mode envelopes.
 * Non-obvious: form bodies are sent as a pre-encoded string with content-type exactly
 * `application/x-www-form-urlencoded`; passing URLSearchParams to fetch would add `;charset=UTF-8`, and Bolt
 * compares the content type exactly, so it would parse the form as JSON and answer 400.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { text } from 'node:stream/consumers';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** Loopback address that refuses connections: the default response_url, so a stray respond() never leaves the host. */
export const UNSET_RESPONSE_URL = 'http://127.0.0.1:9/response-url-not-set';

export interface ForgeOptions {
  /** 'bad' signs with the wrong secret. */
  signature?: 'bad';
  /** Seconds to move the timestamp into the past (Bolt rejects > 300 s old; it does not reject future ones). */
  timestampSkewS?: number;
  /** Seconds to move the timestamp into the future (Slack signs "within five minutes of local time", either way). */
  timestampAheadS?: number;
  /**
   * The content-type header to send instead of the right one (Slack sends forms as exactly
   * `application/x-www-form-urlencoded` and events as `application/json`); the signature still covers the body.
   */
  contentType?: string;
  /** Sets X-Slack-Retry-Num / X-Slack-Retry-Reason like a Slack event redelivery. */
  retryNum?: number;
  retryReason?: string;
}

export interface SlackHttpResult {
  status: number;
  body: string;
  /** Time until the response headers arrived, i.e. until Bolt acked. */
  elapsedMs: number;
}

export interface SlashCommandInput {
  command: string;
  text: string;
  userId: string;
  channelId: string;
  teamId: string;
  userName?: string;
  channelName?: string;
  teamDomain?: string;
  apiAppId?: string;
  triggerId?: string;
  responseUrl?: string;
  verificationToken?: string;
}

export interface BlockActionInput {
  actionId: string;
  value: string;
  userId: string;
  channelId: string;
  messageTs: string;
  teamId: string;
  blockId?: string;
  threadTs?: string;
  messageText?: string;
  /**
   * The button sits on an ephemeral message (chat.postEphemeral): the container says `is_ephemeral`, and the
   * payload carries no `message`, since the app cannot read an ephemeral message back.
   */
  ephemeral?: boolean;
  responseUrl?: string;
  apiAppId?: string;
  triggerId?: string;
  verificationToken?: string;
}

export interface EventEnvelopeInput {
  teamId: string;
  eventId?: string;
  apiAppId?: string;
  /** The app's bot user id for `authorizations` (default 'U0BOT'). */
  botUserId?: string;
}

export function slackSignature(signingSecret: string, timestampS: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampS}:${rawBody}`).digest('hex')}`;
}

function triggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomUUID().replaceAll('-', '')}`;
}

/** POST a raw body signed as Slack would (or forged, per `forge`). */
export async function postSigned(
  url: string,
  signingSecret: string,
  rawBody: string,
  contentType: string,
  forge: ForgeOptions = {},
): Promise<SlackHttpResult> {
  const timestampS = Math.floor(Date.now() / 1000) - (forge.timestampSkewS ?? 0) + (forge.timestampAheadS ?? 0);
  const secret = forge.signature === 'bad' ? `${signingSecret}-wrong` : signingSecret;
  const headers: Record<string, string> = {
    'content-type': forge.contentType ?? contentType,
    'x-slack-request-timestamp': String(timestampS),
    'x-slack-signature': slackSignature(secret, timestampS, rawBody),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (forge.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(forge.retryNum);
    headers['x-slack-retry-reason'] = forge.retryReason ?? 'http_timeout';
  }
  return post(url, headers, rawBody);
}

/**
 * One POST on a fresh connection, as Slack's own deliveries arrive. node:http rather than fetch: it costs
 * the sender about a third as much, so a benchmark's burst times the receiver rather than the sender.
 */
function post(url: string, headers: Record<string, string>, body: string): Promise<SlackHttpResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const elapsedMs = performance.now() - started;
        text(res).then((answer) => resolve({ status: res.statusCode ?? 0, body: answer, elapsedMs }), reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The fields of a slash command, every one Slack sends, all strings: the form body over HTTP and, unchanged, the
 * envelope `payload` in Socket Mode (Slack sends `is_enterprise_install` as the string 'false' there too).
 */
export function slashCommandFields(input: SlashCommandInput): Record<string, string> {
  return {
    token: input.verificationToken ?? 'verification-token',
    team_id: input.teamId,
    team_domain: input.teamDomain ?? 'higgs-test',
    channel_id: input.channelId,
    channel_name: input.channelName ?? (input.channelId.startsWith('D') ? 'directmessage' : 'general'),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text,
    api_app_id: input.apiAppId ?? 'A0APP',
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? UNSET_RESPONSE_URL,
    trigger_id: input.triggerId ?? triggerId(),
  };
}

/** A slash command with every field Slack sends. */
export function sendSlashCommand(
  url: string,
  signingSecret: string,
  input: SlashCommandInput,
  forge: ForgeOptions = {},
): Promise<SlackHttpResult> {
  const form = new URLSearchParams(slashCommandFields(input));
  return postSigned(url, signingSecret, form.toString(), FORM_CONTENT_TYPE, forge);
}

/** The block_actions payload of a button click: form field `payload` over HTTP, envelope `payload` in Socket Mode. */
export function blockActionPayload(input: BlockActionInput): Record<string, unknown> {
  const blockId = input.blockId ?? 'actions';
  const nowS = (Date.now() / 1000).toFixed(6);
  const message: Record<string, unknown> = {
    type: 'message',
    user: 'U0BOT',
    ts: input.messageTs,
    text: input.messageText ?? '',
  };
  if (input.threadTs !== undefined) message.thread_ts = input.threadTs;
  const container: Record<string, unknown> = {
    type: 'message',
    message_ts: input.messageTs,
    channel_id: input.channelId,
    is_ephemeral: input.ephemeral === true,
  };
  if (input.threadTs !== undefined) container.thread_ts = input.threadTs;
  return {
    type: 'block_actions',
    user: {
      id: input.userId,
      username: input.userId.toLowerCase(),
      name: input.userId.toLowerCase(),
      team_id: input.teamId,
    },
    api_app_id: input.apiAppId ?? 'A0APP',
    token: input.verificationToken ?? 'verification-token',
    container,
    trigger_id: input.triggerId ?? triggerId(),
    team: { id: input.teamId, domain: 'higgs-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: input.channelId.startsWith('D') ? 'directmessage' : 'general' },
    ...(input.ephemeral ? {} : { message }),
    state: { values: {} },
    response_url: input.responseUrl ?? UNSET_RESPONSE_URL,
    actions: [
      {
        action_id: input.actionId,
        block_id: blockId,
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: input.value,
        type: 'button',
        action_ts: nowS,
      },
    ],
  };
}

export function sendBlockAction(
  url: string,
  signingSecret: string,
  input: BlockActionInput,
  forge: ForgeOptions = {},
): Promise<SlackHttpResult> {
  const body = new URLSearchParams({ payload: JSON.stringify(blockActionPayload(input)) }).toString();
  return postSigned(url, signingSecret, body, FORM_CONTENT_TYPE, forge);
}

/** The Events API `event_callback` envelope around `event`: the JSON body over HTTP, the `payload` in Socket Mode. */
export function eventCallback(event: Record<string, unknown>, envelope: EventEnvelopeInput): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: envelope.teamId,
    context_team_id: envelope.teamId,
    api_app_id: envelope.apiAppId ?? 'A0APP',
    event,
    type: 'event_callback',
    event_id: envelope.eventId ?? `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: envelope.teamId,
        user_id: envelope.botUserId ?? 'U0BOT',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomUUID()}`,
  };
}

/** An Events API `event_callback` envelope around `event`, sent as JSON. */
export function sendEvent(
  url: string,
  signingSecret: string,
  event: Record<string, unknown>,
  envelope: EventEnvelopeInput,
  forge: ForgeOptions = {},
): Promise<SlackHttpResult> {
  return postSigned(url, signingSecret, JSON.stringify(eventCallback(event, envelope)), 'application/json', forge);
}

export interface MessageEventInput {
  userId: string;
  channelId: string;
  text: string;
  teamId?: string;
  ts?: string;
  /** Set for a reply in a thread (the parent's ts). */
  threadTs?: string;
  /** Attached files (e.g. from the double's addPrivateFile), Slack file objects. */
  files?: Array<Record<string, unknown>>;
}

function baseMessage(input: MessageEventInput): Record<string, unknown> {
  const ts = input.ts ?? (Date.now() / 1000).toFixed(6);
  const event: Record<string, unknown> = {
    user: input.userId,
    text: input.text,
    ts,
    channel: input.channelId,
    event_ts: ts,
    team: input.teamId ?? 'T0001',
    client_msg_id: randomUUID(),
  };
  if (input.threadTs !== undefined) event.thread_ts = input.threadTs;
  if (input.files !== undefined) event.files = input.files;
  return event;
}

/** `app_mention` event; `text` should contain `<@BOTUSERID>` as Slack's does. */
export function appMentionEvent(input: MessageEventInput): Record<string, unknown> {
  return { type: 'app_mention', ...baseMessage(input) };
}

/** `message` event; channel_type 'im' for D… channels. Files make it a `file_share` subtype, as Slack sends. */
export function messageEvent(input: MessageEventInput): Record<string, unknown> {
  const channelType = input.channelId.startsWith('D') ? 'im' : input.channelId.startsWith('G') ? 'group' : 'channel';
  const event: Record<string, unknown> = { type: 'message', channel_type: channelType, ...baseMessage(input) };
  if (input.files !== undefined) {
    event.subtype = 'file_share';
    event.upload = false;
  }
  return event;
}

/**
 * Record types and mutable state of the Slack Web API double, shared by the method handlers and the server.
 * Non-obvious: `ts` values come from a strictly increasing microsecond clock, so two posts in the same millisecond
 * still get distinct, correctly ordered Slack-style 'seconds.micros' timestamps (tests key threads on them).
 */

import { messageMentions, type SlackMention } from './mentions.js';

export type { SlackMention };
export type Args = Record<string, unknown>;
/** What a handler answers: `{ ok: true, … }` or `{ ok: false, error, … }`, always sent as HTTP 200 JSON. */
export type ApiReply = { ok: boolean } & Record<string, unknown>;

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  user?: string;
  bot_id?: string;
  app_id?: string;
  files?: Array<Record<string, unknown>>;
  reply_count?: number;
  reply_broadcast?: boolean;
  edited?: { user: string; ts: string };
  reactions?: Array<{ name: string; users: string[]; count: number }>;
  /** Message metadata (chat.postMessage `metadata`); returned only when a read asks `include_all_metadata`. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Whom the message notifies as Slack would parse it (mentions.ts): its text and mrkdwn blocks, as they are now. */
  mentions: SlackMention[];
}

/** A message to store; its mentions are worked out from its text and blocks unless given. */
export type NewMessage = Omit<StoredMessage, 'mentions'> & { mentions?: SlackMention[] };

export interface StoredEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[] | undefined;
  thread_ts?: string;
  message_ts: string;
  /** Whom the note would notify as Slack parses it (mentions.ts). */
  mentions: SlackMention[];
}

/** A completed upload shared into a channel (what `files.completeUploadExternal` produced). */
export interface SharedFile {
  id: string;
  name: string;
  title: string;
  altText?: string;
  sizeBytes: number;
  mimetype: string;
  bytes: Buffer;
  channel: string;
  threadTs?: string;
  initialComment?: string;
  /** ts of the file-share message the double posted for it. */
  messageTs: string;
}

/** Any file the double knows: reserved by getUploadURLExternal, uploaded, or added with addPrivateFile. */
export interface FileRecord {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  declaredLength?: number;
  bytes?: Buffer;
  altText?: string;
  /** Uploader; the bot unless set (addPrivateFile sets a user). */
  user?: string;
  completed: boolean;
}

export interface DoubleUser {
  id: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  name?: string;
}

export type FailReply = { error: string } | { status: 429; retryAfterS: number } | { status: number };

export interface DoubleIds {
  botToken: string;
  /** App-level token (xapp-…): only apps.connections.open accepts it. */
  appToken: string;
  teamId: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
}

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  txt: 'text/plain',
  json: 'application/json',
};

export function mimeFor(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}

/** A string argument (numbers are stringified, as form bodies would have them). */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function fail(error: string, extra: Record<string, unknown> = {}): ApiReply {
  return { ok: false, error, ...extra };
}

export class DoubleState {
  origin = '';
  readonly calls: Array<{ method: string; args: Args; atMs: number }> = [];
  readonly messageList: StoredMessage[] = [];
  readonly ephemerals: StoredEphemeral[] = [];
  readonly files: SharedFile[] = [];
  readonly fileRecords = new Map<string, FileRecord>();
  readonly users = new Map<string, DoubleUser>();
  readonly failures = new Map<string, FailReply[]>();
  /** Channels the bot is not a member of (never invited, or removed): posting there answers `not_in_channel`. */
  readonly notJoined = new Set<string>();
  private lastMicros = 0;
  private idSeq = 0;

  constructor(
    readonly ids: DoubleIds,
    readonly uploadSizeLimitBytes: number,
  ) {}

  nextTs(): string {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    const seconds = Math.floor(this.lastMicros / 1_000_000);
    return `${seconds}.${String(this.lastMicros % 1_000_000).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.idSeq += 1;
    return `${prefix}0${this.idSeq.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  /** The DM channel id for a user: stable per user, 'D' + the user id without its 'U'/'W'. */
  dmFor(userId: string): string {
    return `D${userId.replace(/^[UW]/, '')}`;
  }

  /** A channel argument as Slack resolves it: a user id posts into that user's DM. */
  resolveChannel(channel: string | undefined): string | undefined {
    if (channel === undefined || !/^[CDGUW][A-Z0-9]+$/.test(channel)) return undefined;
    return /^[UW]/.test(channel) ? this.dmFor(channel) : channel;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messageList.find((m) => m.channel === channel && m.ts === ts);
  }

  /** The thread as conversations.replies returns it: the parent (when the double knows it) and then its replies. */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.messageList.filter((m) => m.channel === channel && (m.ts === threadTs || m.thread_ts === threadTs));
  }

  /** The channel's history as conversations.history returns it: top-level messages (and broadcasts), newest first. */
  history(channel: string): StoredMessage[] {
    return this.messageList
      .filter((m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast))
      .reverse();
  }

  /** Store a message and keep the parent's thread fields (`thread_ts`, `reply_count`) as Slack does. */
  addMessage(input: NewMessage): StoredMessage {
    const message = input as StoredMessage;
    message.mentions ??= messageMentions({ text: input.text, blocks: input.blocks });
    this.messageList.push(message);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      const parent = this.findMessage(message.channel, message.thread_ts);
      if (parent) {
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
      }
    }
    return message;
  }

  /** The next injected failure for a method, if any (consumed). */
  takeFailure(method: string): FailReply | undefined {
    const queue = this.failures.get(method);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.failures.delete(method);
    return next;
  }

  privateUrls(file: { id: string; name: string }): { url_private: string; url_private_download: string } {
    const base = `${this.origin}/files-pri/${this.ids.teamId}-${file.id}`;
    const name = encodeURIComponent(file.name);
    return { url_private: `${base}/${name}`, url_private_download: `${base}/download/${name}` };
  }

  /** A Slack file object for API replies. */
  fileObject(record: FileRecord): Record<string, unknown> {
    const ext = record.name.includes('.') ? (record.name.split('.').pop() ?? '') : '';
    const out: Record<string, unknown> = {
      id: record.id,
      created: Math.floor(Date.now() / 1000),
      name: record.name,
      title: record.title,
      mimetype: record.mimetype,
      filetype: ext.toLowerCase(),
      size: record.bytes?.length ?? record.declaredLength ?? 0,
      user: record.user ?? this.ids.botUserId,
      ...this.privateUrls(record),
    };
    if (record.altText !== undefined) out.alt_txt = record.altText;
    return out;
  }
}

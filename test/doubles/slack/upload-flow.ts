/**
 * The Slack double's file side: files.getUploadURLExternal → byte POST to the returned upload_url →
 * files.completeUploadExternal, plus files.info and the bearer-protected `url_private` downloads.
 * Non-obvious: an upload over `uploadSizeLimitBytes` is accepted at the byte POST and refused at completion with
 * ok:false `file_too_large`, because web-api retries any non-200 HTTP status (a 413 at upload would be retried under
 * the client's retryConfig instead of failing fast) while an ok:false platform error is thrown at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Handler, validateMessage } from './chat-methods.js';
import {
  type ApiReply,
  type DoubleState,
  type FileRecord,
  fail,
  mimeFor,
  type SharedFile,
  str,
} from './double-state.js';

/** Name of the byte-POST step in `calls` and for `failNext` (it is not a Web API method). */
export const UPLOAD_STEP = 'upload';

function invalidArgs(message: string): ApiReply {
  return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${message}`] } });
}

const getUploadUrlExternal: Handler = (args, state) => {
  const filename = str(args.filename);
  const length = Number(str(args.length));
  if (!filename) return invalidArgs('missing required field: filename');
  if (!Number.isInteger(length) || length < 1) return invalidArgs('missing or invalid field: length');
  const id = state.nextId('F');
  const record: FileRecord = { id, name: filename, title: filename, mimetype: mimeFor(filename), completed: false };
  record.declaredLength = length;
  const altText = str(args.alt_text) ?? str(args.alt_txt);
  if (altText !== undefined) record.altText = altText;
  state.fileRecords.set(id, record);
  return { ok: true, upload_url: `${state.origin}/upload/v1/${id}`, file_id: id };
};

/** Bytes of an upload body: the first file part of a multipart form (what web-api sends), else the raw body. */
async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
  if (!contentType.startsWith('multipart/form-data')) return raw;
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  for (const [, value] of form) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  return Buffer.alloc(0);
}

/** The POST/PUT to an upload_url. Answers 200 `OK - <bytes>` like files.slack.com. */
export async function handleUpload(
  state: DoubleState,
  fileId: string,
  raw: Buffer,
  contentType: string,
): Promise<{ status: number; body: string }> {
  const record = state.fileRecords.get(fileId);
  if (!record || record.completed) return { status: 404, body: 'upload url not found' };
  const bytes = await uploadedBytes(raw, contentType);
  record.bytes = bytes;
  return { status: 200, body: `OK - ${bytes.length}` };
}

const completeUploadExternal: Handler = (args, state) => {
  const entries = args.files;
  if (!Array.isArray(entries) || entries.length === 0) return invalidArgs('files must be a non-empty array');
  const channelArg = str(args.channel_id) ?? str(args.channels);
  const threadTs = str(args.thread_ts);
  if (threadTs && !channelArg) return invalidArgs('thread_ts requires channel_id');
  const channel = channelArg === undefined ? undefined : state.resolveChannel(channelArg);
  if (channelArg !== undefined && channel === undefined) return fail('channel_not_found');
  if (channel !== undefined && state.notJoined.has(channel)) return fail('not_in_channel');
  const invalid = validateMessage(args, false, 'initial_comment');
  if (invalid) return invalid;
  const records: FileRecord[] = [];
  for (const entry of entries) {
    const id = typeof entry === 'object' && entry !== null ? str((entry as Record<string, unknown>).id) : undefined;
    const record = id === undefined ? undefined : state.fileRecords.get(id);
    // Reserved but never POSTed (or never reserved): Slack has no bytes for it.
    if (!record || record.bytes === undefined || record.completed) return fail('file_not_found');
    if (record.bytes.length > state.uploadSizeLimitBytes) return fail('file_too_large');
    const title = str((entry as Record<string, unknown>).title);
    if (title) record.title = title;
    records.push(record);
  }
  for (const record of records) record.completed = true;
  if (channel === undefined) return { ok: true, files: records.map((r) => state.fileObject(r)) };
  const ts = state.nextTs();
  const initialComment = str(args.initial_comment);
  const fileObjects = records.map((r) => {
    const share: Record<string, unknown> = { ts, channel_name: channel.toLowerCase(), team_id: state.ids.teamId };
    if (threadTs) share.thread_ts = threadTs;
    const visibility = channel.startsWith('C') ? 'public' : 'private';
    return { ...state.fileObject(r), shares: { [visibility]: { [channel]: [share] } } };
  });
  const message = state.addMessage({
    type: 'message',
    channel,
    ts,
    text: initialComment ?? '',
    user: state.ids.botUserId,
    files: fileObjects,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
  });
  for (const record of records) {
    const shared: SharedFile = {
      id: record.id,
      name: record.name,
      title: record.title,
      sizeBytes: record.bytes?.length ?? 0,
      mimetype: record.mimetype,
      bytes: record.bytes ?? Buffer.alloc(0),
      channel,
      messageTs: message.ts,
    };
    if (record.altText !== undefined) shared.altText = record.altText;
    if (threadTs) shared.threadTs = threadTs;
    if (initialComment !== undefined) shared.initialComment = initialComment;
    state.files.push(shared);
  }
  return { ok: true, files: fileObjects };
};

const filesInfo: Handler = (args, state) => {
  const record = state.fileRecords.get(str(args.file) ?? '');
  if (!record || record.bytes === undefined) return fail('file_not_found');
  return { ok: true, file: state.fileObject(record) };
};

export const FILE_HANDLERS: Record<string, Handler> = {
  'files.getUploadURLExternal': getUploadUrlExternal,
  'files.completeUploadExternal': completeUploadExternal,
  'files.info': filesInfo,
};

/** Add a user-uploaded file (e.g. an input image) with its bytes; served only with the bot token. */
export function addPrivateFile(
  state: DoubleState,
  file: { id?: string; name: string; mimetype: string; bytes: Buffer; user?: string },
): { id: string; url_private: string; url_private_download: string } {
  const id = file.id ?? state.nextId('F');
  const record: FileRecord = { id, name: file.name, title: file.name, mimetype: file.mimetype, completed: true };
  record.bytes = file.bytes;
  record.user = file.user ?? 'U0UPLOADER';
  state.fileRecords.set(id, record);
  return { id, ...state.privateUrls(record) };
}

const SIGNIN_PAGE = '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>';

/**
 * GET/HEAD of `/files-pri/<team>-<id>/[download/]<name>` and the `/signin` page. No Authorization header →
 * 302 to /signin (which answers 200 text/html, Slack's trap for clients that follow redirects); a wrong bearer → 403.
 */
export function serveFile(state: DoubleState, req: IncomingMessage, res: ServerResponse, pathname: string): void {
  const head = req.method === 'HEAD';
  if (pathname === '/signin') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(head ? undefined : SIGNIN_PAGE);
    return;
  }
  const match = /^\/files-pri\/[^/]+?-([^/]+)\/(download\/)?[^/]+$/.exec(pathname);
  const record = match?.[1] === undefined ? undefined : state.fileRecords.get(match[1]);
  const auth = req.headers.authorization;
  if (auth === undefined) {
    res.writeHead(302, { location: `${state.origin}/signin?redir=${encodeURIComponent(pathname)}` });
    res.end();
    return;
  }
  if (auth !== `Bearer ${state.ids.botToken}`) {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end(head ? undefined : 'forbidden');
    return;
  }
  if (!record?.bytes) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(head ? undefined : 'file not found');
    return;
  }
  const headers: Record<string, string> = {
    'content-type': record.mimetype,
    'content-length': String(record.bytes.length),
  };
  if (match?.[2]) headers['content-disposition'] = `attachment; filename="${record.name}"`;
  res.writeHead(200, headers);
  res.end(head ? undefined : record.bytes);
}

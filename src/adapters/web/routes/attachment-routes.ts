/**
 * Seed B's attachments: `POST /attachments/presign` (an upload record and its two links), the browser's
 * `PUT` of the file to our upload link when the store does not take uploads itself (a local folder), the
 * file's download link, and `GET /attachments/by-chat/{id}` (the chat's uploads and results, newest first).
 *
 * Decisions:
 * - Type and size are refused at presign (415, 413) and again at the PUT: the Content-Type must be the one
 *   presigned, the body at most the size presigned, and its first bytes that image type (else it is removed).
 * - The upload and file routes are public (the browser's PUT and an `<img>` send no key): their tokens are the
 *   credential, and a wrong token, an unknown id and an expired upload all answer the same 404.
 * - The PUT body is streamed into the store (an encapsulated parser hands Fastify's raw stream through), so an
 *   upload costs no more memory than a chunk; a refused PUT closes the connection instead of reading the rest.
 * - By-chat lists the uploads the chat's requests reference (a fresh link when the upload record still
 *   exists, else the link as it was sent) and every stored result of its generations.
 */
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatOwner } from '../../../core/chats.js';
import type { HistoryEntry } from '../../../core/history.js';
import { AppError, ErrorCode, isAppError } from '../../../errors.js';
import { sniffImageType } from '../../../media/image-input.js';
import { formatMegabytes } from '../../../media/media-common.js';
import { ErrorSchema, errorResponses, isoTime } from '../schemas/common.js';
import {
  ChatAttachmentsSchema,
  PresignBodySchema,
  PresignResultSchema,
  UploadDoneSchema,
} from '../schemas/seed-b-generate.js';
import { ownerOf, type WebContext, type WebRoutes } from '../web-context.js';
import { notFound, tooLarge, unprocessable, unsupportedType, WebError } from '../web-errors.js';
import {
  createWebUploads,
  isUploadType,
  mediaTypeOf,
  tokenMatches,
  type UploadRecord,
  type UploadType,
  uploadIdOf,
  type WebUploads,
} from '../web-uploads.js';

const NOT_AN_UPLOAD_TYPE = 'That file type is not accepted: upload a PNG, JPEG, WebP or GIF image.';
const TokenQuery = z.object({ token: z.string().max(200).optional() });
const MESSAGE_PAGES = 20;

export const attachmentRoutes: WebRoutes = (app, ctx) => {
  const uploads = createWebUploads(ctx);
  const maxBytes = ctx.config.maxUploadBytes;

  app.post(
    '/attachments/presign',
    {
      schema: {
        summary: 'Presign an upload (seed B)',
        description:
          'An upload link for one image (PUT it there with the same Content-Type) and the link it can be read at once uploaded, to attach to a message or pass to /higgsfield/generate as image_url.',
        body: PresignBodySchema,
        response: { 200: PresignResultSchema, ...errorResponses, 413: ErrorSchema, 415: ErrorSchema },
      },
    },
    async (request) => {
      const { file_name, content_type, size } = request.body;
      const contentType = mediaTypeOf(content_type);
      if (!isUploadType(contentType)) throw unsupportedType(NOT_AN_UPLOAD_TYPE);
      if (size < 1) throw unprocessable('body.size: must be at least 1 byte.');
      if (size > maxBytes) {
        throw tooLarge(`The file is ${formatMegabytes(size)}; the limit is ${formatMegabytes(maxBytes)}.`);
      }
      const record = await uploads.create(request.person.userId, { fileName: file_name, contentType, sizeBytes: size });
      const upload = await uploads.uploadLink(record);
      return {
        upload_url: upload.url,
        download_url: await uploads.downloadLink(record),
        upload_id: record.id,
        expires_at: isoTime(record.uploadExpiresAtMs),
        upload_headers: upload.headers,
      };
    },
  );

  // The browser's PUT: every body is a raw stream in this scope (no JSON parser), of at most the upload limit.
  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.put(
      '/attachments/uploads/:id',
      {
        config: { public: true },
        bodyLimit: maxBytes,
        schema: {
          summary: 'Upload a presigned file',
          description: 'The file itself, with the Content-Type presigned; the link’s token is the credential.',
          params: z.object({ id: z.string().max(100) }),
          querystring: TokenQuery,
          response: { 200: UploadDoneSchema, ...errorResponses, 409: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema },
        },
      },
      async (request, reply) => {
        // Whatever is refused, the rest of the body is not read: the connection closes after the answer.
        const refuse = (error: WebError) => {
          reply.header('connection', 'close');
          return error;
        };
        const record = await uploads.get(request.params.id);
        if (
          !record ||
          !tokenMatches(record.uploadToken, request.query.token) ||
          Date.now() > record.uploadExpiresAtMs
        ) {
          throw refuse(notFound('upload'));
        }
        if (record.state === 'uploaded') throw refuse(new WebError(409, 'This file was uploaded already.'));
        if (mediaTypeOf(request.headers['content-type']) !== record.contentType) {
          throw refuse(unsupportedType(`Send the file with Content-Type: ${record.contentType}, as presigned.`));
        }
        const declared = Number(request.headers['content-length'] ?? Number.NaN);
        if (declared > record.sizeBytes) throw refuse(tooLarge(overPresigned(record)));
        try {
          const stored = await storeUpload(ctx, record, request.body as Readable);
          await uploads.markUploaded(record, stored);
        } catch (error) {
          if (isAppError(error, ErrorCode.MediaTooLarge)) throw refuse(tooLarge(overPresigned(record)));
          if (isAppError(error, ErrorCode.MediaBadType)) {
            await ctx.media.remove(record.key).catch(() => undefined);
            throw refuse(unsupportedType(`The file is not a ${label(record.contentType)} image, as presigned.`));
          }
          throw error;
        }
        return { ok: true as const };
      },
    );
  });

  app.get(
    '/attachments/files/:id/:name',
    {
      config: { public: true },
      schema: {
        summary: 'Read an uploaded file',
        description: 'An uploaded file; the link’s token is the credential.',
        params: z.object({ id: z.string().max(100), name: z.string().max(300) }),
        querystring: TokenQuery,
        response: { 200: z.unknown().describe('The file, as uploaded.'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const record = await uploads.get(request.params.id);
      const readable =
        record &&
        record.fileName === request.params.name &&
        tokenMatches(record.downloadToken, request.query.token) &&
        (await uploads.isComplete(record));
      if (!record || !readable) throw notFound('file');
      const body = await ctx.media.open(record.key);
      reply
        .header('content-type', record.contentType)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', 'inline');
      if (record.storedBytes !== undefined) reply.header('content-length', String(record.storedBytes));
      return reply.send(body);
    },
  );

  app.get(
    '/attachments/by-chat/:id',
    {
      schema: {
        summary: 'A chat’s attachments and results (seed B)',
        description: 'The images the chat’s messages attached and the stored results of its generations, newest first.',
        params: z.object({ id: z.string().max(100) }),
        response: { 200: ChatAttachmentsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const owner = ownerOf(request);
      const chatId = request.params.id;
      const chat = await ctx.chats.get(owner, chatId);
      if (!chat) throw notFound('chat');
      const [attached, generations] = await Promise.all([
        attachedUploads(ctx, uploads, owner, chatId),
        ctx.chats.generations(owner, chatId, 100),
      ]);
      const results = (await Promise.all((generations ?? []).map((entry) => resultItems(ctx, entry)))).flat();
      const items = [...attached, ...results].sort((a, b) => b.atMs - a.atMs).map(({ atMs: _, ...item }) => item);
      return { items };
    },
  );
};

interface ListedItem {
  id: string;
  kind: 'image' | 'video';
  storage_url: string;
  option_id: string | null;
  created_at: string;
  atMs: number;
}

/** The uploads the chat's request messages reference, once each (at its latest mention). */
async function attachedUploads(
  ctx: WebContext,
  uploads: WebUploads,
  owner: ChatOwner,
  chatId: string,
): Promise<ListedItem[]> {
  const mentions = new Map<string, { url: string; uploadId?: string; atMs: number }>();
  let after: string | undefined;
  for (let page = 0; page < MESSAGE_PAGES; page += 1) {
    const found = await ctx.chats.messages(owner, chatId, { limit: 100, ...(after ? { after } : {}) });
    if (!found) break;
    for (const message of found.items) {
      for (const url of message.role === 'request' ? (message.attachments ?? []) : []) {
        const uploadId = uploadIdOf(url);
        mentions.set(uploadId ?? url, { url, ...(uploadId ? { uploadId } : {}), atMs: message.atMs });
      }
    }
    after = found.nextCursor;
    if (!after) break;
  }
  return Promise.all(
    [...mentions].map(async ([id, mention]) => {
      const record = mention.uploadId ? await uploads.get(mention.uploadId) : undefined;
      const storageUrl = record && record.userId === owner.userId ? await uploads.downloadLink(record) : mention.url;
      return {
        id,
        kind: 'image' as const,
        storage_url: storageUrl,
        option_id: null,
        created_at: isoTime(mention.atMs),
        atMs: mention.atMs,
      };
    }),
  );
}

/** A generation's stored images and videos, with fresh links and the option they came from. */
async function resultItems(ctx: WebContext, entry: HistoryEntry): Promise<ListedItem[]> {
  const doneAtMs = entry.states.find((s) => s.state === 'done')?.atMs ?? entry.updatedAtMs;
  const choice = /^([A-Za-z0-9_-]+):(\d+)(?::[A-Za-z0-9_-]+)?$/.exec(entry.choiceKey ?? '');
  const optionId = choice ? `${choice[1]}.${choice[2]}` : null;
  const shown = entry.assets.filter((a) => /^(image|video)\//.test(a.contentType));
  return Promise.all(
    shown.map(async (asset) => ({
      id: entry.assets.length > 1 ? `${entry.generationId}-${asset.index}` : entry.generationId,
      kind: asset.contentType.startsWith('video/') ? ('video' as const) : ('image' as const),
      storage_url: await ctx.media.link(asset.key, asset.providerUrl),
      option_id: optionId,
      created_at: isoTime(doneAtMs),
      atMs: doneAtMs,
    })),
  );
}

/** Streams the PUT body into the store, refusing it on its first bytes when they are not the presigned type. */
async function storeUpload(ctx: WebContext, record: UploadRecord, body: Readable): Promise<number> {
  const checked = new ImageTypeCheck(record.contentType);
  // The check may fail while the store is still opening its file: the store reads the error off the stream.
  checked.on('error', () => {});
  body.on('error', (error) => checked.destroy(error));
  body.pipe(checked);
  const asset = await ctx.media.put(record.key, checked, {
    contentType: record.contentType,
    maxBytes: record.sizeBytes,
    providerUrl: '',
  });
  return asset.sizeBytes;
}

function overPresigned(record: UploadRecord): string {
  return `The file is larger than the ${record.sizeBytes} bytes presigned.`;
}

function label(type: UploadType): string {
  return { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP', 'image/gif': 'GIF' }[type];
}

/** Bytes needed to tell the image types apart (WebP needs 12). */
const SNIFF_BYTES = 12;

/** Passes bytes through; errors with MEDIA_BAD_TYPE when the first ones are not an image of `expected`. */
class ImageTypeCheck extends Transform {
  private head = Buffer.alloc(0);
  private checked = false;

  constructor(private readonly expected: UploadType) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.checked) {
      this.head = Buffer.concat([this.head, chunk]).subarray(0, SNIFF_BYTES);
      if (this.head.length >= SNIFF_BYTES) {
        if (!this.matches()) {
          done(this.badType());
          return;
        }
        this.checked = true;
      }
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(!this.checked && !this.matches() ? this.badType() : null);
  }

  private matches(): boolean {
    return sniffImageType(this.head) === this.expected;
  }

  private badType(): AppError {
    const message = `The upload is not a ${label(this.expected)} image.`;
    return new AppError(ErrorCode.MediaBadType, message, { kind: 'bad_input', userMessage: message });
  }
}

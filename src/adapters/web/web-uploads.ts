/**
 * People's uploads (seed B's presigned attachments): one record per upload in Redis under
 * `<prefix>:web:upload:<id>` for 7 days, with the person it belongs to, its storage key
 * (`uploads/<yyyy>/<mm>/<id>/<safe name>`), the announced type and size, and two random tokens: one to PUT
 * the file (while the upload window is open), one to read it back.
 *
 * Decisions:
 * - With a store that presigns uploads (S3), the browser PUTs straight to the bucket and the download link is
 *   the store's own (`link`); otherwise both links are on our port, each carrying its token, so a link works
 *   in an `<img>` or a provider fetch without a key, and nothing else does.
 * - The record is the only way from a link back to a file: an image URL a person hands `POST
 *   /higgsfield/generate` is mapped to its upload id, and the file is fetched through a link we make afresh,
 *   never through the URL as it was sent.
 * - Tokens are compared in constant time; a record read back from Redis is parsed, never trusted.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { WebContext } from './web-context.js';

export const UPLOAD_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type UploadType = (typeof UPLOAD_TYPES)[number];

/** How long an upload's record (and so its download link) lives. */
export const UPLOAD_RECORD_TTL_S = 7 * 24 * 3600;
/** How long the upload link takes the file. */
export const UPLOAD_WINDOW_S = 3600;

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const recordSchema = z.object({
  id: z.string().regex(UPLOAD_ID),
  userId: z.string().min(1),
  key: z.string().min(1),
  fileName: z.string().min(1),
  contentType: z.enum(UPLOAD_TYPES),
  sizeBytes: z.int().positive(),
  uploadToken: z.string().min(1),
  downloadToken: z.string().min(1),
  state: z.enum(['pending', 'uploaded']),
  createdAtMs: z.number(),
  uploadExpiresAtMs: z.number(),
  /** The stored size, once uploaded through us. */
  storedBytes: z.int().nonnegative().optional(),
});

export type UploadRecord = z.infer<typeof recordSchema>;

export function isUploadType(contentType: string): contentType is UploadType {
  return (UPLOAD_TYPES as readonly string[]).includes(contentType);
}

/** A content-type header's essence: `image/PNG; charset=x` → `image/png`. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A file name as a storage key's last part: [A-Za-z0-9._-] kept, the rest '_', no dot runs or leading dot. */
export function safeFileName(name: string): string {
  return name
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^\./, '_');
}

const token = () => randomBytes(24).toString('base64url');

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The upload id a link of ours names (our file route, or the storage key in a bucket URL). */
export function uploadIdOf(link: string): string | undefined {
  let path: string;
  try {
    path = new URL(link).pathname;
  } catch {
    return undefined;
  }
  const match =
    /\/attachments\/files\/([0-9a-f-]{36})\//.exec(path) ??
    /(?:^|\/)uploads\/\d{4}\/\d{2}\/([0-9a-f-]{36})\//.exec(path);
  const id = match?.[1];
  return id && UPLOAD_ID.test(id) ? id : undefined;
}

export interface WebUploads {
  create(userId: string, file: { fileName: string; contentType: UploadType; sizeBytes: number }): Promise<UploadRecord>;
  /** The record, or undefined when there is none (unknown, expired, or not an upload id at all). */
  get(id: string): Promise<UploadRecord | undefined>;
  markUploaded(record: UploadRecord, storedBytes: number): Promise<void>;
  /** Where the browser sends the file: a presigned PUT (S3) or our upload route. */
  uploadLink(record: UploadRecord): Promise<{ url: string; headers: Record<string, string> }>;
  /** A link that reads the file: the store's (S3), or our file route with the download token. */
  downloadLink(record: UploadRecord): Promise<string>;
  /** Whether the file is there to read (uploaded through us, or found in the bucket). */
  isComplete(record: UploadRecord): Promise<boolean>;
}

export function createWebUploads(ctx: Pick<WebContext, 'redis' | 'keyPrefix' | 'publicUrl' | 'media'>): WebUploads {
  const keyOf = (id: string) => `${ctx.keyPrefix}:web:upload:${id}`;
  const direct = ctx.media.presignUpload !== undefined;
  const ownLink = (record: UploadRecord, route: 'uploads' | 'files', secret: string) => {
    const path = route === 'uploads' ? record.id : `${record.id}/${record.fileName}`;
    return `${ctx.publicUrl}/attachments/${route}/${path}?token=${secret}`;
  };

  return {
    async create(userId, file) {
      const id = randomUUID();
      const now = new Date();
      const fileName = safeFileName(file.fileName);
      const yyyy = String(now.getUTCFullYear());
      const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
      const record: UploadRecord = {
        id,
        userId,
        key: `uploads/${yyyy}/${mm}/${id}/${fileName}`,
        fileName,
        contentType: file.contentType,
        sizeBytes: file.sizeBytes,
        uploadToken: token(),
        downloadToken: token(),
        state: 'pending',
        createdAtMs: now.getTime(),
        uploadExpiresAtMs: now.getTime() + UPLOAD_WINDOW_S * 1000,
      };
      await ctx.redis.set(keyOf(id), JSON.stringify(record), 'EX', UPLOAD_RECORD_TTL_S);
      return record;
    },

    async get(id) {
      if (!UPLOAD_ID.test(id)) return undefined;
      const raw = await ctx.redis.get(keyOf(id));
      if (raw === null) return undefined;
      try {
        const parsed = recordSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },

    async markUploaded(record, storedBytes) {
      const next: UploadRecord = { ...record, state: 'uploaded', storedBytes };
      await ctx.redis.set(keyOf(record.id), JSON.stringify(next), 'KEEPTTL');
    },

    async uploadLink(record) {
      if (ctx.media.presignUpload) {
        const expiresInS = Math.max(1, Math.floor((record.uploadExpiresAtMs - Date.now()) / 1000));
        return ctx.media.presignUpload(record.key, {
          contentType: record.contentType,
          sizeBytes: record.sizeBytes,
          expiresInS,
        });
      }
      return { url: ownLink(record, 'uploads', record.uploadToken), headers: { 'content-type': record.contentType } };
    },

    async downloadLink(record) {
      return direct ? ctx.media.link(record.key, '') : ownLink(record, 'files', record.downloadToken);
    },

    async isComplete(record) {
      if (record.state === 'uploaded') return true;
      return direct ? ctx.media.exists(record.key) : false;
    },
  };
}

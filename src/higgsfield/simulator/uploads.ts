/**
 * Higgsfield storage uploads: upload-url issuance (authenticated), the presigned PUT target and the public
 * GET. The PUT behaves like a presigned S3 URL: it refuses Higgsfield credentials and a Content-Type
 * other than the one signed. Bytes are kept as the received chunks, never concatenated.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { type Exchange, HttpError, issuesToDetail, parseJson, readBody, validationError } from './http-io.js';

export const UPLOAD_CONTENT_TYPES = [
  'image/jpeg',
  'image/jpg',
  'image/png',
  'image/webp',
  'image/gif',
  'audio/wav',
  'audio/x-wav',
  'video/mp4',
] as const;

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const uploadUrlBody = z.object({ content_type: z.enum(UPLOAD_CONTENT_TYPES) });

interface StoredFile {
  readonly contentType: string;
  chunks: Buffer[] | undefined;
  size: number;
}

export class Uploads {
  private readonly files = new Map<string, StoredFile>();

  /** `POST /files/generate-upload-url`. */
  async createUploadUrl(ex: Exchange, baseUrl: string): Promise<void> {
    const parsed = uploadUrlBody.safeParse(parseJson(await readBody(ex.req, 64 * 1024)), { reportInput: true });
    if (!parsed.success) throw validationError(issuesToDetail(parsed.error.issues));
    const contentType = parsed.data.content_type;
    const fid = randomUUID();
    this.files.set(fid, { contentType, chunks: undefined, size: 0 });
    ex.json(200, {
      public_url: `${baseUrl}/files/${fid}`,
      upload_url: `${baseUrl}/upload/${fid}?X-Amz-Signature=sim`,
      content_type: contentType,
      upload_headers: { 'Content-Type': contentType, 'x-amz-tagging': 'retention=temporary' },
    });
  }

  /** `PUT /upload/<fid>`: the presigned storage target. */
  async put(ex: Exchange, fid: string): Promise<void> {
    const file = this.files.get(fid);
    if (!file || ex.query.get('X-Amz-Signature') !== 'sim') {
      throw new HttpError(403, 'SignatureDoesNotMatch: this upload URL is not valid');
    }
    if (ex.header('authorization') !== undefined) {
      throw new HttpError(403, 'Credentials must not be sent to the storage URL');
    }
    const sent = (ex.header('content-type') ?? '').trim().toLowerCase();
    if (sent !== file.contentType) {
      throw new HttpError(403, `SignatureDoesNotMatch: Content-Type must be ${file.contentType}`);
    }
    const declared = Number(ex.header('content-length') ?? 0);
    if (declared > MAX_UPLOAD_BYTES) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ex.req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size <= MAX_UPLOAD_BYTES) chunks.push(buf);
    }
    if (size > MAX_UPLOAD_BYTES) throw tooLarge();
    file.chunks = chunks;
    file.size = size;
    ex.head(200, { 'Content-Length': 0, ETag: `"${fid}"` });
    ex.res.end();
  }

  /** `GET /files/<fid>`: the public URL; 404 until the PUT has happened. */
  async get(ex: Exchange, fid: string): Promise<void> {
    const file = this.files.get(fid);
    if (!file?.chunks) throw new HttpError(404, 'Not Found');
    ex.head(200, { 'Content-Type': file.contentType, 'Content-Length': file.size });
    if (ex.method === 'HEAD') {
      ex.res.end();
      return;
    }
    await pipeline(Readable.from(file.chunks), ex.res);
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, `Upload is larger than ${MAX_UPLOAD_BYTES} bytes`, { Connection: 'close' });
}

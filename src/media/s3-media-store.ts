/**
 * MediaStore on S3 or an S3-compatible server. `put` streams through a byte counter into a lib-storage
 * multipart Upload (8 MiB parts, 2 in flight: at most ~3 parts of memory, whatever the file size); past
 * the cap the counter errors and the upload is aborted. Asset URLs are presigned GETs (at most 7 days),
 * signed for S3_PUBLIC_URL when it is set: SigV4 signs the host, so a link presigned on the internal
 * S3_ENDPOINT (http://minio:9000) cannot be rewritten to the public host afterwards. With `linkFor` (the
 * bot's signed route) assets get that link instead. `presignUpload` signs a browser's PUT the same way, with
 * the content type and length as signed headers so the object is exactly what was announced.
 */

import { pipeline as pipelineCallback, Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MediaPutOptions, MediaStore, PresignedUpload, PresignUploadOptions } from '../core/ports.js';
import type { MediaAsset } from '../core/types.js';
import { AbortedError } from '../errors.js';
import {
  ByteCounter,
  type ByteRange,
  contentTypeOfKey,
  type MediaReader,
  MIB,
  mediaNotFoundError,
  mediaStoreFailedError,
  putFailure,
  refuseEarly,
  validateMediaKey,
} from './media-common.js';
import { createS3Client, type S3Settings } from './s3-client.js';

/** SigV4 presigned URLs live at most 7 days. */
export const MAX_PRESIGN_TTL_S = 604_800;
export const S3_PART_SIZE = 8 * MIB;
export const S3_QUEUE_SIZE = 2;

export interface S3MediaStoreOptions {
  s3: S3Settings;
  /** Lifetime of the presigned asset URLs, clamped to 1 s … 7 days; default 7 days. */
  presignTtlS?: number;
  /** A ready client (tests); otherwise one is made with createS3Client and owned by the store. */
  client?: S3Client;
  /** The link an asset gets instead of a presigned URL (the bot's signed route, see media-links.ts). */
  linkFor?: (key: string) => string;
}

export interface S3MediaStore extends MediaStore, MediaReader {
  readonly kind: 's3';
  readonly bucket: string;
  /** A fresh presigned GET URL for a stored key, on S3_PUBLIC_URL when set, else on the endpoint. */
  presign(key: string): Promise<string>;
  presignUpload(key: string, upload: PresignUploadOptions): Promise<PresignedUpload>;
  /** Releases the client's sockets when the store created the client itself. */
  close(): void;
}

export function createS3MediaStore(options: S3MediaStoreOptions): S3MediaStore {
  const client = options.client ?? createS3Client(options.s3);
  const ownsClient = options.client === undefined;
  const Bucket = options.s3.bucket;
  const ttl = Math.min(MAX_PRESIGN_TTL_S, Math.max(1, Math.floor(options.presignTtlS ?? MAX_PRESIGN_TTL_S)));

  // Presigning sends nothing: the public client only signs, for a host the bot itself may not reach.
  const { publicUrl } = options.s3;
  const signer = publicUrl ? createS3Client({ ...options.s3, endpoint: publicUrl }) : client;

  const presign = (key: string) =>
    getSignedUrl(signer, new GetObjectCommand({ Bucket, Key: validateMediaKey(key) }), { expiresIn: ttl });

  const get = async (key: string, range?: ByteRange): Promise<Readable> => {
    validateMediaKey(key);
    try {
      const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
      const out = await client.send(new GetObjectCommand({ Bucket, Key: key, ...(Range ? { Range } : {}) }));
      if (out.Body instanceof Readable) return out.Body;
      throw new Error('GetObject returned no Node stream');
    } catch (error) {
      if (isNotFound(error)) throw mediaNotFoundError(key, error);
      throw mediaStoreFailedError('open', key, error);
    }
  };

  return {
    kind: 's3',
    bucket: Bucket,
    presign,

    async put(key: string, body: Readable, put: MediaPutOptions): Promise<MediaAsset> {
      try {
        validateMediaKey(key);
      } catch (error) {
        body.destroy();
        throw error;
      }
      refuseEarly(body, key, put);
      // The counter aborts the upload on its first byte past the cap (only ever called once data flows).
      const counter = new ByteCounter(put.maxBytes, () => void upload.abort());
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: counter, ContentType: put.contentType },
        partSize: S3_PART_SIZE,
        queueSize: S3_QUEUE_SIZE,
        leavePartsOnError: false,
      });
      // pipeline (not pipe) so an error on either side destroys the other: no half-read provider socket.
      pipelineCallback(body, counter, () => {});
      const onAbort = () => {
        void upload.abort();
        counter.destroy(new AbortedError(`Storing media ${key} was aborted`));
      };
      put.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await upload.done();
      } catch (error) {
        counter.destroy();
        body.destroy();
        throw counter.tooLarge ?? putFailure(error, key, put.signal);
      } finally {
        put.signal?.removeEventListener('abort', onAbort);
      }
      let url: string;
      try {
        url = options.linkFor ? options.linkFor(key) : await presign(key);
      } catch (error) {
        throw mediaStoreFailedError('presign', key, error);
      }
      return { key, contentType: put.contentType, sizeBytes: counter.bytes, url, providerUrl: put.providerUrl };
    },

    open: (key: string) => get(key),

    read: (key: string, range?: ByteRange) => get(key, range),

    async head(key: string) {
      validateMediaKey(key);
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { contentType: out.ContentType ?? contentTypeOfKey(key), sizeBytes: out.ContentLength ?? 0 };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw mediaStoreFailedError('check', key, error);
      }
    },

    async exists(key: string): Promise<boolean> {
      validateMediaKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw mediaStoreFailedError('check', key, error);
      }
    },

    async link(key: string) {
      if (options.linkFor) return options.linkFor(key);
      try {
        return await presign(key);
      } catch (error) {
        throw mediaStoreFailedError('presign', key, error);
      }
    },

    async presignUpload(key: string, upload: PresignUploadOptions): Promise<PresignedUpload> {
      const expiresIn = Math.min(MAX_PRESIGN_TTL_S, Math.max(1, Math.floor(upload.expiresInS)));
      const command = new PutObjectCommand({
        Bucket,
        Key: validateMediaKey(key),
        ContentType: upload.contentType,
        ContentLength: upload.sizeBytes,
      });
      try {
        // Type and length are signed headers, not query parameters: S3 refuses a PUT of another type or size.
        const url = await getSignedUrl(signer, command, {
          expiresIn,
          signableHeaders: new Set(['content-type', 'content-length']),
        });
        return { url, headers: { 'content-type': upload.contentType } };
      } catch (error) {
        throw mediaStoreFailedError('presign', key, error);
      }
    },

    async remove(key: string) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        throw mediaStoreFailedError('delete', key, error);
      }
    },

    close(): void {
      if (ownsClient) client.destroy();
      if (signer !== client) signer.destroy();
    },
  };
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

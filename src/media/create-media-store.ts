/**
 * Picks the MediaStore for a deployment: S3 (or an S3-compatible server) when S3_BUCKET is configured,
 * else the local MEDIA_DIR. `publicBaseUrl` only matters for the local store (where MEDIA_DIR is served).
 */
import type { Config } from '../config.js';
import type { MediaStore } from '../core/ports.js';
import { createLocalMediaStore } from './local-media-store.js';
import { createS3MediaStore } from './s3-media-store.js';

export interface CreateMediaStoreOptions {
  publicBaseUrl?: string;
}

export function createMediaStore(media: Config['media'], options: CreateMediaStoreOptions = {}): MediaStore {
  if (media.s3) return createS3MediaStore({ s3: media.s3 });
  return createLocalMediaStore({
    dir: media.dir,
    ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}),
  });
}

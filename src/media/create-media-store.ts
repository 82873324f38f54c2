/**
 * Picks the MediaStore for a deployment: S3 (or an S3-compatible server) when S3_BUCKET is configured,
 * else the local MEDIA_DIR; and the links its assets get, by the rule in media-links.ts (public storage
 * URL, else this bot's signed route, else presigned S3 or the provider's URL). The stores also read back
 * (MediaReader) for the signed route, which every role serves.
 */
import type { Config } from '../config.js';
import type { MediaStore } from '../core/ports.js';
import { createLocalMediaStore } from './local-media-store.js';
import type { MediaReader } from './media-common.js';
import { createMediaLinkSigner, mediaLinkKind } from './media-links.js';
import { createS3MediaStore } from './s3-media-store.js';

export type ServableMediaStore = MediaStore & MediaReader;

export interface CreateMediaStoreOptions {
  /** Clock for the signed links (tests). */
  now?: () => number;
}

export function createMediaStore(media: Config['media'], options: CreateMediaStoreOptions = {}): ServableMediaStore {
  const signed = mediaLinkKind(media) === 'signed-route' ? media.signedLinks : undefined;
  const linkFor = signed
    ? createMediaLinkSigner({
        publicUrl: signed.publicUrl,
        secret: signed.secret,
        ttlS: media.linkTtlS,
        ...(options.now ? { now: options.now } : {}),
      })
    : undefined;
  const withLinks = linkFor ? { linkFor } : {};
  if (media.s3) return createS3MediaStore({ s3: media.s3, presignTtlS: media.linkTtlS, ...withLinks });
  return createLocalMediaStore({ dir: media.dir, ...withLinks });
}

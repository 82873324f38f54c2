/** Parts of the web's answers: stored results with a fresh link to each file, and keyset pages in the seeds' list shape. */

import type { HistoryAsset } from '../../core/history.js';
import type { MediaStore } from '../../core/ports.js';
import type { MediaAsset } from '../../core/types.js';

export interface MediaBody {
  url: string;
  content_type: string;
  width?: number;
  height?: number;
  duration_s?: number;
}

export function mediaBodies(
  media: MediaStore,
  assets: ReadonlyArray<
    Pick<MediaAsset | HistoryAsset, 'key' | 'providerUrl' | 'contentType' | 'width' | 'height' | 'durationS'>
  >,
): Promise<MediaBody[]> {
  return Promise.all(
    assets.map(async (asset) => ({
      url: await media.link(asset.key, asset.providerUrl),
      content_type: asset.contentType,
      ...(asset.width !== undefined ? { width: asset.width } : {}),
      ...(asset.height !== undefined ? { height: asset.height } : {}),
      ...(asset.durationS !== undefined ? { duration_s: asset.durationS } : {}),
    })),
  );
}

/** A keyset page as the seeds' lists give it: `{items, next_cursor, has_more}`. */
export function pageBody<T, B>(page: { items: readonly T[]; nextCursor?: string }, map: (item: T) => B) {
  return { items: page.items.map(map), next_cursor: page.nextCursor ?? null, has_more: page.nextCursor !== undefined };
}

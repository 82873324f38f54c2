/**
 * MediaStore on the local disk. `put` streams through a byte counter into a temp file beside the target
 * and renames it into place, so a reader never sees a half-written file and an aborted or over-cap write
 * leaves nothing behind. stream.pipeline gives backpressure: memory does not grow with the file.
 * The folder keeps no metadata: `head` takes the content type from the key's extension.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MediaPutOptions, MediaStore } from '../core/ports.js';
import type { MediaAsset } from '../core/types.js';
import {
  ByteCounter,
  type ByteRange,
  contentTypeOfKey,
  type MediaReader,
  mediaNotFoundError,
  mediaStoreFailedError,
  putFailure,
  refuseEarly,
  validateMediaKey,
} from './media-common.js';

export interface LocalMediaStoreOptions {
  /** Root folder; relative paths are resolved against the working directory. */
  dir: string;
  /** The link an asset gets (see media-links.ts); without it, the provider's URL. */
  linkFor?: (key: string) => string;
}

export interface LocalMediaStore extends MediaStore, MediaReader {
  readonly kind: 'local';
  readonly dir: string;
}

export function createLocalMediaStore(options: LocalMediaStoreOptions): LocalMediaStore {
  const root = resolve(options.dir);
  const pathOf = (key: string) => join(root, validateMediaKey(key));

  const readFile = async (key: string, range?: ByteRange): Promise<Readable> => {
    const path = pathOf(key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) throw mediaNotFoundError(key, error);
      throw mediaStoreFailedError('open', key, error);
    }
    let isFile: boolean;
    try {
      isFile = (await handle.stat()).isFile();
    } catch (error) {
      await handle.close().catch(() => {});
      throw mediaStoreFailedError('open', key, error);
    }
    if (isFile) return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    await handle.close().catch(() => {});
    throw mediaNotFoundError(key);
  };

  return {
    kind: 'local',
    dir: root,

    async put(key: string, body: Readable, put: MediaPutOptions): Promise<MediaAsset> {
      let target: string;
      try {
        target = pathOf(key);
      } catch (error) {
        body.destroy();
        throw error;
      }
      refuseEarly(body, key, put);
      const temp = join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
      const counter = new ByteCounter(put.maxBytes);
      let out: WriteStream | undefined;
      try {
        await mkdir(dirname(target), { recursive: true });
        out = createWriteStream(temp, { flags: 'wx' });
        await (put.signal ? pipeline(body, counter, out, { signal: put.signal }) : pipeline(body, counter, out));
        await rename(temp, target);
      } catch (error) {
        body.destroy();
        // A body refused on its first bytes fails the pipeline before the file is even open: the stream
        // still opens (creating the file) and then closes, so the file is removed only after that.
        if (out && !out.closed) await once(out, 'close').catch(() => {});
        await rm(temp, { force: true }).catch(() => {});
        throw putFailure(error, key, put.signal);
      }
      return {
        key,
        contentType: put.contentType,
        sizeBytes: counter.bytes,
        path: target,
        url: options.linkFor ? options.linkFor(key) : put.providerUrl,
        providerUrl: put.providerUrl,
      };
    },

    open: (key: string) => readFile(key),

    read: (key: string, range?: ByteRange) => readFile(key, range),

    async head(key: string) {
      const path = pathOf(key);
      try {
        const info = await stat(path);
        return info.isFile() ? { contentType: contentTypeOfKey(key), sizeBytes: info.size } : undefined;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw mediaStoreFailedError('check', key, error);
      }
    },

    async exists(key: string): Promise<boolean> {
      const path = pathOf(key);
      try {
        return (await stat(path)).isFile();
      } catch (error) {
        if (isMissing(error)) return false;
        throw mediaStoreFailedError('check', key, error);
      }
    },

    async link(key: string, providerUrl: string) {
      return options.linkFor ? options.linkFor(key) : providerUrl;
    },

    async remove(key: string) {
      const path = pathOf(key);
      try {
        await rm(path, { force: true });
      } catch (error) {
        throw mediaStoreFailedError('delete', key, error);
      }
    },
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

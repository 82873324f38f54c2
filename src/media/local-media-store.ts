/**
 * MediaStore on the local disk. `put` streams through a byte counter into a temp file beside the target
 * and renames it into place, so a reader never sees a half-written file and an aborted or over-cap write
 * leaves nothing behind. stream.pipeline gives backpressure: memory does not grow with the file.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MediaPutOptions, MediaStore } from '../core/ports.js';
import type { MediaAsset } from '../core/types.js';
import {
  ByteCounter,
  mediaNotFoundError,
  mediaStoreFailedError,
  putFailure,
  refuseEarly,
  validateMediaKey,
} from './media-common.js';

export interface LocalMediaStoreOptions {
  /** Root folder; relative paths are resolved against the working directory. */
  dir: string;
  /** Where `dir` is served over HTTP, if anywhere: asset URLs become `<publicBaseUrl>/<key>`. */
  publicBaseUrl?: string;
}

export interface LocalMediaStore extends MediaStore {
  readonly kind: 'local';
  readonly dir: string;
}

export function createLocalMediaStore(options: LocalMediaStoreOptions): LocalMediaStore {
  const root = resolve(options.dir);
  const base = options.publicBaseUrl?.replace(/\/+$/, '');
  const pathOf = (key: string) => join(root, validateMediaKey(key));

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
      try {
        await mkdir(dirname(target), { recursive: true });
        const out = createWriteStream(temp, { flags: 'wx' });
        await (put.signal ? pipeline(body, counter, out, { signal: put.signal }) : pipeline(body, counter, out));
        await rename(temp, target);
      } catch (error) {
        body.destroy();
        await rm(temp, { force: true }).catch(() => {});
        throw putFailure(error, key, put.signal);
      }
      return {
        key,
        contentType: put.contentType,
        sizeBytes: counter.bytes,
        path: target,
        url: base === undefined ? put.providerUrl : `${base}/${key}`,
        providerUrl: put.providerUrl,
      };
    },

    async open(key: string): Promise<Readable> {
      const path = pathOf(key);
      try {
        const handle = await open(path, 'r');
        if ((await handle.stat()).isFile()) return handle.createReadStream();
        await handle.close();
      } catch (error) {
        if (isMissing(error)) throw mediaNotFoundError(key, error);
        throw mediaStoreFailedError('open', key, error);
      }
      throw mediaNotFoundError(key);
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
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

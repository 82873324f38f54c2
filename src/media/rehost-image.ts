/**
 * A person's image, made fetchable by Higgsfield: checked by its declared type and size before anything is
 * downloaded, fetched only from the platform's own hosts (with the platform's credentials where it needs
 * them), sniffed and size-capped, then uploaded to Higgsfield's storage. The platform URL itself is never
 * handed on: Discord's are signed and expire, Slack's need the bot token.
 */
import type { ImageInput as ChatImage } from '../core/assistant-types.js';
import { BadInputError } from '../errors.js';
import { fetchImage, IMAGE_INPUT_MAX_BYTES, type ImageInput } from './image-input.js';

export interface RehostRequest {
  url: string;
  /** What the platform says the file is, checked first. */
  contentType?: string | null;
  sizeBytes?: number | null;
  allowedHosts: readonly string[];
  headers?: Record<string, string>;
  /** A person's own link: fetched only from public addresses (see fetchImage). */
  publicOnly?: boolean;
  maxBytes?: number;
}

export type ImageUploader = (image: ImageInput) => Promise<string>;

const ACCEPTED = /^image\/(png|jpeg|webp|gif)$/;

export async function rehostImage(request: RehostRequest, upload: ImageUploader): Promise<ChatImage> {
  const maxBytes = request.maxBytes ?? IMAGE_INPUT_MAX_BYTES;
  if (request.contentType && !ACCEPTED.test(request.contentType.split(';')[0]?.trim() ?? '')) {
    throw new BadInputError('That file is not an image I can animate: send a PNG, JPEG, WebP or GIF.');
  }
  if (request.sizeBytes && request.sizeBytes > maxBytes) {
    throw new BadInputError(
      `That image is ${(request.sizeBytes / 1_048_576).toFixed(1)} MB; the limit is ${maxBytes / 1_048_576} MB.`,
    );
  }
  const image = await fetchImage({
    url: request.url,
    maxBytes,
    allowedHosts: request.allowedHosts,
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.publicOnly ? { publicOnly: true } : {}),
  });
  const url = await upload(image);
  return { url, contentType: image.contentType, sizeBytes: image.sizeBytes };
}

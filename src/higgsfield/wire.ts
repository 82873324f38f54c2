/**
 * Higgsfield v2 response shapes, validated with zod at the boundary and mapped straight to core's provider
 * types (src/core/provider.ts), so a status is converted once, here. Unknown extra fields are tolerated (the
 * API grows); `cancelled` is normalised to `canceled`.
 */
import { z } from 'zod';
import type { CatalogItem, ProviderOutput, ProviderRequest, ProviderStatus } from '../core/provider.js';

export const REQUEST_STATUSES = [
  'queued',
  'in_progress',
  'completed',
  'failed',
  'nsfw',
  'canceled',
] as const satisfies readonly ProviderStatus[];
export type RequestStatus = ProviderStatus;
export const TERMINAL_STATUSES: ReadonlySet<RequestStatus> = new Set(['completed', 'failed', 'nsfw', 'canceled']);

const statusField = z.preprocess((v) => (v === 'cancelled' ? 'canceled' : v), z.enum(REQUEST_STATUSES));
const urlItem = z.looseObject({ url: z.string().min(1) });

export const requestStatusWire = z.looseObject({
  status: statusField,
  request_id: z.string().min(1),
  status_url: z.string().optional(),
  cancel_url: z.string().optional(),
  images: z.array(urlItem).nullish(),
  video: urlItem.nullish(),
  audio: urlItem.nullish(),
  error: z.string().nullish(),
});

/** One output file: `images[].url`, `video.url` or `audio.url` of a completed request. */
export type MediaOutput = ProviderOutput;
export type HfRequest = ProviderRequest;

export function toHfRequest(wire: z.infer<typeof requestStatusWire>): HfRequest {
  const outputs: MediaOutput[] = [
    ...(wire.images ?? []).map((i) => ({ type: 'image' as const, url: i.url })),
    ...(wire.video ? [{ type: 'video' as const, url: wire.video.url }] : []),
    ...(wire.audio ? [{ type: 'audio' as const, url: wire.audio.url }] : []),
  ];
  const request: HfRequest = {
    requestId: wire.request_id,
    status: wire.status,
    terminal: TERMINAL_STATUSES.has(wire.status),
    outputs,
  };
  if (wire.error) request.error = wire.error;
  return request;
}

export const uploadUrlWire = z.looseObject({
  public_url: z.string().min(1),
  upload_url: z.string().min(1),
  content_type: z.string().optional(),
  upload_headers: z.record(z.string(), z.string()).optional(),
});

export const styleWire = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  preview_url: z.string().nullish(),
});

export const motionWire = styleWire.extend({ start_end_frame: z.boolean().nullish() });

export type CatalogEntry = CatalogItem;

export function toCatalogEntry(wire: z.infer<typeof motionWire>): CatalogEntry {
  const entry: CatalogEntry = { id: wire.id, name: wire.name, description: wire.description ?? '' };
  if (wire.preview_url) entry.previewUrl = wire.preview_url;
  if (typeof wire.start_end_frame === 'boolean') entry.startEndFrame = wire.start_end_frame;
  return entry;
}

export const modelListWire = z.array(
  z.looseObject({ slug: z.string().optional(), id: z.string().optional(), title: z.string().optional() }),
);

export const estimateWire = z.looseObject({ credits: z.number(), usd: z.number().optional() });

/** FastAPI error envelope: `{detail: "text"}` or `{detail: [{loc, msg, type}]}`. */
export const errorBodyWire = z.looseObject({
  detail: z.union([
    z.string(),
    z.array(z.looseObject({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() })),
  ]),
});

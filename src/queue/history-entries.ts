/**
 * What the history feed reads off its two streams, checked before it reaches the store: a progress event
 * (the progress bus's `event` field, progress-bus.ts) and a turn (the history log's `turn` field,
 * history-log.ts). An entry that is not JSON or not of this shape is refused with a reason, so the feed can
 * log it and move on instead of retrying it forever. Objects are loose: a field added later by a newer
 * process passes through to the store untouched.
 */
import { z } from 'zod';
import type { HistoryTurn } from '../core/history.js';
import type { ProgressEvent } from '../core/types.js';

const conversation = z.looseObject({
  platform: z.string().min(1),
  workspaceId: z.string(),
  channelId: z.string(),
  threadId: z.string(),
  userId: z.string(),
});

const option = z.looseObject({
  kind: z.enum(['text-to-image', 'text-to-video', 'image-to-video']),
  modelId: z.string().min(1),
  prompt: z.string(),
  params: z.record(z.string(), z.unknown()),
  label: z.string(),
  reason: z.string(),
});

const asset = z.looseObject({
  key: z.string().min(1),
  contentType: z.string(),
  sizeBytes: z.number(),
  url: z.string(),
  providerUrl: z.string(),
});

const progressEvent = z.looseObject({
  generationId: z.string().min(1),
  conversation,
  state: z.enum(['queued', 'submitted', 'rendering', 'delivering', 'done', 'failed', 'canceled']),
  modelId: z.string(),
  option: option.optional(),
  atMs: z.number().finite(),
  assets: z.array(asset).optional(),
  reason: z.enum(['nsfw', 'failed', 'canceled', 'deadline', 'refused', 'error']).optional(),
  message: z.string().optional(),
});

const turnBase = { turnId: z.string().min(1), conversation, text: z.string(), atMs: z.number().finite() };
const turn = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('request'), ...turnBase }),
  z.looseObject({
    kind: z.literal('reply'),
    ...turnBase,
    optionSet: z.looseObject({ key: z.string(), options: z.array(option) }).optional(),
  }),
]);

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parseProgressEntry(raw: string): Parsed<ProgressEvent> {
  return parseWith(raw, progressEvent) as Parsed<ProgressEvent>;
}

export function parseTurnEntry(raw: string): Parsed<HistoryTurn> {
  return parseWith(raw, turn) as Parsed<HistoryTurn>;
}

function parseWith(raw: string, schema: z.ZodType): Parsed<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const checked = schema.safeParse(json);
  if (checked.success) return { ok: true, value: checked.data };
  const issue = checked.error.issues[0];
  return { ok: false, problem: issue ? `${issue.path.join('.') || '(entry)'}: ${issue.message}` : 'invalid' };
}

/**
 * What the history specs record: conversations, options, and the progress events of a generation's life,
 * built the way the pipeline builds them (the 'queued' event carries the whole recipe). Every spec gets its
 * own people (`person()`), so the specs of one file share a database without seeing each other's rows.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { HistoryTurn } from '../../src/core/history.js';
import type {
  ConversationRef,
  GenerationOption,
  GenerationState,
  MediaAsset,
  ProgressEvent,
} from '../../src/core/types.js';

export const person = (): string => `U${randomBytes(6).toString('hex')}`;

export const generationId = (): string => `gen-${randomUUID()}`;

export function conversationOf(userId: string, platform = 'discord', threadId = 'thread-1'): ConversationRef {
  return { platform, workspaceId: 'guild-1', channelId: 'channel-1', threadId, userId };
}

export function optionFor(prompt: string, overrides: Partial<GenerationOption> = {}): GenerationOption {
  return {
    kind: 'text-to-image',
    modelId: 'higgsfield-ai/soul/v2/standard',
    prompt,
    params: { aspect_ratio: '9:16' },
    style: { id: 'style-1', name: 'Golden hour' },
    label: 'Soul · golden hour',
    reason: 'A photoreal still in a warm style.',
    estimate: { waitSeconds: 40, credits: 2 },
    ...overrides,
  };
}

export function assetFor(id: string, index = 0): MediaAsset {
  return {
    key: `2026/11/21/${id}-${index}.png`,
    contentType: 'image/png',
    sizeBytes: 1_234_567,
    url: `https://media.example/${id}-${index}.png`,
    providerUrl: `https://cdn.higgsfield.example/${id}-${index}.png`,
  };
}

export function event(
  id: string,
  conversation: ConversationRef,
  option: GenerationOption,
  state: GenerationState,
  atMs: number,
  extra: Partial<ProgressEvent> = {},
): ProgressEvent {
  return {
    generationId: id,
    conversation,
    state,
    modelId: option.modelId,
    label: option.label,
    atMs,
    ...(state === 'queued' ? { option } : {}),
    ...extra,
  };
}

/** The five events of a generation that went well, one second apart from `startMs`, with its one asset. */
export function lifeOf(id: string, conversation: ConversationRef, option: GenerationOption, startMs: number) {
  return [
    event(id, conversation, option, 'queued', startMs, { position: 1 }),
    event(id, conversation, option, 'submitted', startMs + 1_000),
    event(id, conversation, option, 'rendering', startMs + 2_000, { estimatedWaitMs: 30_000 }),
    event(id, conversation, option, 'delivering', startMs + 3_000),
    event(id, conversation, option, 'done', startMs + 4_000, { assets: [assetFor(id)] }),
  ];
}

export function requestTurn(conversation: ConversationRef, text: string, atMs: number): HistoryTurn {
  return { kind: 'request', turnId: `turn-${randomUUID()}`, conversation, text, atMs };
}

/**
 * The product's own vocabulary, free of any platform or infrastructure type. A ConversationRef holds
 * plain ids only — enough to post later from any process — and never a token.
 */

/**
 * A platform's id, as its adapter names it ('discord', 'slack', 'terminal'): src/platforms.ts lists them.
 * A plain string, so a new platform is one entry in that list, not a change to core.
 */
export type Platform = string;
export type GenerationKind = 'text-to-image' | 'text-to-video' | 'image-to-video';

/** Where a request came from and where its results go. */
export interface ConversationRef {
  platform: Platform;
  /** Discord guild id, Slack team id, '@dm' for direct messages, 'local' for the terminal. */
  workspaceId: string;
  channelId: string;
  /** Discord thread id, Slack thread_ts; equal to channelId where there is no thread. */
  threadId: string;
  /** Who asked: only they (or an admin) may press the buttons. */
  userId: string;
  /** Largest file the platform accepts in this conversation (Discord's attachment_size_limit), when known. */
  uploadLimitBytes?: number;
}

/** A message we posted and may edit (the status message). */
export interface MessageRef {
  channelId: string;
  messageId: string;
}

/** What one button launches. `params` has been validated against the model's schema. */
export interface GenerationOption {
  kind: GenerationKind;
  modelId: string;
  prompt: string;
  params: Record<string, unknown>;
  /** Soul style (only Soul) or DoP motions (only DoP), by catalog id and name. */
  style?: { id: string; name: string };
  motions?: Array<{ id: string; name: string; strength: number }>;
  label: string;
  reason: string;
  /** Expected wait and cost, when known (shown beside the button; never sent to Higgsfield). */
  estimate?: OptionEstimate;
}

export interface OptionEstimate {
  /** From recent render times of this model, else its typical time. */
  waitSeconds: number;
  /** From Higgsfield's estimate endpoint, when it answered. */
  credits?: number;
}

/** A generation as the queue holds it. Plain data: it is stored in Redis in clear text. */
export interface GenerationSpec {
  option: GenerationOption;
  conversation: ConversationRef;
  /** Identifies the choice for double-click collapse (option set key + option index + user). */
  choiceKey?: string;
  /** How long a second identical choice collapses onto this generation (default: the pipeline's). */
  choiceWindowMs?: number;
}

/** Every state a generation passes through, in order (an end state last). */
export const GENERATION_STATES = [
  'queued',
  'submitted',
  'rendering',
  'delivering',
  'done',
  'failed',
  'canceled',
] as const;

export type GenerationState = (typeof GENERATION_STATES)[number];

/** The states a generation ends in; it never leaves them. */
export const END_STATES: readonly GenerationState[] = ['done', 'failed', 'canceled'];

export function isEnded(state: string): boolean {
  return (END_STATES as readonly string[]).includes(state);
}

export type FailureReason = 'nsfw' | 'failed' | 'canceled' | 'deadline' | 'refused' | 'error';

/** A stored result, ready to post. */
export interface MediaAsset {
  /** Storage key, e.g. `2026/11/21/<generationId>-0.png`. */
  key: string;
  contentType: string;
  sizeBytes: number;
  /** Local file path when stored on disk. */
  path?: string;
  /** A link people can open: a presigned S3 URL, else the provider's URL. */
  url: string;
  /** The provider's own URL of the file (expires after the account's retention). */
  providerUrl: string;
  /** An image's size and a video's length, when its first bytes say (src/media/media-facts.ts). */
  width?: number;
  height?: number;
  durationS?: number;
}

export interface GenerationResult {
  generationId: string;
  option: GenerationOption;
  conversation: ConversationRef;
  assets: MediaAsset[];
  durationMs: number;
}

export interface GenerationFailure {
  generationId: string;
  option: GenerationOption;
  conversation: ConversationRef;
  reason: FailureReason;
  /** Written for people: says which of nsfw / failed / canceled / too slow, and the provider's reason. */
  message: string;
}

/** One state change, published for any process that shows status. */
export interface ProgressEvent {
  generationId: string;
  conversation: ConversationRef;
  state: GenerationState;
  modelId: string;
  /** The option's label, for status lines. */
  label?: string;
  /** queued: the whole recipe, for history (src/core/history.ts). */
  option?: GenerationOption;
  /** queued: what was chosen (`<option set key>:<index>`, `reroll:<id>`), for history. */
  choiceKey?: string;
  atMs: number;
  /** queued: 1-based place among generations not yet submitted. */
  position?: number;
  /** queued or rendering: expected time until the result. */
  estimatedWaitMs?: number;
  /** done: where the results are. */
  assets?: MediaAsset[];
  /** failed / canceled: why, for people. */
  message?: string;
  reason?: FailureReason;
}

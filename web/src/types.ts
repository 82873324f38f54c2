/**
 * The shapes of the web API the page reads (README "Web API", src/adapters/web/schemas), and light type
 * guards for the fields the page depends on. The server validates with zod; the page only checks what it
 * would otherwise trip on, and drops render chunks it does not know instead of refusing the message.
 */

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface Me {
  user_id: string;
  anonymous: boolean;
  media_origins: string[];
}

export interface Chat {
  id: string;
  user_id: string;
  title: string;
  message_count: number;
  last_message_at: string | null;
  created_at: string;
}

export type GenerationKind = 'text-to-image' | 'text-to-video' | 'image-to-video';

export interface Estimate {
  wait_seconds: number;
  credits?: number;
}

export interface ButtonChunk {
  type: 'button';
  label: string;
  option_id: string;
  model: string;
  kind: GenerationKind;
  prompt: string;
  estimate?: Estimate;
}

export interface TextChunk {
  type: 'text';
  text: string;
}

export type RenderChunk = ButtonChunk | TextChunk;

export interface ChatMessage {
  id: string;
  chat_id: string;
  author_type: 'user' | 'assistant';
  content_text: string | null;
  render_payload: RenderChunk[] | null;
  attachments?: string[];
  created_at: string;
}

export interface MessagePosted {
  message: ChatMessage;
  render_chunks: RenderChunk[];
  notes: string[];
}

export interface Media {
  url: string;
  content_type: string;
  width?: number;
  height?: number;
  duration_s?: number;
}

export type GenerationState = 'queued' | 'submitted' | 'rendering' | 'delivering' | 'done' | 'failed' | 'canceled';
export type Action = 'cancel' | 'reroll' | 'animate';

export interface WebEvent {
  type: GenerationState;
  generation_id: string;
  chat_id: string;
  label: string;
  model: string;
  text: string;
  actions: Action[];
  position?: number;
  estimated_wait_s?: number;
  media?: Media[];
  message?: string;
  reason?: string;
  at: string;
}

export interface Generation {
  generation_id: string;
  chat_id: string;
  state: GenerationState;
  label: string;
  model: string;
  kind: GenerationKind;
  prompt: string;
  media: Media[];
  message?: string;
  actions: Action[];
  created_at?: string;
}

export interface GenerateAccepted {
  generation_id: string;
  status: GenerationState;
}

export interface Requeued {
  generation_id: string;
  position: number;
  estimated_wait_s: number;
  duplicate: boolean;
}

export interface CancelOutcome {
  outcome: string;
  message: string;
}

export interface Presigned {
  upload_url: string;
  download_url: string;
  upload_headers: Record<string, string>;
}

// --- guards ------------------------------------------------------------------------------------------------

type Guard<T> = (value: unknown) => value is T;
type Loose = Record<string, unknown>;

const STATES = new Set<string>(['queued', 'submitted', 'rendering', 'delivering', 'done', 'failed', 'canceled']);
const ACTIONS = new Set<string>(['cancel', 'reroll', 'animate']);

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string';
const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const has = (value: Loose, ...keys: string[]) => keys.every((key) => isString(value[key]));

export const isEnded = (state: GenerationState) => state === 'done' || state === 'failed' || state === 'canceled';

export const isPage =
  <T>(item: Guard<T>): Guard<Page<T>> =>
  (value): value is Page<T> =>
    isObject(value) && Array.isArray(value.items) && value.items.every(item) && typeof value.has_more === 'boolean';

export const isMe: Guard<Me> = (value): value is Me =>
  isObject(value) && isString(value.user_id) && (value.media_origins === undefined || strings(value.media_origins));

export const isChat: Guard<Chat> = (value): value is Chat => isObject(value) && has(value, 'id', 'title');

export const isRenamed = (value: unknown): value is { chat: Chat } => isObject(value) && isChat(value.chat);

function isChunk(value: unknown): value is RenderChunk {
  if (!isObject(value)) return false;
  if (value.type === 'text') return isString(value.text);
  return value.type === 'button' && has(value, 'label', 'option_id', 'model', 'prompt');
}

/** The chunks the page knows, in order (anything else is left out). */
export const chunksOf = (value: unknown): RenderChunk[] => (Array.isArray(value) ? value.filter(isChunk) : []);

export const isMessage: Guard<ChatMessage> = (value): value is ChatMessage =>
  isObject(value) &&
  has(value, 'id', 'created_at') &&
  (value.author_type === 'user' || value.author_type === 'assistant') &&
  (value.content_text === null || isString(value.content_text));

export const isPosted: Guard<MessagePosted> = (value): value is MessagePosted =>
  isObject(value) && isMessage(value.message);

const isMedia = (value: unknown): value is Media => isObject(value) && has(value, 'url', 'content_type');

export const isWebEvent: Guard<WebEvent> = (value): value is WebEvent =>
  isObject(value) &&
  isString(value.type) &&
  STATES.has(value.type) &&
  has(value, 'generation_id', 'chat_id', 'label', 'text', 'at') &&
  Array.isArray(value.actions) &&
  (value.media === undefined || (Array.isArray(value.media) && value.media.every(isMedia)));

export const isGeneration: Guard<Generation> = (value): value is Generation =>
  isObject(value) &&
  has(value, 'generation_id', 'chat_id', 'label', 'prompt') &&
  isString(value.state) &&
  STATES.has(value.state) &&
  Array.isArray(value.media) &&
  value.media.every(isMedia);

export const isAccepted: Guard<GenerateAccepted> = (value): value is GenerateAccepted =>
  isObject(value) && isString(value.generation_id);

export const isRequeued: Guard<Requeued> = (value): value is Requeued =>
  isObject(value) && isString(value.generation_id);

export const isCancelOutcome: Guard<CancelOutcome> = (value): value is CancelOutcome =>
  isObject(value) && has(value, 'outcome', 'message');

export const isPresigned: Guard<Presigned> = (value): value is Presigned =>
  isObject(value) && has(value, 'upload_url', 'download_url');

export const isAnything = (_value: unknown): _value is unknown => true;

/** Actions the page knows, from an event (anything else is left out). */
export const actionsOf = (value: readonly unknown[]): Action[] =>
  value.filter((action): action is Action => isString(action) && ACTIONS.has(action));

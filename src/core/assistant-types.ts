/**
 * The assistant's vocabulary: a normalized user turn (ChatRequest), what a recommender proposes, the saved
 * option set a button points at, and the turns kept as conversation memory. Plain data only: option sets
 * and memory are stored in Redis and read by any process.
 */
import type { ConversationRef, GenerationKind, GenerationOption } from './types.js';

/** What a command implies: `/imagine` → image, `/video` → video, `/animate` or an attachment → animate. */
export type IntentHint = 'image' | 'video' | 'animate';

/** An input image that Higgsfield can fetch (already re-hosted, or a result of ours). */
export interface ImageInput {
  url: string;
  contentType?: string;
  sizeBytes?: number;
}

export interface ChatRequest {
  conversation: ConversationRef;
  text: string;
  intent?: IntentHint;
  image?: ImageInput;
  /** Links to what the person attached (the web's uploads), kept with the request in history. */
  attachments?: readonly string[];
  /**
   * Called while the recommender writes its reply, with the reply text so far (a growing snapshot, each one
   * extending the last). A recommender that writes the reply at once may never call it; the final text may
   * still differ (a re-proposal, the offline fallback), so the caller compares it with what it showed.
   */
  onText?: (text: string) => void;
}

export type RecommenderMode = 'claude' | 'offline';

/** What a recommender sees: the (trimmed) text, hints, and the recent turns of this thread. */
export interface RecommendInput {
  text: string;
  intent?: IntentHint;
  image?: ImageInput;
  memory: readonly MemoryTurn[];
  /** The thread's recent generations, newest last, numbered from 1 for the recommender. */
  results: readonly ResultSummary[];
  /** ChatRequest.onText: the reply text so far, while the recommender writes it (it may ignore this). */
  onText?: (text: string) => void;
}

export interface Proposal {
  /** One or two sentences to the person, in their language. */
  text: string;
  options: GenerationOption[];
  mode: RecommenderMode;
  /** Nothing may be proposed (a request no rephrasing can make acceptable); `text` says why. */
  declined?: boolean;
}

/** Options saved under a short key: buttons carry only `key` and an index. */
export interface OptionSet {
  key: string;
  conversation: ConversationRef;
  text: string;
  options: GenerationOption[];
  mode: RecommenderMode;
  createdAtMs: number;
}

/** A remembered turn of one thread, oldest first. */
export type MemoryTurn =
  | { role: 'user'; text: string; atMs: number }
  | { role: 'options'; key: string; options: OptionSummary[]; atMs: number }
  | { role: 'chosen'; generationId: string; option: OptionSummary; atMs: number };

/** Enough of an option to refer back to it ("option 2 but vertical"). */
export interface OptionSummary {
  kind: GenerationKind;
  modelId: string;
  label: string;
  prompt: string;
  params: Record<string, unknown>;
  style?: string;
  motions?: string[];
}

/** A result the person may follow up on ("now animate it"). */
export interface ResultSummary {
  generationId: string;
  option: OptionSummary;
  state: string;
  imageUrl?: string;
}

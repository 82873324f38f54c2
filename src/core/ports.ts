/**
 * The seams between the product and the world. Core code depends on these interfaces only; the
 * implementations (BullMQ, Redis, S3, Discord, Slack, the terminal) live at the edge and are wired by the
 * composition root.
 */
import type { Readable } from 'node:stream';
import type { MemoryTurn, OptionSet, Proposal, RecommenderMode, RecommendInput } from './assistant-types.js';
import type {
  ConversationRef,
  GenerationFailure,
  GenerationOption,
  GenerationResult,
  GenerationSpec,
  GenerationState,
  MediaAsset,
  MessageRef,
  OptionEstimate,
  Platform,
  ProgressEvent,
} from './types.js';

export interface MediaPutOptions {
  contentType: string;
  /** Refuse (and remove what was written) past this many bytes. */
  maxBytes: number;
  /** The size announced by the source, if any: refused up front when over the cap. */
  expectedBytes?: number;
  /** The provider URL the bytes came from, recorded on the asset. */
  providerUrl: string;
  signal?: AbortSignal;
}

/** Where results are kept. `put` streams: memory use does not grow with the file. */
export interface MediaStore {
  readonly kind: 'local' | 's3';
  put(key: string, body: Readable, options: MediaPutOptions): Promise<MediaAsset>;
  /** A stream of a stored file, for uploading it to a platform. */
  open(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** A fresh link people can open to a stored file (as `put` gives), for posting an old result again. */
  link(key: string, providerUrl: string): Promise<string>;
  /** Delete a stored file (history's /forget and retention); a missing file is not an error. */
  remove(key: string): Promise<void>;
  /**
   * A URL a browser can PUT one file to, straight into the store (S3 only): the request must carry `headers`
   * and exactly `sizeBytes` bytes, within `expiresInS`. Absent on a store that takes uploads only through us.
   */
  presignUpload?(key: string, upload: PresignUploadOptions): Promise<PresignedUpload>;
}

export interface PresignUploadOptions {
  contentType: string;
  sizeBytes: number;
  expiresInS: number;
}

export interface PresignedUpload {
  url: string;
  /** Headers the PUT must send as signed (the content type; a browser sets the length itself). */
  headers: Record<string, string>;
}

/**
 * Durable markers for the parts of one delivery (each upload, the message), written before and after each
 * part is sent, so a publisher whose platform has no idempotency key can tell, on a retry, what an earlier
 * attempt finished ('done'), what it never started (undefined), and what it may or may not have sent
 * before it died or lost Redis ('begun': look on the platform before sending again).
 */
export interface DeliveryLedger {
  state(step: string): Promise<DeliveryStepState | undefined>;
  begin(step: string): Promise<void>;
  done(step: string): Promise<void>;
}

export type DeliveryStepState = 'begun' | 'done';

/**
 * Posts into a conversation. Works from any process with REST and the bot token alone. The publisher owns
 * everything Higgsbot posts after a person was answered: the status message (posted on the first event,
 * edited on the next ones), the result and the failure message.
 */
export interface Publisher {
  readonly platform: Platform;
  /**
   * Post the finished media with its follow-up buttons. Idempotent per `deliveryId`: a retry after a
   * crash must not post twice (the ledger keeps the parts already done).
   */
  postResult(result: GenerationResult, deliveryId: string, ledger?: DeliveryLedger): Promise<void>;
  /** Post a clear failure message. Idempotent per `deliveryId`, like `postResult`. */
  postFailure(failure: GenerationFailure, deliveryId: string, ledger?: DeliveryLedger): Promise<void>;
  /**
   * Show where a generation is: post its status message when `message` is undefined, else edit `message`.
   * Returns the message posted or edited. Absent on a platform without status messages (the terminal).
   */
  showStatus?(event: ProgressEvent, message: MessageRef | undefined): Promise<MessageRef>;
}

/**
 * Whose turn it is to show a generation's status, across every process that hears its events: one process
 * at a time per generation (so edits land in order and the message is posted once), and an event older
 * than one already shown is stale. `claim` is one atomic step; a turn not released lapses after a while.
 */
export interface StatusBoard {
  claim(generationId: string, event: Pick<ProgressEvent, 'state' | 'atMs'>): Promise<StatusClaim>;
  /** End a turn; `posted` is the status message the turn posted (later turns edit it). */
  release(generationId: string, turn: string, posted?: MessageRef): Promise<void>;
}

export type StatusClaim =
  /** Show the event: edit `message`, or post the status message when there is none yet. */
  | { kind: 'show'; turn: string; message?: MessageRef }
  /** Another process is showing an earlier event right now: try again shortly. */
  | { kind: 'busy' }
  /** This event, or a newer one, has been shown already. */
  | { kind: 'stale' };

export interface EnqueueResult {
  generationId: string;
  /** The same person chose the same option again: this is the existing generation. */
  duplicate: boolean;
  /**
   * A duplicate this person was already told about a moment ago (a storm of presses): answer nothing, so
   * they hear "already queued" once every few seconds, not once per press.
   */
  quiet?: boolean;
  position: number;
  estimatedWaitMs: number;
}

export type CancelOutcome =
  | { outcome: 'canceled' }
  | { outcome: 'too-late' }
  | { outcome: 'already-finished' }
  | { outcome: 'not-found' }
  | { outcome: 'not-allowed' };

/** The durable generation queue, as the product sees it. */
export interface GenerationQueue {
  enqueue(spec: GenerationSpec): Promise<EnqueueResult>;
  /** Cancel on behalf of `userId` (only the requester, or an admin when `asAdmin`). */
  cancel(generationId: string, userId: string, asAdmin?: boolean): Promise<CancelOutcome>;
  /** Active generations of one person on one platform, oldest first. */
  listActive(
    platform: Platform,
    userId: string,
  ): Promise<Array<{ generationId: string; modelId: string; label: string; state: string; position?: number }>>;
  /** A generation's recipe, state and results (kept for days after it ends), for Re-roll and Animate. */
  lookup(generationId: string): Promise<GenerationLookup | undefined>;
}

export interface GenerationLookup {
  generationId: string;
  spec: GenerationSpec;
  state: GenerationState;
  assets?: MediaAsset[];
}

/** Progress events across processes. */
export interface ProgressBus {
  publish(event: ProgressEvent): Promise<void>;
  subscribe(listener: (event: ProgressEvent) => void): Promise<() => Promise<void>>;
}

/** Proposes options for one turn. The Claude agent and the offline recommender both implement it. */
export interface Recommender {
  readonly mode: RecommenderMode;
  recommend(input: RecommendInput, signal: AbortSignal): Promise<Proposal>;
}

/** Option sets under short keys, with a time to live: buttons carry only the key. */
export interface OptionStore {
  save(set: Omit<OptionSet, 'key'>): Promise<OptionSet>;
  get(key: string): Promise<OptionSet | undefined>;
}

/** The recent turns of one thread, capped and expiring. */
export interface ConversationMemory {
  recent(conversation: ConversationRef): Promise<MemoryTurn[]>;
  append(conversation: ConversationRef, ...turns: MemoryTurn[]): Promise<void>;
}

/** Expected wait and credits of an option; never throws (unknown parts are left out). */
export interface OptionEstimator {
  estimate(option: GenerationOption, signal: AbortSignal): Promise<OptionEstimate>;
}

/** The few log calls core makes; pino's logger satisfies it. */
export interface CoreLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

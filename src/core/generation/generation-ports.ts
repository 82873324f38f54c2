/**
 * What the generation use case needs from the world, and the shape of a generation as its steps see it.
 * The steps (submit, wait, deliver) are plain functions over these ports; the queue (src/queue/) implements
 * the ports on BullMQ and Redis and carries out the decision each step returns.
 */
import type { BackoffPolicy } from '../../retry.js';
import type { DownloadMedia } from '../deliver-generation.js';
import type { CoreLogger, DeliveryLedger, MediaStore, ProgressBus, Publisher } from '../ports.js';
import type { GenerationProvider, ProviderOutput, ProviderRequest, ProviderStatus } from '../provider.js';
import type { GenerationSpec, GenerationState, MediaAsset, Platform } from '../types.js';

/** A generation's summary, as the records keep it. */
export interface GenerationRecord {
  generationId: string;
  spec: GenerationSpec;
  state: GenerationState;
  enqueuedAtMs: number;
  /** The provider's request id, once it accepted the request. */
  requestId?: string;
  submittedAtMs?: number;
  /** The stored results, once done (for Re-roll and Animate). */
  assets?: MediaAsset[];
}

/** What the use case reads and writes of a generation's records. */
export interface GenerationRecordsPort {
  get(generationId: string): Promise<Pick<GenerationRecord, 'state' | 'requestId'> | undefined>;
  update(generationId: string, patch: { state: GenerationState }): Promise<void>;
  /** The provider accepted it: it leaves the line of generations waiting, and keeps a 'canceled' state. */
  markSubmitted(generationId: string, requestId: string, nowMs: number): Promise<void>;
  /** It ended: no longer active for its person. */
  finish(generationId: string, state: GenerationState, spec: GenerationSpec, assets?: MediaAsset[]): Promise<void>;
  /** The durable marks of one delivery (see DeliveryLedger). */
  ledger(deliveryId: string): DeliveryLedger;
  /** The usual render time of a model lately, once one has been measured. */
  typicalDurationMs(modelId: string): Promise<number | undefined>;
  recordDuration(modelId: string, ms: number): Promise<void>;
  /** The final status a verified webhook brought, if one did. */
  deliveredStatus(generationId: string): Promise<ProviderRequest | undefined>;
}

/** The provider's slots: a request that ended frees one, so submissions paused for a slot may go on. */
export interface ProviderSlots {
  freed(): Promise<void>;
}

/** The timings the steps decide with (PipelineSettings holds them, with production defaults). */
export interface GenerationPolicy {
  /** Multiplies every model's deadline (tests shrink it). */
  deadlineScale: number;
  /** Longest a generation may wait for a free slot before it is submitted. */
  maxQueueWaitMs: number;
  /** After the provider's concurrency limit, pause submissions this long (± 25 %). */
  concurrencyBackoffMs: number;
  /** Looks at the provider's status when no webhook is configured. */
  poll: BackoffPolicy;
  /** Safety-net looks when webhooks are configured: they normally end the wait first. */
  pollWithWebhook: BackoffPolicy;
  /** Where the provider posts a request's final status; polling alone when absent. */
  webhookUrl?: string;
}

/** pino's logger satisfies it. */
export interface GenerationLogger extends CoreLogger {
  error(details: object, message: string): void;
}

export interface GenerationDeps {
  provider: GenerationProvider;
  records: GenerationRecordsPort;
  bus: ProgressBus;
  /** Each platform's publisher, by platform id. */
  publishers: ReadonlyMap<Platform, Publisher>;
  store: MediaStore;
  download: DownloadMedia;
  slots: ProviderSlots;
  policy: GenerationPolicy;
  logger: GenerationLogger;
  now: () => number;
  /** In [0, 1): jitter, so a burst of generations does not become a burst of calls. */
  random: () => number;
}

/** A generation the provider has accepted, as the wait and deliver steps see it. */
export interface TrackedGeneration {
  generationId: string;
  spec: GenerationSpec;
  requestId: string;
  submittedAtMs: number;
  /** Past this, a render still not finished is canceled and the person told. */
  deadlineAtMs: number;
  /** Looks taken so far: the next wait grows with them. */
  polls: number;
  /** The provider status seen last, so 'rendering' is announced once. */
  lastStatus?: ProviderStatus;
}

/** The generation ended (it is recorded and people were told). */
export interface Ended {
  kind: 'ended';
  state: GenerationState;
  /** The step failed for good with this: the runner records the attempt as failed, without a retry. */
  error?: unknown;
}

/** Try the step again later (attempts are left, and this error may pass). */
export interface Retry {
  kind: 'retry';
  error: unknown;
}

/** Completed at the provider: deliver these outputs. */
export interface Deliver {
  kind: 'deliver';
  outputs: ProviderOutput[];
}

/**
 * The generation provider, as core sees it: what a model needs (its facts), and the five things a provider
 * does (submit, read a status, cancel, take an uploaded image, estimate a price) plus its catalogs. The
 * Higgsfield client implements it (src/higgsfield/higgsfield-provider.ts); nothing in core or the queue
 * knows Higgsfield's wire format.
 *
 * Errors are AppErrors (src/errors.ts): `retryable` says whether trying again may help, and the one code a
 * use case decides on is `ErrorCode.HfConcurrencyLimit` (the account is busy: wait, then submit again).
 */
import type { GenerationKind, GenerationOption } from './types.js';

export type ProviderStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'nsfw' | 'canceled';

/** One output file of a completed request, at the provider. */
export interface ProviderOutput {
  type: 'image' | 'video' | 'audio';
  url: string;
}

/** A request at the provider, as last read. */
export interface ProviderRequest {
  requestId: string;
  status: ProviderStatus;
  /** completed, failed, nsfw or canceled: it will not change again. */
  terminal: boolean;
  outputs: ProviderOutput[];
  /** The provider's reason for a failed request. */
  error?: string;
}

/** What the use case needs to know of a model. */
export interface ModelFacts {
  id: string;
  title: string;
  kind: GenerationKind;
  /** A typical render time, before any has been measured. */
  typicalSeconds: number;
  /** How long a render may take before we stop waiting and say so. */
  deadlineMs: number;
}

/** A style or motion of the provider's catalogs. */
export interface CatalogItem {
  id: string;
  name: string;
  description: string;
  previewUrl?: string;
  /** Motions only: the motion accepts an end frame. */
  startEndFrame?: boolean;
}

export interface ProviderCall {
  signal?: AbortSignal;
}

export type ProviderCancel = 'canceled' | 'too-late';

export interface GenerationProvider {
  /** The model's facts, or undefined for an id the provider does not offer. */
  model(modelId: string): ModelFacts | undefined;
  /**
   * Start a render of `option`. Idempotent per `idempotencyKey`: a retry after a crash returns the same
   * request instead of paying twice. `webhookUrl` asks to be told when it ends.
   */
  submit(
    option: Pick<GenerationOption, 'modelId' | 'prompt' | 'params'>,
    opts: ProviderCall & { idempotencyKey: string; webhookUrl?: string },
  ): Promise<ProviderRequest>;
  status(requestId: string, opts?: ProviderCall): Promise<ProviderRequest>;
  /** Cancel a request still queued at the provider; 'too-late' once it renders. */
  cancel(requestId: string, opts?: ProviderCall): Promise<ProviderCancel>;
  /** Take an input image (already checked), returning a URL the provider can read it from. */
  upload(image: { bytes: Buffer; contentType: string; sizeBytes: number }, opts?: ProviderCall): Promise<string>;
  /** The price of `option` in credits. */
  estimate(option: Pick<GenerationOption, 'modelId' | 'prompt' | 'params'>, opts?: ProviderCall): Promise<number>;
  styles(opts?: ProviderCall): Promise<CatalogItem[]>;
  motions(opts?: ProviderCall): Promise<CatalogItem[]>;
}

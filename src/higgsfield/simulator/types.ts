/**
 * Public types of the Higgsfield simulator. Options are read when a request is created (timings, video
 * size), so `configure()` changes only what happens to requests submitted afterwards.
 */
import type { Logger } from '../../log.js';

export interface SimulatorOptions {
  /** Default '127.0.0.1' (never bind anything else by default). */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  credentials?: { keyId: string; keySecret: string };
  /** Default 300: time a request stays `queued`. */
  queuedMs?: number;
  /** Default 1500: then `in_progress` for this long, then terminal. */
  inProgressMs?: number;
  /** Per model id override of the two timings. */
  timings?: Record<string, { queuedMs?: number; inProgressMs?: number }>;
  /** Account concurrency limit (queued + in_progress); default 4; Infinity allowed. */
  maxConcurrent?: number;
  /** 'whsec_' + base64; default: randomly generated. */
  webhookSecret?: string;
  /** Also sign with these (key rotation: several space-separated signatures). */
  extraSigningSecrets?: string[];
  /** Default [200, 1000, 5000]; retries on network error / 5xx, never on 4xx. */
  webhookRetryDelaysMs?: number[];
  /** Default 256 KiB; size of served MP4 bodies. */
  videoSizeBytes?: number;
  logger?: Logger;
}

export interface ScriptedOutcome {
  /** `stuck` stays in_progress forever. */
  status: 'completed' | 'failed' | 'nsfw' | 'stuck';
  error?: string;
  queuedMs?: number;
  inProgressMs?: number;
  videoSizeBytes?: number;
}

export type SimStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'nsfw' | 'canceled';

export interface SimRequestInfo {
  readonly id: string;
  readonly modelId: string;
  /** Computed at the time of the call. */
  readonly status: SimStatus;
  readonly createdAtMs: number;
  /** When it became (or will become) terminal; undefined for a stuck request. */
  readonly terminalAtMs: number | undefined;
  readonly idempotencyKey: string | undefined;
  readonly webhookUrl: string | undefined;
  readonly statusReads: number;
}

export interface SimCall {
  method: string;
  path: string;
  status: number;
  atMs: number;
}

export interface SimStats {
  submitCalls: number;
  requestsCreated: number;
  statusReads: number;
  cancelCalls: number;
  calls: SimCall[];
}

export interface WebhookDeliveryInfo {
  requestId: string;
  webhookId: string;
  url: string;
  attempts: number;
  lastStatus: number | null;
  deliveredAtMs: number | null;
}

export interface InjectedFault {
  method?: string;
  pathPrefix: string;
  /** 0 means: just delay, then handle normally. */
  status: number;
  times?: number;
  delayMs?: number;
  body?: unknown;
}

export type ConfigurePatch = Partial<
  Pick<SimulatorOptions, 'queuedMs' | 'inProgressMs' | 'maxConcurrent' | 'videoSizeBytes' | 'timings'>
>;

export interface Simulator {
  /** 'http://127.0.0.1:<port>' (no trailing slash). */
  readonly url: string;
  readonly webhookSecret: string;
  /** Outcome of the next accepted submit (FIFO queue of scripts), overriding prompt markers. */
  scriptNext(outcome: ScriptedOutcome): void;
  /**
   * Answer the next `times` (default 1) requests matching method (optional) + path prefix with `status`
   * and JSON `body` (default {detail:'Injected fault'}), optionally after `delayMs`; status 0 means: just
   * delay then handle normally.
   */
  injectFault(fault: InjectedFault): void;
  /** One request's state, its status computed now. */
  request(requestId: string): SimRequestInfo | undefined;
  requests(): SimRequestInfo[];
  stats(): SimStats;
  webhookDeliveries(): WebhookDeliveryInfo[];
  /** Send the last webhook of this request again (same webhook-id), for replay tests. */
  redeliverWebhook(requestId: string): Promise<void>;
  /** Change options at run time; affects requests submitted afterwards. */
  configure(patch: ConfigurePatch): void;
  /** Closes the server, clears all timers, aborts webhook sends; leaves no open handles. */
  close(): Promise<void>;
}

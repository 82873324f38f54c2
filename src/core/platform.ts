/**
 * The platform contract: what a chat platform (Discord, Slack, the terminal, and the next one) is to the
 * rest of Higgsbot. In the spirit of vercel/chat's `Adapter` and bolt-js's `Receiver`, a platform is a
 * factory in its own folder under src/adapters/ that takes its block of configuration and returns what it
 * contributes:
 *
 * - `publisher`: posts status messages, results and failures, from any process (a worker has no gateway);
 * - `routes`: what it serves on the bot's HTTP port (Slack's Events API), answering 503 until started;
 * - `commands`: the slash commands it offers, from the shared definitions (commands/);
 * - `start(services)`: connect and take people's messages, handing each turn and press to the core use
 *   cases it is given; `stop()` undoes it;
 * - `check()`: what `higgsbot doctor` prints about it.
 *
 * The composition root (src/app/container.ts) loops over the configured platforms of src/platforms.ts; it
 * knows no platform by name. Only a platform's own folder imports its SDK.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { CommandDefinition } from '../../commands/command-definition.js';
import type { Assistant } from './assistant.js';
import type { ImageInput } from './assistant-types.js';
import type { HistoryStore } from './history.js';
import type { CoreLogger, MediaStore, ProgressBus, Publisher } from './ports.js';
import type { ConversationRef } from './types.js';

/** The logger a platform gets; pino's satisfies it. */
export interface PlatformLogger extends CoreLogger {
  error(details: object, message: string): void;
  debug(details: object, message: string): void;
  child(bindings: Record<string, unknown>): PlatformLogger;
}

/** A route on the bot's HTTP server. `prefix` makes `path` (ending in '/') match every path below it. */
export interface HttpRoute {
  method: string;
  path: string;
  prefix?: boolean;
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
}

/** One line of `higgsbot doctor`. */
export interface HealthCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

/** A person's image on the platform, to be checked, fetched from the platform's hosts and re-hosted. */
export interface PlatformImage {
  url: string;
  contentType?: string | null;
  sizeBytes?: number | null;
  /** Hosts the URL may point at (the platform's CDN); anything else is refused before fetching. */
  allowedHosts: readonly string[];
  /** Credentials the platform's file host wants (Slack's bot token); never sent elsewhere. */
  headers?: Record<string, string>;
  /**
   * The URL came from a person, not from the platform: fetch it only from public addresses (every address
   * its host resolves to, on every redirect, is checked, and the connection goes to the checked one).
   */
  publicOnly?: boolean;
}

/** A style or motion of the provider's catalog. */
export interface CatalogItem {
  id: string;
  name: string;
  description: string;
}

/** The core use cases and helpers a started platform hands people's turns and presses to. */
export interface PlatformServices {
  assistant: Assistant;
  /** Soul styles matching a query (all of them, up to `limit`, for an empty one). */
  searchStyles(query: string, limit: number): Promise<CatalogItem[]>;
  /** The whole catalog: Soul styles and DoP motions. */
  catalog?(): Promise<{ styles: CatalogItem[]; motions: CatalogItem[] }>;
  /** The durable record (conversations, generations; chats and API keys where the store has them). */
  history?: HistoryStore;
  /** Where people reach this process's HTTP server: PUBLIC_URL, else the server's own address. */
  publicUrl?: string;
  /**
   * The origins browsers load results from (`media`) and send uploads to (`uploads`), for a page's
   * Content-Security-Policy; known with `publicUrl`.
   */
  linkOrigins?: { media: readonly string[]; uploads: readonly string[] };
  /** Check, fetch and re-host a person's image so the provider can read it. */
  rehost(image: PlatformImage): Promise<ImageInput>;
  /** Every generation's progress, from every worker process. */
  progress: ProgressBus;
  /**
   * Resolves once acknowledgements that are waiting on this process's HTTP server have gone out (briefly
   * bounded): the work after an acknowledgement awaits it, so a burst of requests is acknowledged first.
   */
  afterAcks(): Promise<void>;
  logger: PlatformLogger;
}

/** Where the shared state lives, as plain settings (a platform that keeps state there opens its own client). */
export interface PlatformRuntime {
  redisUrl: string;
  /** The queue's key prefix: every key a platform writes starts with it. */
  keyPrefix: string;
  /** The process's role: a worker posts results but takes no requests. */
  role: 'all' | 'bot' | 'worker';
}

/** What every platform's factory is given besides its configuration. */
export interface PlatformDeps {
  store: MediaStore;
  logger: PlatformLogger;
  /** Absent only in specs of platforms that keep no state of their own. */
  runtime?: PlatformRuntime;
  /** The process's console: the terminal platform writes results there and runs `higgsbot chat` on it. */
  console: ProcessConsole;
}

export interface ProcessConsole {
  /** Where the terminal publisher writes results of terminal generations this process runs. */
  output: Writable;
  /** The conversation `higgsbot chat` holds on this console; absent in `higgsbot start`. */
  chat?: {
    input: Readable;
    /** The conversation's own output (it shows results from the progress events itself). */
    output: Writable;
    /** Show a prompt (a terminal, not a pipe). */
    interactive: boolean;
    conversation: ConversationRef;
    /** Lines printed first (mode, where results go). */
    banner: readonly string[];
    /** Aborted (Ctrl-C, a closed pipe): stop reading and leave without waiting for running jobs. */
    signal?: AbortSignal;
    /** After the input ends, how long to wait for running jobs. */
    settleTimeoutMs?: number;
  };
}

export interface PlatformAdapter {
  readonly id: string;
  readonly publisher: Publisher;
  readonly routes: readonly HttpRoute[];
  readonly commands: readonly CommandDefinition[];
  start(services: PlatformServices): Promise<void>;
  /**
   * A foreground platform (the terminal chat) resolves this when its conversation is over; a background one
   * (Discord, Slack) leaves it undefined and runs until stopped.
   */
  readonly finished?: Promise<void> | undefined;
  stop(): Promise<void>;
  check(): Promise<HealthCheck[]>;
}

export type PlatformFactory<C> = (config: C, deps: PlatformDeps) => PlatformAdapter;

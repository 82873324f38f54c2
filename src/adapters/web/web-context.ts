/**
 * What every web route module is given: the core use cases and stores, scoped per request by the person
 * the request's key belongs to (`request.person`). Route modules are `(app, ctx) => void` and register
 * their routes with zod schemas (the OpenAPI document is generated from them).
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { ApiKeyStore } from '../../core/api-keys.js';
import type { Assistant } from '../../core/assistant.js';
import type { ImageInput } from '../../core/assistant-types.js';
import type { ChatOwner, ChatStore } from '../../core/chats.js';
import type { HistoryStore } from '../../core/history.js';
import type { CatalogItem, PlatformImage, PlatformLogger } from '../../core/platform.js';
import type { MediaStore, ProgressBus } from '../../core/ports.js';
import type { WebConfig } from './web-config.js';
import type { WebEventLog } from './web-events.js';

export type WebApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export const WEB_PLATFORM = 'web';

/** Who a request acts for: the person its key belongs to (or the configured anonymous person). */
export interface Person {
  userId: string;
  /** The key used; absent for the anonymous person. */
  keyId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    person: Person;
  }
  interface FastifyContextConfig {
    /** Served without a key (health, the OpenAPI document, the reference page, upload and file links). */
    public?: boolean;
  }
}

export interface WebContext {
  config: WebConfig;
  assistant: Assistant;
  history: HistoryStore;
  chats: ChatStore;
  keys: ApiKeyStore;
  media: MediaStore;
  progress: ProgressBus;
  /** Each chat's progress, results and failures, for its event stream (and resume after a drop). */
  events: WebEventLog;
  /** Commands (rate limit, upload records): not for blocking reads. */
  redis: Redis;
  keyPrefix: string;
  catalog(): Promise<{ styles: CatalogItem[]; motions: CatalogItem[] }>;
  rehost(image: PlatformImage): Promise<ImageInput>;
  /** Where people reach this server, no trailing slash: links we hand out start with it. */
  publicUrl: string;
  /** The origins results are linked on and uploads go to (the page's CSP, `GET /me`). */
  linkOrigins: { media: readonly string[]; uploads: readonly string[] };
  logger: PlatformLogger;
}

export type WebRoutes = (app: WebApp, ctx: WebContext) => void;

/** The owner every store call of this request is scoped to. */
export function ownerOf(request: FastifyRequest): ChatOwner {
  return { platform: WEB_PLATFORM, userId: request.person.userId };
}

/**
 * The web API's Fastify instance: zod schemas on every route (requests validated, responses serialized,
 * the OpenAPI 3.1 document generated from them at /openapi.json, a reference page at /docs), Bearer keys,
 * a rate limit per key on Redis (so it holds across processes), a CORS allowlist and the seeds' error shape
 * `{"detail": …}`. It is not listening itself: the bot's HTTP server hands it every request no other route
 * takes (`routing`), so Slack's receiver, the webhook route and media links keep their own code paths.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AppError, apology, ErrorCode, newReferenceId } from '../../errors.js';
import type { WebApp, WebContext, WebRoutes } from './web-context.js';
import { WebError } from './web-errors.js';

export const API_VERSION = '1.0.0';
const JSON_BODY_LIMIT = 1024 * 1024;

export interface WebServer {
  app: WebApp;
  /** Hands a raw request to Fastify's router. */
  routing(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void;
  close(): Promise<void>;
}

export async function buildWebServer(ctx: WebContext, modules: readonly WebRoutes[]): Promise<WebServer> {
  const log = ctx.logger.child({ module: 'web' });
  const app = Fastify({
    logger: false,
    bodyLimit: JSON_BODY_LIMIT,
    // Long-lived event streams must not hold a shutdown: closing the instance ends them.
    forceCloseConnections: true,
    return503OnClosing: true,
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>() as WebApp;
  // Seed B's client sends Content-Type: application/json on every request, a DELETE with no body too: an
  // empty body is no body; anything else must be JSON (malformed answers 400, as before).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    json(request, body as string, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('person', null as never);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Higgsbot web API',
        version: API_VERSION,
        description:
          'Chats, options and generations on the Higgsbot core: seed B’s /chats contract, seed A’s /v1 contract, and each chat’s event stream.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.addHook('onRoute', (route) => {
    // The reference page's own routes are public and unlimited.
    if (route.url.startsWith('/docs'))
      route.config = { ...(route.config as object), public: true, rateLimit: false } as never;
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { url: '/openapi.json' } });

  await app.register(cors, {
    origin: corsOrigin(ctx.config.corsOrigins),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
    exposedHeaders: ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'location'],
    maxAge: 600,
  });

  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') return;
    const route = request.routeOptions.config;
    if (route?.public) {
      request.person = { userId: '' };
      return;
    }
    request.person = await authenticate(ctx, request);
  });

  await app.register(rateLimit, {
    global: true,
    max: ctx.config.rateLimitPerMinute,
    timeWindow: 60_000,
    redis: ctx.redis,
    nameSpace: `${ctx.keyPrefix}:web:rate:`,
    enableDraftSpec: true,
    skipOnError: true,
    keyGenerator: (request) =>
      request.person?.keyId ? `key:${request.person.keyId}` : `ip:${request.person?.userId ?? ''}:${request.ip}`,
    allowList: (request) => request.method === 'OPTIONS' || request.routeOptions.config?.public === true,
    errorResponseBuilder: (_request, context) => {
      const error = new WebError(
        429,
        `Too many requests: the limit is ${context.max} a minute. Try again in ${Math.ceil(context.ttl / 1000)} s.`,
      );
      return error;
    },
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ detail: `No route ${request.method} ${request.url.split('?')[0]}` });
  });
  app.setErrorHandler((error: FastifyError | WebError | AppError, request, reply) => {
    const answer = errorAnswer(error);
    if (answer.status >= 500) log.error({ err: error, method: request.method, url: request.url }, 'web request failed');
    for (const [name, value] of Object.entries(answer.headers ?? {})) void reply.header(name, value);
    void reply.code(answer.status).send({ detail: answer.detail });
  });

  app.get('/openapi.json', { config: { public: true, rateLimit: false }, schema: { hide: true } }, () => app.swagger());
  for (const register of modules) register(app, ctx);
  await app.ready();

  return {
    app,
    routing: (req, res) => app.routing(req, res),
    close: () => app.close(),
  };
}

function corsOrigin(allowed: readonly string[]): boolean | string[] {
  if (allowed.includes('*')) return true;
  return allowed.length > 0 ? [...allowed] : false;
}

/** The request's person, from its Bearer key (or the anonymous person when configured and no key is sent). */
async function authenticate(ctx: WebContext, request: FastifyRequest) {
  const header = request.headers.authorization;
  if (header === undefined && ctx.config.anonymousUser) return { userId: ctx.config.anonymousUser };
  const challenge = { 'www-authenticate': 'Bearer' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw new WebError(401, 'Missing API key: send Authorization: Bearer <key>.', challenge);
  const key = await ctx.keys.verify(match[1]);
  if (!key) throw new WebError(401, 'Invalid or revoked API key.', challenge);
  return { userId: key.userId, keyId: key.id };
}

export interface ErrorAnswer {
  status: number;
  detail: string;
  headers?: Record<string, string>;
}

const APP_ERROR_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BadInput]: 422,
  [ErrorCode.MediaTooLarge]: 413,
  [ErrorCode.MediaBadType]: 415,
  [ErrorCode.MediaNotFound]: 404,
  [ErrorCode.MediaFetchFailed]: 422,
  [ErrorCode.ServiceUnavailable]: 503,
};

/** An error as the answer every route gives it: its status and `{detail}` for people (500 hides the cause). */
export function errorAnswer(error: FastifyError | WebError | AppError): ErrorAnswer {
  if (error instanceof WebError) return { status: error.status, detail: error.detail, headers: error.headers };
  if (error instanceof AppError) {
    const status = APP_ERROR_STATUS[error.code];
    if (status) return { status, detail: error.userMessage };
    return { status: 500, detail: apology(newReferenceId()) };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
    const first = error.validation[0];
    const field = [where, ...(first?.instancePath ?? '').split('/').filter(Boolean)].join('.');
    const unknownKeys = (first?.params as { keys?: string[] } | undefined)?.keys;
    const named = unknownKeys?.length ? `${field}.${unknownKeys.join(', ')}` : field;
    return { status: 422, detail: `${named}: ${first?.message ?? 'is not valid'}` };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, detail: 'The body is not valid JSON.' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, detail: 'The body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, detail: 'Unsupported content type: send application/json.' };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, detail: error.message };
  }
  return { status: 500, detail: apology(newReferenceId()) };
}

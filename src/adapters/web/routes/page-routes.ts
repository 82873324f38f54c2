/**
 * The web chat in the browser: `GET /` answers a browser's navigation with the built page (and every other
 * client with the health answer, as before), and `GET /assets/<file>` serves the built scripts and styles
 * (@fastify/static over `<ui dir>/assets` only: no directory listing, no dotfiles, nothing outside it). All of
 * it is public and outside the rate limit: the page holds no data, and it asks for the key itself. The build
 * writes each asset precompressed (brotli, gzip) beside it, so no request spends CPU compressing.
 *
 * Decisions:
 * - The page is read from disk on each navigation (one small file), so a rebuild shows without a restart; when
 *   it is missing the answer is 503 in plain text saying how to build it. `cache-control: no-cache` keeps it
 *   fresh; the assets' names carry their content hash, so they are cached for a year as immutable.
 * - The page and the assets carry the Content-Security-Policy and hardening headers of web-page.ts; `Vary:
 *   Accept` on `/`, since one URL answers two ways.
 * - An unknown asset, a directory and a path that tries to leave the folder all answer the same 404 `{detail}`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyError } from 'fastify';
import { z } from 'zod';
import { HealthResponse } from '../schemas/seed-a.js';
import type { WebRoutes } from '../web-context.js';
import { locateWebUi, NOT_BUILT_TEXT, pageHeaders, prefersHtml } from '../web-page.js';
import { HEALTHY } from './health-routes.js';

const ASSET_CACHE = 'public, max-age=31536000, immutable';
const PUBLIC = { public: true, rateLimit: false } as const;

export const pageRoutes: WebRoutes = (app, ctx) => {
  const dir = ctx.config.uiDir ?? locateWebUi();
  const headers = pageHeaders(ctx.linkOrigins);

  app.get(
    '/',
    {
      config: PUBLIC,
      schema: {
        tags: ['health'],
        summary: 'The web chat for a browser; the health check for every other client',
        description:
          'With an `Accept` that prefers `text/html` (a browser opening the address), the web chat’s page; ' +
          'otherwise the same health answer as `GET /health`.',
        security: [],
        response: {
          200: {
            description: 'The health answer (JSON), or the page (HTML) for a browser.',
            content: {
              'application/json': { schema: HealthResponse },
              'text/html': { schema: z.string().describe('The web chat’s page.') },
            },
          },
          503: {
            description: 'For a browser, when the page is not built.',
            content: { 'text/plain': { schema: z.string() } },
          },
        },
      },
    },
    async (request, reply) => {
      void reply.header('vary', 'Accept');
      if (!prefersHtml(request.headers.accept)) return reply.type('application/json; charset=utf-8').send(HEALTHY);
      void reply.headers(headers);
      const page =
        dir === undefined ? undefined : await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
      if (page === undefined) {
        return reply
          .code(503)
          .header('cache-control', 'no-store')
          .type('text/plain; charset=utf-8')
          .send(NOT_BUILT_TEXT);
      }
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
    },
  );

  // Outside the package (no dist/web found) and without WEB_UI_DIR there is nothing to serve.
  if (dir === undefined) return;
  void app.register(async (assets) => {
    assets.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), ...PUBLIC } as never;
    });
    assets.addHook('onRequest', async (_request, reply) => {
      void reply.headers(headers);
    });
    // A path that tries to leave the folder, or names a folder, is not found like any file that is not there.
    assets.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error.code === 'FST_STATIC_FORBIDDEN_PATH' || error.statusCode === 403) return reply.callNotFound();
      throw error;
    });
    await assets.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      wildcard: true,
      index: false,
      list: false,
      // The build writes each file brotli- and gzip-compressed beside it; the one the browser accepts is sent.
      preCompressed: true,
      redirect: false,
      dotfiles: 'ignore',
      decorateReply: false,
      cacheControl: false,
      suppressWarning: true,
      setHeaders: (reply) => void reply.header('cache-control', ASSET_CACHE),
    });
  });
};

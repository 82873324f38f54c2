/**
 * `GET /` and `GET /health`: seed A's health answer `{status, version, service}` (seed B's `GET /health` reads
 * the same), public and outside the rate limit so probes and load balancers never need a key. It says the
 * web API is serving; the process's own probes (/healthz, /readyz) say whether Redis and the rest are.
 */
import { HealthResponse } from '../schemas/seed-a.js';
import type { WebRoutes } from '../web-context.js';
import { API_VERSION } from '../web-server.js';

const HEALTHY = { status: 'healthy', version: API_VERSION, service: 'higgsbot' } as const;

export const healthRoutes: WebRoutes = (app) => {
  const options = {
    config: { public: true, rateLimit: false },
    schema: { tags: ['health'], summary: 'Health check', security: [], response: { 200: HealthResponse } },
  } as const;
  // `GET /` will also serve the browser page for `Accept: text/html` (a later part of the web platform);
  // every other client, seed A's included, gets this JSON.
  app.get('/', options, () => HEALTHY);
  app.get('/health', options, () => HEALTHY);
};

/**
 * `GET /health` (and `GET /` for every client that does not ask for the page: page-routes.ts): seed A's health
 * answer `{status, version, service}` (seed B's `GET /health` reads the same), public and outside the rate
 * limit so probes and load balancers never need a key. It says the web API is serving; the process's own
 * probes (/healthz, /readyz) say whether Redis and the rest are.
 */
import { HealthResponse } from '../schemas/seed-a.js';
import type { WebRoutes } from '../web-context.js';
import { API_VERSION } from '../web-server.js';

export const HEALTHY = { status: 'healthy', version: API_VERSION, service: 'higgsbot' } as const;

export const healthRoutes: WebRoutes = (app) => {
  app.get(
    '/health',
    {
      config: { public: true, rateLimit: false },
      schema: { tags: ['health'], summary: 'Health check', security: [], response: { 200: HealthResponse } },
    },
    () => HEALTHY,
  );
};

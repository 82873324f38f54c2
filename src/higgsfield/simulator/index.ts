/**
 * A local HTTP server speaking the Higgsfield v2 contract, for demos and tests. It binds 127.0.0.1 on an
 * ephemeral port unless told otherwise; injected faults are applied before routing and auth, as a proxy
 * or load balancer in front of the real API would produce them.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../log.js';
import type { SimContext } from './context.js';
import { Exchange, HttpError } from './http-io.js';
import { route } from './routes.js';
import { RequestStore, toInfo } from './store.js';
import { Timers } from './timers.js';
import type { InjectedFault, Simulator, SimulatorOptions } from './types.js';
import { Uploads } from './uploads.js';
import { WebhookSender } from './webhooks.js';

export { MOTION_ENTRIES, SOUL_STYLE_ENTRIES } from './catalogs.js';
export { PNG_SIGNATURE, renderPng } from './media.js';
export { FAIL_MESSAGE } from './store.js';
export type { SimRequestInfo, Simulator, SimulatorOptions } from './types.js';

export const SIMULATOR_CREDENTIALS: Readonly<{ keyId: string; keySecret: string }> = Object.freeze({
  keyId: 'sim-key',
  keySecret: 'sim-secret',
});

interface PendingFault {
  readonly method: string | undefined;
  readonly pathPrefix: string;
  readonly status: number;
  readonly delayMs: number;
  readonly body: unknown;
  remaining: number;
}

function takeFault(faults: PendingFault[], ex: Exchange): PendingFault | undefined {
  const fault = faults.find(
    (f) => f.remaining > 0 && ex.path.startsWith(f.pathPrefix) && (f.method === undefined || f.method === ex.method),
  );
  if (!fault) return undefined;
  fault.remaining--;
  if (fault.remaining <= 0) faults.splice(faults.indexOf(fault), 1);
  return fault;
}

async function handle(ctx: SimContext, faults: PendingFault[], req: IncomingMessage, res: ServerResponse) {
  const ex = new Exchange(req, res, (call) => ctx.stats.calls.push(call));
  try {
    const fault = takeFault(faults, ex);
    if (fault && fault.delayMs > 0) await ctx.timers.sleep(fault.delayMs);
    if (fault && fault.status !== 0) {
      ex.json(fault.status, fault.body === undefined ? { detail: 'Injected fault' } : fault.body);
      return;
    }
    await route(ctx, ex);
  } catch (err) {
    if (res.headersSent) {
      ctx.logger.debug({ err, path: ex.path }, 'simulator response aborted');
      res.destroy();
    } else if (err instanceof HttpError) {
      ex.json(err.status, { detail: err.detail }, err.headers);
    } else {
      ctx.logger.error({ err, path: ex.path }, 'simulator handler failed');
      ex.json(500, { detail: 'Internal Server Error' });
    }
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger();
  const credentials = options.credentials ?? SIMULATOR_CREDENTIALS;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`;
  const timers = new Timers();
  const webhooks = new WebhookSender({
    secrets: [webhookSecret, ...(options.extraSigningSecrets ?? [])],
    retryDelaysMs: options.webhookRetryDelaysMs ?? [200, 1000, 5000],
    timers,
    logger,
  });
  const faults: PendingFault[] = [];
  const ctx: SimContext = {
    baseUrl: '',
    authorization: `Key ${credentials.keyId}:${credentials.keySecret}`,
    settings: {
      queuedMs: options.queuedMs ?? 300,
      inProgressMs: options.inProgressMs ?? 1500,
      timings: { ...options.timings },
      maxConcurrent: options.maxConcurrent ?? 4,
      videoSizeBytes: options.videoSizeBytes ?? 256 * 1024,
    },
    store: new RequestStore(),
    uploads: new Uploads(),
    webhooks,
    timers,
    scripts: [],
    stats: { submitCalls: 0, requestsCreated: 0, statusReads: 0, cancelCalls: 0, calls: [] },
    logger,
  };

  const server = createServer((req, res) => void handle(ctx, faults, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  ctx.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: ctx.baseUrl }, 'Higgsfield simulator listening');

  let closing: Promise<void> | undefined;
  return {
    url: ctx.baseUrl,
    webhookSecret,
    scriptNext: (outcome) => {
      ctx.scripts.push({ ...outcome });
    },
    injectFault: (fault: InjectedFault) => {
      faults.push({
        method: fault.method?.toUpperCase(),
        pathPrefix: fault.pathPrefix,
        status: fault.status,
        delayMs: fault.delayMs ?? 0,
        body: fault.body,
        remaining: fault.times ?? 1,
      });
    },
    request: (id) => {
      const req = ctx.store.get(id);
      return req ? toInfo(req, Date.now()) : undefined;
    },
    requests: () => {
      const now = Date.now();
      return ctx.store.all().map((req) => toInfo(req, now));
    },
    stats: () => ({ ...ctx.stats, calls: ctx.stats.calls.map((call) => ({ ...call })) }),
    webhookDeliveries: () => webhooks.deliveries(),
    redeliverWebhook: (requestId) => webhooks.redeliver(requestId),
    configure: (patch) => {
      const { settings } = ctx;
      if (patch.queuedMs !== undefined) settings.queuedMs = patch.queuedMs;
      if (patch.inProgressMs !== undefined) settings.inProgressMs = patch.inProgressMs;
      if (patch.maxConcurrent !== undefined) settings.maxConcurrent = patch.maxConcurrent;
      if (patch.videoSizeBytes !== undefined) settings.videoSizeBytes = patch.videoSizeBytes;
      if (patch.timings !== undefined) settings.timings = { ...settings.timings, ...patch.timings };
    },
    close: () => {
      closing ??= (async () => {
        timers.clearAll();
        await webhooks.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        logger.info({ url: ctx.baseUrl }, 'Higgsfield simulator closed');
      })();
      return closing;
    },
  };
}

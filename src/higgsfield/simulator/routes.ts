/**
 * The simulator's route table. Fixed routes are matched first (405 on a wrong method, checked before
 * auth as FastAPI does); any other POST is a model submit, so model ids may contain slashes and dots.
 * Media, storage PUT and public file GETs need no credentials, like their CDN/S3 counterparts.
 */
import { findModel, listModels, type ModelSpec } from '../models/registry.js';
import { motions, soulStyles } from './catalogs.js';
import type { SimContext } from './context.js';
import { cancel, estimate, media, remove, status, submit } from './generation.js';
import { type Exchange, HttpError } from './http-io.js';

type Handler = (ctx: SimContext, ex: Exchange, params: string[]) => Promise<void> | void;

interface Route {
  readonly pattern: RegExp;
  readonly methods: readonly string[];
  readonly auth: boolean;
  readonly handle: Handler;
}

const OPERATION: Record<ModelSpec['kind'], string> = {
  'text-to-image': 'text2image',
  'text-to-video': 'text2video',
  'image-to-video': 'image2video',
};

const p = (params: string[], i: number): string => params[i] ?? '';

const ROUTES: readonly Route[] = [
  {
    pattern: /^\/media\/([^/]+)\/([^/]+)$/,
    methods: ['GET', 'HEAD'],
    auth: false,
    handle: (ctx, ex, params) => media(ctx, ex, p(params, 0), p(params, 1)),
  },
  {
    pattern: /^\/upload\/([^/]+)$/,
    methods: ['PUT'],
    auth: false,
    handle: (ctx, ex, params) => ctx.uploads.put(ex, p(params, 0)),
  },
  {
    pattern: /^\/files\/generate-upload-url$/,
    methods: ['POST'],
    auth: true,
    handle: (ctx, ex) => ctx.uploads.createUploadUrl(ex, ctx.baseUrl),
  },
  {
    pattern: /^\/files\/([^/]+)$/,
    methods: ['GET', 'HEAD'],
    auth: false,
    handle: (ctx, ex, params) => ctx.uploads.get(ex, p(params, 0)),
  },
  {
    pattern: /^\/requests\/([^/]+)\/status$/,
    methods: ['GET'],
    auth: true,
    handle: (ctx, ex, params) => status(ctx, ex, p(params, 0)),
  },
  {
    pattern: /^\/requests\/([^/]+)\/cancel$/,
    methods: ['POST'],
    auth: true,
    handle: (ctx, ex, params) => cancel(ctx, ex, p(params, 0)),
  },
  {
    pattern: /^\/requests\/([^/]+)$/,
    methods: ['DELETE'],
    auth: true,
    handle: (ctx, ex, params) => remove(ctx, ex, p(params, 0)),
  },
  {
    pattern: /^\/models$/,
    methods: ['GET'],
    auth: true,
    handle: (_ctx, ex) =>
      ex.json(
        200,
        listModels().map((m) => ({
          slug: m.id,
          title: m.title,
          description: m.strength,
          output_type: m.output,
          operation_type: OPERATION[m.kind],
        })),
      ),
  },
  {
    pattern: /^\/v1\/text2image\/soul-styles(?:\/v2)?$/,
    methods: ['GET'],
    auth: true,
    handle: (ctx, ex) => ex.json(200, soulStyles(ctx.baseUrl)),
  },
  {
    pattern: /^\/v1\/motions$/,
    methods: ['GET'],
    auth: true,
    handle: (ctx, ex) => ex.json(200, motions(ctx.baseUrl)),
  },
  {
    pattern: /^\/estimate\/(.+)$/,
    methods: ['POST'],
    auth: true,
    handle: (_ctx, ex, params) => estimate(ex, p(params, 0)),
  },
];

function authorize(ctx: SimContext, ex: Exchange): void {
  if (ex.header('authorization') !== ctx.authorization) throw new HttpError(401, 'Invalid credentials');
}

function methodNotAllowed(methods: readonly string[]): HttpError {
  return new HttpError(405, 'Method Not Allowed', { Allow: methods.join(', ') });
}

/** Dispatches one exchange; throws HttpError for every error answer. */
export async function route(ctx: SimContext, ex: Exchange): Promise<void> {
  for (const r of ROUTES) {
    const match = r.pattern.exec(ex.path);
    if (!match) continue;
    if (!r.methods.includes(ex.method)) throw methodNotAllowed(r.methods);
    if (r.auth) authorize(ctx, ex);
    await r.handle(ctx, ex, match.slice(1));
    return;
  }
  const modelId = ex.path.slice(1);
  if (ex.method === 'POST' && modelId !== '') {
    authorize(ctx, ex);
    await submit(ctx, ex, modelId);
    return;
  }
  if (findModel(modelId)) throw methodNotAllowed(['POST']);
  throw new HttpError(404, 'Not Found');
}

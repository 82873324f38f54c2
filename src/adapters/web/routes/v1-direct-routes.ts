/**
 * Seed A's direct model routes: `POST /v1/t2i/{nano-banana|seedream4}`, `/v1/t2v/{minimax-hailuo-02|
 * seedance-v1-lite}`, `/v1/i2v/{kling25|minimax|seedance|veo3|wan25-fast}`. Each body is read by its seed
 * schema, mapped onto its v2 model (v1-models.ts), validated by the registry and started as one generation
 * in the person's `/v1` conversation; the answer is the seed's job submission (poll `/v1/jobs/{id}`).
 *
 * Order of the checks, so nothing is fetched, uploaded or queued for a request that will be refused: the
 * body's schema (422), the aspect ratio among the seed's (the seed's 400), the input image's link (422),
 * the v2 body with a stand-in for the image (422), then the image is fetched and re-hosted (422 when it
 * cannot be), and only then queued.
 *
 * Decisions:
 * - An input image is an https link, or a link this server handed out (its upload and result links, on
 *   PUBLIC_URL, http included); links to loopback, private and link-local address literals and `localhost`
 *   are refused before any fetch. Any other link is fetched with `publicOnly`: the media fetcher resolves
 *   its host once, refuses it (422) when any address is not public, and connects to the checked address
 *   only, on every redirect. The image is fetched from that one host only and re-hosted on the provider's
 *   storage, as chat attachments are.
 * - `Idempotency-Key` (≤ 64 characters): the same key from the same person within the queue's choice window
 *   (an hour) answers the same generation; without one every call starts a new one. The queue's choice keys
 *   are global, so the key is the person and their key hashed together. A key reused for a different
 *   request (another model or prompt) answers 422 rather than someone's earlier result.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { GenerationOption } from '../../../core/types.js';
import { findModel, validateRequest } from '../../../higgsfield/models/registry.js';
import { errorResponses } from '../schemas/common.js';
import { type DirectBody, directBody, IdempotencyHeaders, V1JobSubmission } from '../schemas/seed-a.js';
import { v1Conversation } from '../v1-conversation.js';
import { jobSetState, toJobSubmission } from '../v1-jobs.js';
import { aspectRatioDetail, V1_ROUTES, v1Recipe } from '../v1-models.js';
import type { WebContext, WebRoutes } from '../web-context.js';
import { badRequest, unavailable, unprocessable } from '../web-errors.js';

/** Stands in for the input image while the v2 body is validated, before the image is fetched. */
const IMAGE_PLACEHOLDER = 'https://placeholder.invalid/input.png';

const FAMILY_SUMMARY = { t2i: 'Text to image', t2v: 'Text to video', i2v: 'Image to video' } as const;

export const v1DirectRoutes: WebRoutes = (app, ctx) => {
  for (const route of V1_ROUTES) {
    const model = findModel(route.modelId);
    if (!model) throw new Error(`${route.path} maps onto ${route.modelId}, which is not in the model registry`);
    app.post(
      route.path,
      {
        schema: {
          tags: ['v1'],
          summary: `${FAMILY_SUMMARY[route.family]}: ${route.name} (runs ${model.title})`,
          body: directBody(route),
          headers: IdempotencyHeaders,
          response: { 200: V1JobSubmission, ...errorResponses },
        },
      },
      async (request) => {
        const body = request.body;
        const userId = request.person.userId;
        if (body.aspect_ratio !== undefined && !route.aspectRatios.includes(body.aspect_ratio)) {
          throw badRequest(aspectRatioDetail(route));
        }
        const source = route.family === 'i2v' ? imageSource(ctx, body) : undefined;
        // Validated with a stand-in first: a body the model refuses costs no fetch and no upload.
        validateRequest(route.modelId, v1Recipe(route, body, source ? IMAGE_PLACEHOLDER : undefined).body);
        const image = source
          ? await ctx.rehost({
              url: source.url.href,
              allowedHosts: [source.url.hostname],
              contentType: null,
              sizeBytes: null,
              ...(source.own ? {} : { publicOnly: true }),
            })
          : undefined;
        const recipe = v1Recipe(route, body, image?.url);
        const { prompt, ...params } = validateRequest(route.modelId, recipe.body);
        const option: GenerationOption = {
          kind: model.kind,
          modelId: model.id,
          prompt: String(prompt),
          params,
          label: [...`${model.title}: ${String(prompt)}`].slice(0, 75).join(''),
          reason: `Asked for through POST ${route.path}`,
        };

        const key = request.headers['idempotency-key'];
        const outcome = await ctx.assistant.generate(
          v1Conversation(userId),
          option,
          choiceKey(userId, key ?? randomUUID()),
        );
        if (outcome.kind !== 'queued') throw unavailable(outcome.message);
        const live = outcome.duplicate ? await ctx.assistant.lookup(outcome.generationId) : undefined;
        if (live && (live.spec.option.modelId !== option.modelId || live.spec.option.prompt !== option.prompt)) {
          throw unprocessable(
            'This Idempotency-Key was already used for a different request in the last hour. Send a new key for a new request.',
          );
        }
        return toJobSubmission({
          generationId: outcome.generationId,
          option: live?.spec.option ?? option,
          status: live ? jobSetState(live.state) : 'queued',
          estimatedWaitMs: outcome.estimatedWaitMs,
          model: route.name,
          notes: recipe.notes,
        });
      },
    );
  }
};

/** The queue's choice key of one person's idempotency key (the queue's keys are not per person). */
function choiceKey(userId: string, key: string): string {
  return `v1:${createHash('sha256')
    .update(JSON.stringify([userId, key]))
    .digest('base64url')
    .slice(0, 32)}`;
}

/**
 * The input image's link, checked: an https link to a public host, or one of this server's own links
 * (`own`: fetched by host as our other links are; anything else is fetched from public addresses only).
 */
function imageSource(ctx: WebContext, body: DirectBody): { url: URL; own: boolean } {
  const image = body.input_images?.[0];
  const raw = image?.image_url ?? image?.url ?? '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw unprocessable('body.input_images.0: is not a valid URL');
  }
  if (raw.startsWith(`${ctx.publicUrl}/`)) return { url, own: true };
  if (url.protocol !== 'https:') {
    throw unprocessable('body.input_images.0: must be an https link (or a link this server gave you)');
  }
  if (url.username || url.password || isPrivateHost(url.hostname)) {
    throw unprocessable('body.input_images.0: must be a link to a public host');
  }
  return { url, own: false };
}

/** `localhost`, or an IP literal in a loopback, private, link-local or unspecified range. */
function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const version = isIP(host);
  if (version === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (version === 6) {
    if (host === '::' || host === '::1') return true;
    if (/^f[cd]/.test(host) || /^fe[89ab]/.test(host)) return true;
    const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
    if (dotted) return isPrivateHost(dotted);
    // URL writes a mapped IPv4 address in hex: ::ffff:7f00:1 is 127.0.0.1.
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (hex?.[1] && hex[2]) {
      const high = Number.parseInt(hex[1], 16);
      const low = Number.parseInt(hex[2], 16);
      return isPrivateHost(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
    return false;
  }
  return false;
}

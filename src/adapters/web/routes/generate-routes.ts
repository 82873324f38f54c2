/**
 * Seed B's `POST /higgsfield/generate`: an option (a button's `option_id`) with the person's overrides becomes
 * one generation, and the answer is its result once ready (`{url, preview_url}`), bounded by
 * WEB_GENERATE_WAIT_S; past it, or with `?wait=false`, 202 with the generation id and the chat's event stream.
 *
 * Decisions:
 * - Everything is checked before anything is queued or paid for: the option is the person's own (else 404),
 *   the model is known (404), the mode fits it (its counterpart, else 422), the image is one of the person's
 *   uploads (404, 422), and the final params pass the registry's `validateRequest` (422 naming the param).
 *   Only the image's re-hosting (an upload to the provider, no credits) happens before the last check.
 * - A request that changes nothing of the option is the button press itself (choice key `<set>:<index>`), so
 *   it collapses with a press on Discord-style buttons; with overrides the key carries a short hash of the
 *   recipe, so the same overrides twice collapse too, and different ones do not.
 * - The waiter listens before the generation is enqueued (a fast result's events may come before `generate`
 *   returns); a duplicate of a generation that ended earlier is answered from its records.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../../../core/assistant.js';
import type { GenerationLookup } from '../../../core/ports.js';
import type { GenerationOption, MediaAsset, ProgressEvent } from '../../../core/types.js';
import { isEnded } from '../../../core/types.js';
import { findModel, type ModelSpec, validateRequest } from '../../../higgsfield/models/registry.js';
import { mediaBodies } from '../answer-bodies.js';
import { ErrorSchema, errorResponses } from '../schemas/common.js';
import {
  GenerateAcceptedSchema,
  type GenerateBody,
  GenerateBodySchema,
  GenerateQuerySchema,
  GenerateResultSchema,
} from '../schemas/seed-b-generate.js';
import {
  carriedParams,
  counterpart,
  paramsFromFields,
  resolveModelName,
  takes,
  withMotionStrength,
} from '../seed-b-models.js';
import { createGenerationWaiter } from '../wait-for-generation.js';
import { WEB_PLATFORM, type WebContext, type WebRoutes } from '../web-context.js';
import { notFound, unavailable, unprocessable, WebError } from '../web-errors.js';
import { parseOptionId } from '../web-messages.js';
import { createWebUploads, uploadIdOf, type WebUploads } from '../web-uploads.js';

export const generateRoutes: WebRoutes = (app, ctx) => {
  const waiter = createGenerationWaiter(ctx.progress);
  const uploads = createWebUploads(ctx);
  app.addHook('onClose', () => waiter.close());

  app.post(
    '/higgsfield/generate',
    {
      schema: {
        summary: 'Generate from an option (seed B)',
        description:
          'Starts the option’s generation with the overrides given and answers with the result once it is ready; 202 with the generation id when it takes longer than the server waits, or at once with ?wait=false.',
        body: GenerateBodySchema,
        querystring: GenerateQuerySchema,
        response: {
          200: GenerateResultSchema,
          202: GenerateAcceptedSchema,
          ...errorResponses,
          409: ErrorSchema,
          502: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const actor: Actor = { userId: request.person.userId, isAdmin: false };
      const named = parseOptionId(request.body.option_id);
      if (!named) throw notFound('option');
      const { key, index } = named;
      const check = await ctx.assistant.checkOption(key, index, actor);
      if (check.kind !== 'ok' || check.conversation.platform !== WEB_PLATFORM) throw notFound('option');
      const { option, choiceKey } = await recipeFor(
        ctx,
        uploads,
        actor.userId,
        check.option,
        request.body,
        `${key}:${index}`,
      );

      const wait = request.query.wait !== 'false' && request.query.wait !== '0';
      let listening = false;
      if (wait) {
        try {
          await waiter.listen();
          listening = true;
        } catch (error) {
          ctx.logger.warn({ err: error }, 'progress events unavailable: answering 202 without waiting');
        }
      }
      const outcome = await ctx.assistant.generate(check.conversation, option, choiceKey);
      if (outcome.kind === 'expired' || outcome.kind === 'not-allowed') throw notFound('option');
      if (outcome.kind === 'unavailable') throw unavailable(outcome.message);
      const { generationId } = outcome;
      const chatId = check.conversation.channelId;

      let end: ProgressEvent | GenerationLookup | undefined;
      if (listening) {
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        const ending = waiter.wait(generationId, ctx.config.generateWaitMs, gone.signal);
        // A duplicate may have ended before we listened: its records say so.
        const found = outcome.duplicate ? await ctx.assistant.lookup(generationId) : undefined;
        if (found && isEnded(found.state)) {
          gone.abort();
          end = found;
        } else {
          end = await ending;
        }
      }
      if (!end) {
        const state =
          waiter.latest(generationId)?.state ?? (await ctx.assistant.lookup(generationId))?.state ?? 'queued';
        reply.code(202);
        return { generation_id: generationId, status: state, events_url: `/chats/${chatId}/events` };
      }
      if (end.state === 'done') return resultOf(ctx, generationId, end.assets ?? []);
      if (end.state === 'canceled') throw new WebError(409, 'The generation was canceled.');
      throw await failureOf(ctx, generationId, end);
    },
  );
};

/**
 * The recipe to generate: the option as it is when nothing was overridden, else the option on the model and
 * params the request asks for, checked by the registry, with the person's image re-hosted for the provider.
 */
async function recipeFor(
  ctx: WebContext,
  uploads: WebUploads,
  userId: string,
  option: GenerationOption,
  body: GenerateBody,
  pressKey: string,
): Promise<{ option: GenerationOption; choiceKey: string }> {
  const model = modelFor(option, body);
  let params = model.id === option.modelId ? { ...option.params } : carriedParams(model, option.params);
  Object.assign(
    params,
    paramsFromFields(model, {
      aspect_ratio: body.aspect_ratio ?? undefined,
      duration: body.duration ?? undefined,
      resolution: body.resolution ?? undefined,
      quality: body.quality ?? undefined,
      seed: body.seed ?? undefined,
      enhance_prompt: body.enhance_prompt ?? undefined,
    }),
  );
  params = withMotionStrength(params, body.motion_strength ?? undefined);
  const imageUrl = body.image_url ?? undefined;
  const placeImage = imageSetter(model, imageUrl !== undefined);
  if (imageUrl !== undefined) placeImage(params, imageUrl);
  else if (model.kind === 'image-to-video' && params.image_url === undefined) {
    throw unprocessable(
      `body.image_url: is required for image-to-video with ${model.title}: attach an image (POST /attachments/presign) and send its download_url.`,
    );
  }
  // Checked with the person's own link first, so a wrong param is answered before the image is re-hosted.
  validateRequest(model.id, { ...params, prompt: option.prompt });
  if (imageUrl !== undefined) placeImage(params, await providerImage(ctx, uploads, userId, imageUrl));
  const final = withoutPrompt(validateRequest(model.id, { ...params, prompt: option.prompt }));

  if (model.id === option.modelId && sameParams(option, final)) return { option, choiceKey: pressKey };
  const recipe: GenerationOption = {
    kind: model.kind,
    modelId: model.id,
    prompt: option.prompt,
    params: final,
    label: option.label,
    reason: option.reason,
    ...(option.style && final.style_id === option.style.id ? { style: option.style } : {}),
    ...(option.motions && Array.isArray(final.motions) ? { motions: motionsOf(option.motions, final.motions) } : {}),
  };
  const hash = createHash('sha256')
    .update(stableJson({ modelId: recipe.modelId, params: recipe.params }))
    .digest('base64url')
    .slice(0, 12);
  return { option: recipe, choiceKey: `${pressKey}:${hash}` };
}

/** The request's model: `model_name` (or the option's), moved to its counterpart when `mode` asks for another kind. */
function modelFor(option: GenerationOption, body: GenerateBody): ModelSpec {
  const name = body.model_name ?? undefined;
  const named = name === undefined ? findModel(option.modelId) : resolveModelName(name);
  if (!named) {
    throw new WebError(
      404,
      `unknown model "${(name ?? option.modelId).slice(0, 80)}": use a seed B name (nano-banana, seedream, minimax-t2v, seedance-v1-lite-t2v, kling-2-5, seedance, wan-25-fast, minimax) or a model id that higgsbot models lists.`,
    );
  }
  const mode = body.mode ?? undefined;
  if (mode === undefined || named.kind === mode) return named;
  const other = counterpart(named, mode);
  if (!other) {
    throw unprocessable(
      `body.mode: ${named.title} makes ${named.kind}, not ${mode}; pick a model_name that makes ${mode}.`,
    );
  }
  return other;
}

/** Puts an image link where `model` takes one: `image_url`, or Nano Banana's `input_images`. */
function imageSetter(model: ModelSpec, given: boolean): (params: Record<string, unknown>, url: string) => void {
  if (takes(model, 'image_url')) {
    return (params, url) => {
      params.image_url = url;
    };
  }
  if (takes(model, 'input_images')) {
    return (params, url) => {
      params.input_images = [{ type: 'image_url', image_url: url }];
    };
  }
  if (given)
    throw unprocessable(`body.image_url: ${model.title} takes no input image; pick an image-to-video mode or model.`);
  return () => {};
}

/** A provider-readable copy of one of the person's uploads, named by its download link. */
async function providerImage(ctx: WebContext, uploads: WebUploads, userId: string, imageUrl: string): Promise<string> {
  const id = uploadIdOf(imageUrl);
  if (!id) {
    throw unprocessable(
      'body.image_url: must be the download_url of an image uploaded through POST /attachments/presign.',
    );
  }
  const record = await uploads.get(id);
  if (!record || record.userId !== userId) throw notFound('attachment');
  const link = await uploads.downloadLink(record);
  const ours = new Set([hostOf(ctx.publicUrl), hostOf(link)]);
  if (!ours.has(hostOf(imageUrl))) {
    throw unprocessable(
      'body.image_url: must be the download_url of an image uploaded through POST /attachments/presign.',
    );
  }
  if (!(await uploads.isComplete(record))) {
    throw unprocessable('body.image_url: that upload has no file yet: PUT the file to its upload_url first.');
  }
  const image = await ctx.rehost({
    url: link,
    contentType: record.contentType,
    sizeBytes: record.storedBytes ?? record.sizeBytes,
    allowedHosts: [hostOf(link)],
  });
  return image.url;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function withoutPrompt(body: Record<string, unknown>): Record<string, unknown> {
  const params = { ...body };
  delete params.prompt;
  return params;
}

/** Whether `params` are the option's own (as the registry fills them in). */
function sameParams(option: GenerationOption, params: Record<string, unknown>): boolean {
  try {
    const own = withoutPrompt(validateRequest(option.modelId, { ...option.params, prompt: option.prompt }));
    return stableJson(own) === stableJson(params);
  } catch {
    return false;
  }
}

/** The option's named motions that the params still hold, with the params' strengths. */
function motionsOf(named: NonNullable<GenerationOption['motions']>, motions: readonly unknown[]) {
  const strengths = new Map<string, number>();
  for (const m of motions as Array<{ id: string; strength: number }>) strengths.set(m.id, m.strength);
  return named.filter((m) => strengths.has(m.id)).map((m) => ({ ...m, strength: strengths.get(m.id) ?? m.strength }));
}

/** JSON with object keys sorted, so equal recipes hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

async function resultOf(ctx: WebContext, generationId: string, assets: readonly MediaAsset[]) {
  const media = await mediaBodies(ctx.media, assets);
  const first = media[0];
  if (!first) throw new WebError(502, 'The generation finished without a file. Please try again.');
  return { url: first.url, preview_url: first.url, generation_id: generationId, media };
}

/** The error a failed generation answers: 422 when the provider refused the request (moderation), else 502. */
async function failureOf(
  ctx: WebContext,
  generationId: string,
  end: ProgressEvent | GenerationLookup,
): Promise<WebError> {
  let reason = 'reason' in end ? end.reason : undefined;
  let message = 'message' in end ? end.message : undefined;
  if (message === undefined) {
    const entry = await ctx.history.get(generationId).catch(() => undefined);
    reason ??= entry?.failure?.reason;
    message = entry?.failure?.message;
  }
  const detail = message ?? 'The generation failed. Please try again.';
  return new WebError(reason === 'nsfw' || reason === 'refused' ? 422 : 502, detail);
}

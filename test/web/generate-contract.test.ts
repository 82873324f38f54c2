/**
 * Seed B's `POST /higgsfield/generate` as its document and its client use it: a button's option, with the
 * client's mode, model name and settings, answered with the result once it is ready (`{url, preview_url}`),
 * 202 with the generation id past the wait or with `?wait=false`, and the failures a person can act on.
 * Every refusal happens before anything reaches the provider: these specs count the simulator's submits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/assistant.js';
import { chatConversation } from '../../src/core/chats.js';
import {
  clientGenerateContentResponse,
  documentedGenerateResponse,
  generateAccepted,
} from './support/seed-b-generate-shapes.js';
import { errorBody } from './support/seed-b-shapes.js';
import { startWebWorld, until, type WebWorld } from './support/web-world.js';

let world: WebWorld;
let alice: string;
let bob: string;
const ALICE: Actor = { userId: 'alice', isAdmin: false };

beforeAll(async () => {
  world = await startWebWorld({
    name: 'generate',
    env: { WEB_RATE_LIMIT_PER_MINUTE: '100000', WEB_GENERATE_WAIT_S: '2' },
  });
  alice = await world.newKey('alice');
  bob = await world.newKey('bob');
}, 30_000);

afterAll(async () => {
  await world?.close();
});

interface Button {
  option_id: string;
  model: string;
  label: string;
}

interface Asked {
  chatId: string;
  buttons: Button[];
}

async function ask(text: string, key = alice): Promise<Asked> {
  const chat = await world.api<{ id: string }>('/chats', { method: 'POST', key, body: { title: text.slice(0, 40) } });
  expect(chat.status).toBe(201);
  const posted = await world.api<{ message: { render_payload: Array<{ type: string } & Partial<Button>> } }>(
    `/chats/${chat.body.id}/messages`,
    { method: 'POST', key, body: { text } },
  );
  expect(posted.status).toBe(201);
  const buttons = posted.body.message.render_payload.filter((c) => c.type === 'button') as Button[];
  expect(buttons.length).toBeGreaterThan(0);
  return { chatId: chat.body.id, buttons };
}

/** The first button whose model is `modelId`. */
function button(asked: Asked, modelId: string): Button {
  const found = asked.buttons.find((b) => b.model === modelId);
  if (!found) throw new Error(`no ${modelId} option among ${asked.buttons.map((b) => b.model).join(', ')}`);
  return found;
}

const generate = <T = unknown>(body: unknown, key = alice, query = '') =>
  world.api<T>(`/higgsfield/generate${query}`, { method: 'POST', key, body });

/** The recipe the queue holds for a generation: what was (or will be) sent to the provider. */
async function recipeOf(generationId: string) {
  const found = await world.app.assistant?.lookup(generationId);
  if (!found) throw new Error(`no generation ${generationId}`);
  return { option: found.spec.option, choiceKey: found.spec.choiceKey };
}

async function opens(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return response.headers.get('content-type') ?? '';
}

describe('POST /higgsfield/generate refuses before spending credits', () => {
  let asked: Asked;

  beforeAll(async () => {
    asked = await ask('a cat on a sofa');
  });

  /** A refusal: the status, a detail naming what is wrong, and nothing submitted to the provider or queued. */
  async function refused(body: unknown, status: number, detail: RegExp, key = alice, query = '') {
    const answer = await generate(body, key, query);
    expect(answer.status, answer.text).toBe(status);
    expect(errorBody.parse(answer.body).detail).toMatch(detail);
    expect(world.sim.stats().submitCalls).toBe(0);
    expect(world.sim.requests()).toEqual([]);
    const conversation = chatConversation({ platform: 'web', userId: 'alice' }, asked.chatId);
    expect(await world.app.assistant?.activeJobs(conversation)).toEqual([]);
  }

  it('answers 404 for an option that does not exist, is malformed or is out of range', async () => {
    const key = asked.buttons[0]?.option_id.split('.')[0];
    await refused({ option_id: 'zzzzzzzzzz.0' }, 404, /^option not found$/);
    await refused({ option_id: 'not-an-option' }, 404, /^option not found$/);
    await refused({ option_id: `${key}.9` }, 404, /^option not found$/);
  });

  it('answers 404 for another person’s option, exactly as for one that does not exist', async () => {
    await refused({ option_id: asked.buttons[0]?.option_id }, 404, /^option not found$/, bob);
  });

  it('answers 404 for a model it does not know', async () => {
    await refused({ option_id: asked.buttons[0]?.option_id, model_name: 'dall-e-3' }, 404, /unknown model "dall-e-3"/);
  });

  it('answers 422 naming an unknown field, and a field of the wrong type', async () => {
    await refused({ option_id: asked.buttons[0]?.option_id, colour: 'red' }, 422, /body.*colour/);
    await refused({ option_id: asked.buttons[0]?.option_id, duration: 'five' }, 422, /^body\.duration/);
    await refused({}, 422, /option_id/);
  });

  it('answers 400 for a body that is not JSON, and 401 without a key', async () => {
    const bad = await world.api('/higgsfield/generate', {
      method: 'POST',
      key: alice,
      body: '{"option_id": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    const anonymous = await world.api('/higgsfield/generate', { method: 'POST', body: { option_id: 'x.0' } });
    expect(anonymous.status).toBe(401);
    expect(world.sim.stats().submitCalls).toBe(0);
  });

  it('answers 422 naming the param a model refuses (Kling takes 5 or 10 seconds)', async () => {
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    await refused(
      { option_id: soul.option_id, mode: 'text-to-video', model_name: 'kling-2-5', duration: 7 },
      422,
      /duration must be one of 5, 10 \(got 7\)/,
    );
  });

  it('answers 422 for a mode the model cannot make and has no counterpart for', async () => {
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    await refused(
      { option_id: soul.option_id, mode: 'image-to-video' },
      422,
      /^body\.mode: Soul 2 makes text-to-image/,
    );
    await refused({ option_id: soul.option_id, mode: 'text-to-video', model_name: 'nano-banana' }, 422, /^body\.mode/);
  });

  it('answers 422 for image-to-video without an image, and for an image that is not one of our uploads', async () => {
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    const i2v = { option_id: soul.option_id, mode: 'image-to-video', model_name: 'kling-2-5' };
    await refused(i2v, 422, /^body\.image_url: is required for image-to-video/);
    await refused(
      { ...i2v, image_url: 'https://example.com/cat.png' },
      422,
      /^body\.image_url: must be the download_url/,
    );
    await refused(
      { ...i2v, image_url: `${world.url}/attachments/files/7df77018-c6be-4a38-9d87-8a6ac5fefba0/x.png?token=t` },
      404,
      /^attachment not found$/,
    );
  });
});

describe('POST /higgsfield/generate', () => {
  it('answers the document’s request with the result once it is ready: {url, preview_url}', async () => {
    const asked = await ask('a cat on a sofa');
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    const body = { option_id: soul.option_id, mode: 'text-to-image', aspect_ratio: '16:9', quality: '1080p' };
    const answer = await generate<{ generation_id: string; media: Array<{ content_type: string }> }>(body);
    expect(answer.status, answer.text).toBe(200);
    const documented = documentedGenerateResponse.parse(answer.body);
    clientGenerateContentResponse.parse(answer.body);
    expect(documented.preview_url).toBe(documented.url);
    expect(answer.body.media[0]?.content_type).toBe('image/png');
    expect(await opens(documented.url)).toMatch(/^image\//);
    // The document's aspect_ratio and quality became Soul's params.
    const { option, choiceKey } = await recipeOf(answer.body.generation_id);
    expect(option.modelId).toBe('higgsfield-ai/soul/v2/standard');
    expect(option.params).toMatchObject({ aspect_ratio: '16:9', resolution: '1080p' });
    expect(choiceKey).toMatch(new RegExp(`^${soul.option_id.replace('.', ':')}:[\\w-]{12}$`));

    // The same request again is the same generation: one submit for both.
    const submits = world.sim.stats().submitCalls;
    const again = await generate<{ generation_id: string }>(body);
    expect(again.status).toBe(200);
    expect(again.body.generation_id).toBe(answer.body.generation_id);
    expect(world.sim.stats().submitCalls).toBe(submits);
  });

  it('collapses a request that overrides nothing with a press of the same button', async () => {
    const asked = await ask('a cat on a sofa');
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    const answer = await generate<{ generation_id: string }>({ option_id: soul.option_id, mode: 'text-to-image' });
    expect(answer.status, answer.text).toBe(200);
    expect((await recipeOf(answer.body.generation_id)).choiceKey).toBe(soul.option_id.replace('.', ':'));
    const [key, index] = soul.option_id.split('.');
    const pressed = await world.app.assistant?.choose(key as string, Number(index), ALICE);
    expect(pressed).toMatchObject({ kind: 'queued', duplicate: true, generationId: answer.body.generation_id });
  });

  it('runs the seed B client’s request on the model it names, with Seedream’s quality as its resolution', async () => {
    const asked = await ask('a cat on a sofa');
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    const answer = await generate<{ generation_id: string }>({
      option_id: soul.option_id,
      mode: 'text-to-image',
      model_name: 'seedream',
      quality: 'basic',
    });
    expect(answer.status, answer.text).toBe(200);
    clientGenerateContentResponse.parse(answer.body);
    const { option } = await recipeOf(answer.body.generation_id);
    expect(option.modelId).toBe('bytedance/seedream/v4/text-to-image');
    expect(option.kind).toBe('text-to-image');
    expect(option.params).toMatchObject({ resolution: '2K' });
    // Soul's own params (style, batch size) are not carried onto Seedream, which does not take them.
    expect(Object.keys(option.params).sort()).toEqual(['aspect_ratio', 'resolution']);
  });

  it('uses the counterpart of the named model for the mode, and drops what that model does not take', async () => {
    const asked = await ask('a video of waves crashing');
    const seedance = button(asked, 'bytedance/seedance/v1/pro/fast/text-to-video');
    // kling-2-5 is seed B's image-to-video Kling; for text-to-video its text-to-video form is used.
    const answer = await generate<{ generation_id: string; url: string }>({
      option_id: seedance.option_id,
      mode: 'text-to-video',
      model_name: 'kling-2-5',
      duration: 10,
      seed: 1,
    });
    expect(answer.status, answer.text).toBe(200);
    const { option } = await recipeOf(answer.body.generation_id);
    expect(option.modelId).toBe('kling-video/v2.5-turbo/pro/text-to-video');
    expect(option.params).toMatchObject({ duration: 10 });
    expect(option.params).not.toHaveProperty('seed');
    expect(await opens(answer.body.url)).toBe('video/mp4');
  });

  it('answers 202 at once with ?wait=false: the generation id, its state and the chat’s event stream', async () => {
    const asked = await ask('a cat on a sofa');
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    const answer = await generate({ option_id: soul.option_id }, alice, '?wait=false');
    expect(answer.status, answer.text).toBe(202);
    const accepted = generateAccepted.parse(answer.body);
    expect(accepted.events_url).toBe(`/chats/${asked.chatId}/events`);
    // It runs on regardless, to its result.
    await until(async () => {
      const found = await world.app.assistant?.lookup(accepted.generation_id);
      return found?.state === 'done' ? found : undefined;
    }, 'the generation to finish');
  });

  it('answers 202 once the wait is over and the result is not ready', async () => {
    const asked = await ask('a cat on a sofa');
    const soul = button(asked, 'higgsfield-ai/soul/v2/standard');
    world.sim.scriptNext({ status: 'stuck' });
    const startedAt = Date.now();
    const answer = await generate({ option_id: soul.option_id });
    expect(answer.status, answer.text).toBe(202);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_900);
    const accepted = generateAccepted.parse(answer.body);
    expect(['queued', 'submitted', 'rendering']).toContain(accepted.status);
    await world.app.assistant?.cancel(accepted.generation_id, ALICE);
  });

  it('answers 502 with the failure in words for people when the provider fails, 422 when it refuses the content', async () => {
    const asked = await ask('a cat on a sofa');
    const [first, , third] = asked.buttons;
    world.sim.scriptNext({ status: 'failed', error: 'The GPU caught fire' });
    const failed = await generate({ option_id: first?.option_id });
    expect(failed.status, failed.text).toBe(502);
    expect(errorBody.parse(failed.body).detail.length).toBeGreaterThan(10);

    world.sim.scriptNext({ status: 'nsfw' });
    const nsfw = await generate({ option_id: third?.option_id });
    expect(nsfw.status, nsfw.text).toBe(422);
    errorBody.parse(nsfw.body);
  });

  it('answers 409 when the generation is canceled while the request waits', async () => {
    const asked = await ask('a cat on a sofa');
    const body = { option_id: button(asked, 'higgsfield-ai/soul/v2/standard').option_id };
    world.sim.scriptNext({ status: 'completed', queuedMs: 30_000 });
    const pending = generate(body);
    // The same request with ?wait=false collapses onto the waiting one and names it.
    const { generation_id } = generateAccepted.parse((await generate(body, alice, '?wait=false')).body);
    await until(async () => {
      const found = await world.app.assistant?.lookup(generation_id);
      return found && found.state !== 'queued' ? found : undefined;
    }, 'the generation to be submitted');
    expect(await world.app.assistant?.cancel(generation_id, ALICE)).toEqual({ outcome: 'canceled' });
    const answer = await pending;
    expect(answer.status, answer.text).toBe(409);
    errorBody.parse(answer.body);
  });

  it('is described, with the attachment and catalog routes, in the OpenAPI document under named shapes', async () => {
    const doc = await world.api<{ components: { schemas: Record<string, unknown> }; paths: Record<string, unknown> }>(
      '/openapi.json',
    );
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.components.schemas)).toEqual(
      expect.arrayContaining([
        'GenerateRequest',
        'GenerateResult',
        'GenerateAccepted',
        'GeneratedMedia',
        'PresignRequest',
        'PresignedUpload',
        'UploadDone',
        'ChatAttachments',
        'ChatAttachment',
        'CatalogItem',
      ]),
    );
    for (const path of [
      '/higgsfield/generate',
      '/attachments/presign',
      '/attachments/uploads/{id}',
      '/attachments/files/{id}/{name}',
      '/attachments/by-chat/{id}',
      '/higgsfield/text2image/styles',
      '/higgsfield/image2video/motions',
    ]) {
      expect(doc.body.paths, path).toHaveProperty([path]);
    }
  });
});

/**
 * Seed B's attachments as its web app uses them, from another origin: `POST /attachments/presign`, the
 * browser's `PUT` of the file to `upload_url` (after a CORS preflight), the file at `download_url` attached
 * to a message and animated through `POST /higgsfield/generate` with `image_url`, and
 * `GET /attachments/by-chat/{id}`. With a local media folder the links are on our port; with S3 the upload
 * goes straight to the bucket (s3rver here, which does not check signatures). Every refusal (type 415,
 * size 413, token 404, unknown field 422) happens before anything is submitted to the provider.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientAttachmentsResponse,
  clientGenerateContentResponse,
  clientPresignResponse,
  documentedPresignResponse,
  TINY_PNG,
} from './support/seed-b-generate-shapes.js';
import { errorBody } from './support/seed-b-shapes.js';
import { startWebWorld, until, type WebWorld } from './support/web-world.js';

const ORIGIN = 'http://localhost:3000';
const MIB = 1024 * 1024;
const UNKNOWN_CHAT = '0b8e4f0c-9a55-4b7e-8d0e-6f3f1b2a9c77';

interface Presigned {
  upload_url: string;
  download_url: string;
  upload_id: string;
  expires_at: string;
}

let world: WebWorld;
let alice: string;
let bob: string;

beforeAll(async () => {
  world = await startWebWorld({
    name: 'attachments',
    env: { WEB_CORS_ORIGINS: ORIGIN, WEB_MAX_UPLOAD_MB: '1', WEB_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  alice = await world.newKey('alice');
  bob = await world.newKey('bob');
}, 30_000);

afterAll(async () => {
  await world?.close();
});

async function presign(body: unknown, key = alice) {
  return world.api<Presigned>('/attachments/presign', { method: 'POST', key, body });
}

async function presigned(size = TINY_PNG.length, key = alice, fileName = 'cat.png'): Promise<Presigned> {
  const answer = await presign({ file_name: fileName, content_type: 'image/png', size }, key);
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

/** The browser's PUT, as seed B's `uploadToS3` sends it (from the app's origin). */
function put(url: string, body: Uint8Array | ReadableStream<Uint8Array>, contentType = 'image/png') {
  return fetch(url, {
    method: 'PUT',
    body,
    headers: { 'Content-Type': contentType, Origin: ORIGIN },
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

async function uploaded(key = alice): Promise<Presigned> {
  const upload = await presigned(TINY_PNG.length, key);
  const answer = await put(upload.upload_url, TINY_PNG);
  expect(answer.status, await answer.clone().text()).toBe(200);
  return upload;
}

async function newChat(key = alice): Promise<string> {
  const chat = await world.api<{ id: string }>('/chats', { method: 'POST', key, body: { title: 'attachments' } });
  expect(chat.status).toBe(201);
  return chat.body.id;
}

async function ask(chatId: string, text: string, attachments?: string[], key = alice): Promise<string[]> {
  const posted = await world.api<{ message: { render_payload: Array<{ type: string; option_id?: string }> } }>(
    `/chats/${chatId}/messages`,
    { method: 'POST', key, body: { text, ...(attachments ? { attachments } : {}) } },
  );
  expect(posted.status, posted.text).toBe(201);
  return posted.body.message.render_payload.flatMap((c) => (c.type === 'button' && c.option_id ? [c.option_id] : []));
}

function expectNothingSubmitted() {
  expect(world.sim.stats().submitCalls).toBe(0);
  expect(world.sim.requests()).toEqual([]);
}

describe('attachments refuse what they cannot take', () => {
  it('presign answers 415 for a type that is not a PNG, JPEG, WebP or GIF image', async () => {
    for (const type of ['application/pdf', 'image/svg+xml', 'text/html', 'video/mp4']) {
      const answer = await presign({ file_name: 'x', content_type: type, size: 10 });
      expect(answer.status, type).toBe(415);
      expect(errorBody.parse(answer.body).detail).toMatch(/PNG, JPEG, WebP or GIF/);
    }
    expectNothingSubmitted();
  });

  it('presign answers 413 past the upload limit, 422 for an empty file or an unknown field, 401 without a key', async () => {
    const big = await presign({ file_name: 'big.png', content_type: 'image/png', size: MIB + 1 });
    expect(big.status).toBe(413);
    expect(errorBody.parse(big.body).detail).toMatch(/limit is 1 MB/);
    expect((await presign({ file_name: 'x.png', content_type: 'image/png', size: 0 })).status).toBe(422);
    const unknown = await presign({ file_name: 'x.png', content_type: 'image/png', size: 10, bucket: 'mine' });
    expect(unknown.status).toBe(422);
    expect(errorBody.parse(unknown.body).detail).toMatch(/bucket/);
    const long = await presign({ file_name: 'x'.repeat(201), content_type: 'image/png', size: 10 });
    expect(long.status).toBe(422);
    expect(errorBody.parse(long.body).detail).toMatch(/^body\.file_name/);
    const anonymous = await world.api('/attachments/presign', {
      method: 'POST',
      body: { file_name: 'x.png', content_type: 'image/png', size: 10 },
    });
    expect(anonymous.status).toBe(401);
    expectNothingSubmitted();
  });

  it('the upload answers 404 for a wrong or missing token and an unknown upload, the same for each', async () => {
    const upload = await presigned();
    const url = new URL(upload.upload_url);
    url.searchParams.set('token', 'not-the-token');
    const wrong = await put(url.toString(), TINY_PNG);
    expect(wrong.status).toBe(404);
    url.searchParams.delete('token');
    expect((await put(url.toString(), TINY_PNG)).status).toBe(404);
    const unknown = upload.upload_url.replace(upload.upload_id, '7df77018-c6be-4a38-9d87-8a6ac5fefba0');
    const answer = await put(unknown, TINY_PNG);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ detail: 'upload not found' });
  });

  it('the upload answers 415 for another Content-Type than presigned, and for bytes that are not that image', async () => {
    const upload = await presigned();
    expect((await put(upload.upload_url, TINY_PNG, 'image/jpeg')).status).toBe(415);
    expect((await put(upload.upload_url, TINY_PNG, 'application/json')).status).toBe(415);
    const untyped = await fetch(upload.upload_url, { method: 'PUT', body: TINY_PNG });
    expect(untyped.status).toBe(415);
    expect(errorBody.parse(await untyped.json()).detail).toBe(
      'Send the file with Content-Type: image/png, as presigned.',
    );

    const html = Buffer.from('<html><script>alert(1)</script></html>'.padEnd(TINY_PNG.length, ' '));
    const fake = await put(upload.upload_url, html);
    expect(fake.status).toBe(415);
    expect(errorBody.parse(await fake.json()).detail).toMatch(/not a PNG image/);
    // Nothing was kept: the link reads nothing, and no file is left in the store.
    expect((await fetch(upload.download_url)).status).toBe(404);
    expect(await filesUnder(join(world.mediaDir, 'uploads'))).not.toContainEqual(
      expect.stringMatching(new RegExp(`${upload.upload_id}/.*cat\\.png`)),
    );
  });

  it('the upload answers 413 for more bytes than presigned, announced or streamed', async () => {
    const small = await presigned(TINY_PNG.length - 10);
    const announced = await put(small.upload_url, TINY_PNG);
    expect(announced.status).toBe(413);
    expect(errorBody.parse(await announced.json()).detail).toBe(
      `The file is larger than the ${TINY_PNG.length - 10} bytes presigned.`,
    );

    const streamed = await put(
      small.upload_url,
      new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(TINY_PNG.subarray(0, 30)));
          controller.enqueue(new Uint8Array(TINY_PNG.subarray(30)));
          controller.close();
        },
      }),
    );
    expect(streamed.status).toBe(413);
    expect((await fetch(small.download_url)).status).toBe(404);
  });

  it('the file answers 404 before it is uploaded, and for a wrong token or name', async () => {
    const upload = await presigned();
    expect((await fetch(upload.download_url)).status).toBe(404);
    expect((await put(upload.upload_url, TINY_PNG)).status).toBe(200);
    expect((await fetch(upload.download_url)).status).toBe(200);
    expect((await fetch(upload.download_url.replace(/token=[^&]+/, 'token=nope'))).status).toBe(404);
    expect((await fetch(upload.download_url.replace('/cat.png', '/dog.png'))).status).toBe(404);
    // The upload link takes one file.
    expect((await put(upload.upload_url, TINY_PNG)).status).toBe(409);
  });

  it('generate refuses another person’s upload (404) and an upload not yet sent (422)', async () => {
    const chatId = await newChat();
    const [optionId] = await ask(chatId, 'a cat on a sofa');
    const i2v = { option_id: optionId, mode: 'image-to-video', model_name: 'kling-2-5' };
    const bobs = await uploaded(bob);
    const others = await world.api('/higgsfield/generate', {
      method: 'POST',
      key: alice,
      body: { ...i2v, image_url: bobs.download_url },
    });
    expect(others.status, others.text).toBe(404);
    expect(errorBody.parse(others.body).detail).toBe('attachment not found');
    const pending = await presigned();
    const early = await world.api('/higgsfield/generate', {
      method: 'POST',
      key: alice,
      body: { ...i2v, image_url: pending.download_url },
    });
    expect(early.status, early.text).toBe(422);
    expect(errorBody.parse(early.body).detail).toMatch(/^body\.image_url: that upload has no file yet/);
    expectNothingSubmitted();
  });

  it('by-chat answers 404 for another person’s chat and a chat that does not exist', async () => {
    const chatId = await newChat();
    expect((await world.api(`/attachments/by-chat/${chatId}`, { key: bob })).status).toBe(404);
    expect((await world.api(`/attachments/by-chat/${UNKNOWN_CHAT}`, { key: alice })).status).toBe(404);
    expect((await world.api('/attachments/by-chat/not-a-chat', { key: alice })).status).toBe(404);
  });
});

describe('seed B’s upload flow, from the browser', () => {
  it('presigns in the shape of seed B’s document and client, with a storage-safe file name', async () => {
    const answer = await presign({ file_name: 'my cat (1)/../x?.png', content_type: 'image/png', size: 1000 });
    expect(answer.status, answer.text).toBe(200);
    documentedPresignResponse.parse(answer.body);
    const upload = clientPresignResponse.parse(answer.body);
    expect(upload.upload_url.startsWith(`${world.url}/attachments/uploads/${upload.upload_id}?token=`)).toBe(true);
    expect(upload.download_url).toMatch(
      new RegExp(`^${world.url}/attachments/files/${upload.upload_id}/my_cat__1__._x_\\.png\\?token=[\\w-]{32}$`),
    );
    expect(Date.parse(answer.body.expires_at)).toBeGreaterThan(Date.now());
  });

  it('lets the app’s origin PUT the file: the preflight allows PUT with a Content-Type', async () => {
    const upload = await presigned();
    const preflight = await fetch(upload.upload_url, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/\bPUT\b/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/\bcontent-type\b/i);

    const answer = await put(upload.upload_url, TINY_PNG);
    expect(answer.ok).toBe(true);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await answer.json()).toEqual({ ok: true });

    const file = await fetch(upload.download_url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(file.headers.get('content-disposition')).toBe('inline');
    expect(Buffer.from(await file.arrayBuffer()).equals(TINY_PNG)).toBe(true);
  });

  it('animates the uploaded image: attached to a message, then generated with its download_url as image_url', async () => {
    const upload = await uploaded();
    const chatId = await newChat();
    const [optionId] = await ask(chatId, 'make it move', [upload.download_url]);
    // As seed B's client sends it for Kling image-to-video (it adds seed: 1, which Kling does not take).
    const answer = await world.api<{ url: string; generation_id: string }>('/higgsfield/generate', {
      method: 'POST',
      key: alice,
      body: {
        option_id: optionId,
        mode: 'image-to-video',
        model_name: 'kling-2-5',
        image_url: upload.download_url,
        seed: 1,
      },
    });
    expect(answer.status, answer.text).toBe(200);
    const { url } = clientGenerateContentResponse.parse(answer.body);
    const media = await fetch(url);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('video/mp4');
    await media.arrayBuffer();

    const found = await world.app.assistant?.lookup(answer.body.generation_id);
    expect(found?.spec.option.modelId).toBe('kling-video/v2.5-turbo/pro/image-to-video');
    // The provider got its own copy of the image, never our link with its token.
    expect(String(found?.spec.option.params.image_url).startsWith(world.sim.url)).toBe(true);
    expect(found?.spec.option.params).not.toHaveProperty('seed');

    // By-chat lists the result (from its option) and the upload, newest first, in the client's shape.
    const listed = await until(async () => {
      const page = await world.api(`/attachments/by-chat/${chatId}`, { key: alice });
      expect(page.status).toBe(200);
      const parsed = clientAttachmentsResponse.parse(page.body);
      return parsed.items.length === 2 ? parsed : undefined;
    }, 'the result in history');
    expect(listed.items.map((i) => [i.kind, i.option_id])).toEqual([
      ['video', optionId],
      ['image', null],
    ]);
    expect(listed.items[1]?.id).toBe(upload.upload_id);
    expect(listed.items[0]?.id).toBe(answer.body.generation_id);
    expect(Date.parse(listed.items[0]?.created_at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(listed.items[1]?.created_at ?? ''),
    );
    for (const item of listed.items) {
      const opened = await fetch(item.storage_url);
      expect(opened.status, item.storage_url).toBe(200);
      await opened.arrayBuffer();
    }
  });
});

describe('seed B’s upload flow on S3', () => {
  let s3: S3rver;
  let s3Dir: string;
  let s3World: WebWorld;
  let carol: string;

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'higgsbot-web-s3rver-'));
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: 'web-uploads', configs: [] }],
    });
    const { port } = await s3.run();
    s3World = await startWebWorld({
      name: 'attachments-s3',
      env: {
        S3_BUCKET: 'web-uploads',
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        WEB_CORS_ORIGINS: ORIGIN,
      },
    });
    carol = await s3World.newKey('carol');
  }, 30_000);

  afterAll(async () => {
    await s3World?.close();
    await s3?.close();
    if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
  });

  it('presigns a PUT straight to the bucket, and the presigned GET reads the file back', async () => {
    const answer = await s3World.api<Presigned>('/attachments/presign', {
      method: 'POST',
      key: carol,
      body: { file_name: 'cat.png', content_type: 'image/png', size: TINY_PNG.length },
    });
    expect(answer.status, answer.text).toBe(200);
    const upload = clientPresignResponse.parse(answer.body);
    const bucket = new URL(upload.upload_url);
    expect(bucket.pathname).toMatch(new RegExp(`^/web-uploads/uploads/\\d{4}/\\d{2}/${upload.upload_id}/cat\\.png$`));
    expect(bucket.searchParams.get('X-Amz-SignedHeaders')).toMatch(/content-length;content-type/);
    expect((await fetch(upload.download_url)).status).toBe(404);

    const sent = await fetch(upload.upload_url, {
      method: 'PUT',
      body: TINY_PNG,
      headers: { 'Content-Type': 'image/png' },
    });
    expect(sent.status).toBe(200);
    const file = await fetch(upload.download_url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(TINY_PNG)).toBe(true);

    // The bucket's link is an image_url generate takes: re-hosted for the provider, then animated.
    const chatId = (await s3World.api<{ id: string }>('/chats', { method: 'POST', key: carol, body: { title: 's3' } }))
      .body.id;
    const posted = await s3World.api<{ message: { render_payload: Array<{ type: string; option_id?: string }> } }>(
      `/chats/${chatId}/messages`,
      { method: 'POST', key: carol, body: { text: 'a cat on a sofa' } },
    );
    const optionId = posted.body.message.render_payload.find((c) => c.type === 'button')?.option_id;
    const generated = await s3World.api<{ url: string; generation_id: string }>('/higgsfield/generate', {
      method: 'POST',
      key: carol,
      body: { option_id: optionId, mode: 'image-to-video', model_name: 'minimax', image_url: upload.download_url },
    });
    expect(generated.status, generated.text).toBe(200);
    const found = await s3World.app.assistant?.lookup(generated.body.generation_id);
    expect(found?.spec.option.modelId).toBe('minimax/hailuo-02/standard/image-to-video');
    expect(String(found?.spec.option.params.image_url).startsWith(s3World.sim.url)).toBe(true);
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).map(String);
  } catch {
    return [];
  }
}

/**
 * Seed A's direct model routes: each one's body mapped onto its v2 model (the table in v1-models.ts and the
 * README), a `/v1/t2i/nano-banana` call followed through to the stored image, image routes fed with one of
 * our own result links, `Idempotency-Key`, and every refusal with the seed's codes — for which nothing is
 * submitted to the provider or uploaded. The media fetcher's DNS lookup (node:dns/promises) is wrapped so a
 * few `.example.test` names resolve to private addresses; every other name resolves as usual. The world has PUBLIC_URL set, so result links are this server's
 * own signed /media links.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { V1_ROUTES } from '../../src/adapters/web/v1-models.js';
import { PRIVATE_ADDRESS_MESSAGE } from '../../src/media/public-address.js';
import { freePort } from '../support/free-port.js';
import { pollJobSet, SeedError, SeedJobDetails, spending } from './support/seed-a-shapes.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const PROMPT = 'a lighthouse on a cliff at dawn';

/** Names a person's link may use that resolve inside (the media fetcher's lookup; every other name is real DNS). */
const INSIDE_NAMES: Record<string, string[]> = {
  'images.example.test': ['127.0.0.1'],
  'intranet.example.test': ['10.0.0.5'],
  'mixed.example.test': ['93.184.215.14', '169.254.169.254'],
};
const lookedUp = vi.hoisted(() => [] as string[]);
vi.mock('node:dns/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns/promises')>();
  const lookup = (async (hostname: string, options?: unknown) => {
    const inside = INSIDE_NAMES[hostname];
    if (!inside) return real.lookup(hostname, options as never);
    lookedUp.push(hostname);
    return inside.map((address) => ({ address, family: 4 }));
  }) as typeof real.lookup;
  return { ...real, default: { ...real, lookup }, lookup };
});

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('seed A’s direct model routes', () => {
  let world: WebWorld;
  let alice: string;
  /** A result of ours (a signed /media link), for the image routes. */
  let image: string;

  beforeAll(async () => {
    const port = await freePort();
    world = await startWebWorld({
      name: 'v1-direct',
      env: {
        WEB_RATE_LIMIT_PER_MINUTE: '10000',
        HTTP_PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        MEDIA_LINK_SECRET: 'v1-direct-spec-secret-0123456789abcdef',
      },
    });
    alice = await world.newKey('alice');
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  const post = (path: string, body: unknown, key: string | undefined = alice, headers: Record<string, string> = {}) =>
    world.api(path, { method: 'POST', body, headers, ...(key ? { key } : {}) });

  it('POST /v1/t2i/nano-banana goes through to a stored image: its job’s url answers image/png from the media folder', async () => {
    const answer = await post('/v1/t2i/nano-banana', { prompt: PROMPT, aspect_ratio: '16:9' });
    expect(answer.status).toBe(200);
    const job = SeedJobDetails.parse(answer.body);
    expect(job).toMatchObject({
      status: 'queued',
      job_type: 'text-to-image',
      model: 'nano-banana',
      parameters: { prompt: PROMPT, aspect_ratio: '16:9', num_images: 1, output_format: 'png' },
    });

    const { final } = await pollJobSet(world, job.job_set_id, alice);
    expect(final.status).toBe('completed');
    expect(world.sim.requests().some((r) => r.modelId === 'nano-banana')).toBe(true);
    const result = final.jobs[0]!.result!;
    expect(result.url!.startsWith(`${world.url}/media/`)).toBe(true);
    expect(result.raw_url).toMatch(new RegExp(`^${world.sim.url}/`));
    const media = await fetch(result.url!);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await media.arrayBuffer());

    const stored = (await filesUnder(world.mediaDir)).find((file) => file.includes(`${job.job_set_id}-0`));
    expect(stored).toBeDefined();
    expect(await readFile(join(world.mediaDir, stored!))).toEqual(bytes);
    image = result.url!;
  });

  describe('each route runs its v2 model with the seed’s fields mapped', () => {
    const CASES: ReadonlyArray<{
      path: string;
      body: Record<string, unknown>;
      model: string;
      parameters: Record<string, unknown>;
      absent?: string[];
      notes?: RegExp[];
    }> = [
      {
        path: '/v1/t2i/seedream4',
        body: { aspect_ratio: '3:2' },
        model: 'bytedance/seedream/v4/text-to-image',
        parameters: { aspect_ratio: '3:2', resolution: '2K' },
      },
      {
        path: '/v1/t2v/minimax-hailuo-02',
        body: { aspect_ratio: '9:16', duration: 8 },
        model: 'minimax/hailuo-02/standard/text-to-video',
        parameters: { duration: 6 },
        absent: ['aspect_ratio'],
        notes: [/aspect_ratio 9:16 was dropped/, /duration 8 s became 6 s: this model renders 6 or 10 s/],
      },
      {
        path: '/v1/t2v/seedance-v1-lite',
        body: { aspect_ratio: '1:1', duration: 1 },
        model: 'bytedance/seedance/v1/lite/text-to-video',
        parameters: { aspect_ratio: '1:1', duration: 2 },
        notes: [/duration 1 s became 2 s: this model renders 2 to 12 s/],
      },
      {
        path: '/v1/i2v/kling25',
        body: { aspect_ratio: '4:3', camera_control: 'zoom_in' },
        model: 'kling-video/v2.5-turbo/pro/image-to-video',
        parameters: { prompt: `${PROMPT} The camera slowly zooms in.`, duration: 5 },
        absent: ['aspect_ratio', 'camera_control'],
      },
      {
        path: '/v1/i2v/minimax',
        body: {},
        model: 'minimax/hailuo-02/standard/image-to-video',
        parameters: { duration: 6, resolution: '768P' },
      },
      {
        path: '/v1/i2v/seedance',
        body: { aspect_ratio: '9:16' },
        model: 'bytedance/seedance/v1/lite/image-to-video',
        parameters: { aspect_ratio: '9:16' },
      },
      {
        path: '/v1/i2v/veo3',
        body: { aspect_ratio: '4:3' },
        model: 'veo3.1/image-to-video',
        parameters: { aspect_ratio: '16:9', duration: '6' },
        notes: [/aspect_ratio 4:3 became 16:9/],
      },
      {
        path: '/v1/i2v/wan25-fast',
        body: { duration_sec: 8 },
        model: 'wan-25-preview/image-to-video',
        parameters: { duration: 10 },
        absent: ['duration_sec'],
        notes: [/duration_sec 8 s became 10 s/],
      },
    ];

    it.each(CASES)('POST $path runs $model', async ({ path, body, model, parameters, absent, notes }) => {
      const route = V1_ROUTES.find((r) => r.path === path)!;
      const images =
        route.family === 'i2v'
          ? { input_images: [path.endsWith('minimax') ? { url: image } : { image_url: image }] }
          : {};
      const answer = await post(path, { prompt: PROMPT, ...body, ...images });
      expect(answer.status, answer.text).toBe(200);
      const job = SeedJobDetails.parse(answer.body);
      expect(job.model).toBe(route.name);
      expect(job.parameters).toMatchObject({ prompt: PROMPT, ...parameters });
      for (const field of absent ?? []) expect(job.parameters).not.toHaveProperty(field);
      const told = (answer.body as { notes?: string[] }).notes ?? [];
      for (const note of notes ?? [])
        expect(
          told.some((n) => note.test(n)),
          told.join('; '),
        ).toBe(true);
      if (route.family === 'i2v') {
        // The image was fetched from our link and re-hosted on the provider's storage.
        expect(String(job.parameters.image_url).startsWith(world.sim.url)).toBe(true);
      }
      await expect.poll(() => world.sim.requests().some((r) => r.modelId === model)).toBe(true);
      expect((await pollJobSet(world, job.job_set_id, alice)).final.status).toBe('completed');
    });

    it('Veo drops a square aspect ratio (it renders 16:9 or 9:16) and says so', async () => {
      const answer = await post('/v1/i2v/veo3', {
        prompt: PROMPT,
        aspect_ratio: '1:1',
        input_images: [{ image_url: image }],
      });
      expect(answer.status).toBe(200);
      expect(SeedJobDetails.parse(answer.body).parameters).toMatchObject({ aspect_ratio: '16:9' });
      expect((answer.body as { notes: string[] }).notes).toEqual([
        'aspect_ratio 1:1 was dropped: this model renders 16:9 or 9:16 only',
      ]);
    });
  });

  describe('Idempotency-Key', () => {
    it('the same key answers the same job set, and one generation is submitted', async () => {
      const headers = { 'idempotency-key': `nb-${Date.now()}` };
      const before = spending(world).submits;
      const first = SeedJobDetails.parse(
        (await post('/v1/t2i/nano-banana', { prompt: 'a koi pond' }, alice, headers)).body,
      );
      const again = SeedJobDetails.parse(
        (await post('/v1/t2i/nano-banana', { prompt: 'a koi pond' }, alice, headers)).body,
      );
      expect(again.job_set_id).toBe(first.job_set_id);
      await pollJobSet(world, first.job_set_id, alice);
      expect(spending(world).submits).toBe(before + 1);
      const third = SeedJobDetails.parse(
        (await post('/v1/t2i/nano-banana', { prompt: 'a koi pond' }, alice, headers)).body,
      );
      expect(third).toMatchObject({ job_set_id: first.job_set_id, status: 'completed' });
    });

    it('without a key every call is a new job set', async () => {
      const one = SeedJobDetails.parse((await post('/v1/t2i/seedream4', { prompt: 'a koi pond' })).body);
      const two = SeedJobDetails.parse((await post('/v1/t2i/seedream4', { prompt: 'a koi pond' })).body);
      expect(two.job_set_id).not.toBe(one.job_set_id);
    });

    it('another person’s same key is their own job set', async () => {
      const headers = { 'idempotency-key': `shared-${Date.now()}` };
      const bob = await world.newKey('bob');
      const mine = SeedJobDetails.parse(
        (await post('/v1/t2i/nano-banana', { prompt: 'a koi pond' }, alice, headers)).body,
      );
      const theirs = SeedJobDetails.parse(
        (await post('/v1/t2i/nano-banana', { prompt: 'a koi pond' }, bob, headers)).body,
      );
      expect(theirs.job_set_id).not.toBe(mine.job_set_id);
      expect((await world.api(`/v1/jobs/${mine.job_set_id}`, { key: bob })).status).toBe(404);
    });
  });

  describe('refusals (nothing is submitted or uploaded for any of them)', () => {
    let before: ReturnType<typeof spending>;
    let reused: string;
    beforeAll(async () => {
      // A key already used, so reusing it for another request is refused below.
      reused = `reused-${Date.now()}`;
      const used = await post('/v1/t2i/nano-banana', { prompt: 'a koi pond' }, alice, { 'idempotency-key': reused });
      await pollJobSet(world, SeedJobDetails.parse(used.body).job_set_id, alice);
      before = spending(world);
    });
    afterAll(() => {
      expect(spending(world)).toEqual(before);
    });

    const refused = async (
      status: number,
      path: string,
      body: unknown,
      key?: string,
      headers?: Record<string, string>,
    ) => {
      const answer = await world.api(path, {
        method: 'POST',
        body,
        ...(key === '' ? {} : { key: key ?? alice }),
        ...(headers ? { headers } : {}),
      });
      expect(answer.status, answer.text).toBe(status);
      return SeedError.parse(answer.body).detail;
    };
    const bodyOf = (path: string, extra: Record<string, unknown> = {}) => {
      const route = V1_ROUTES.find((r) => r.path === path)!;
      return { prompt: PROMPT, ...(route.family === 'i2v' ? { input_images: [{ image_url: image }] } : {}), ...extra };
    };
    const paths = V1_ROUTES.map((r) => r.path);

    it.each(paths)('%s without a key answers 401', async (path) => {
      expect(await refused(401, path, bodyOf(path), '')).toMatch(/API key/);
    });

    it.each(paths)('%s with an aspect ratio the seed does not list answers the seed’s 400', async (path) => {
      const route = V1_ROUTES.find((r) => r.path === path)!;
      const detail = await refused(400, path, bodyOf(path, { aspect_ratio: '21:9' }));
      expect(detail).toBe(
        `Invalid aspect_ratio provided. Must be one of [${route.aspectRatios.map((a) => `'${a}'`).join(', ')}]`,
      );
    });

    it('the seed’s own example of the 400 is word for word what a video route answers', async () => {
      expect(
        await refused(400, '/v1/t2v/seedance-v1-lite', bodyOf('/v1/t2v/seedance-v1-lite', { aspect_ratio: '2:1' })),
      ).toBe("Invalid aspect_ratio provided. Must be one of ['16:9', '9:16', '1:1', '4:3', '3:4']");
    });

    it.each(paths)(
      '%s with a field it does not take, no prompt, or a prompt over 2,000 characters answers 422',
      async (path) => {
        expect(await refused(422, path, bodyOf(path, { seed: 7 }))).toMatch(/^body\.seed/);
        const { prompt: _omitted, ...noPrompt } = bodyOf(path);
        expect(await refused(422, path, noPrompt)).toMatch(/^body\.prompt/);
        expect(await refused(422, path, bodyOf(path, { prompt: '   ' }))).toMatch(/^body\.prompt: must not be empty/);
        expect(await refused(422, path, bodyOf(path, { prompt: 'p'.repeat(2001) }))).toMatch(
          /^body\.prompt: must be at most 2000 characters/,
        );
      },
    );

    it.each([
      ['/v1/t2v/minimax-hailuo-02', { duration: 11 }, /^body\.duration/],
      ['/v1/t2v/seedance-v1-lite', { duration: 0 }, /^body\.duration/],
      ['/v1/t2v/seedance-v1-lite', { duration: 2.5 }, /^body\.duration/],
      ['/v1/i2v/wan25-fast', { duration_sec: 11 }, /^body\.duration_sec/],
      ['/v1/i2v/kling25', { camera_control: 'spin' }, /^body\.camera_control/],
      ['/v1/i2v/kling25', { duration: 5 }, /^body\.duration/],
      ['/v1/t2i/nano-banana', { input_images: [{ image_url: 'https://example.com/a.png' }] }, /^body\.input_images/],
      ['/v1/i2v/veo3', { input_images: [] }, /^body\.input_images: must hold exactly one image/],
      [
        '/v1/i2v/veo3',
        { input_images: [{ url: 'https://a.example/1.png' }, { url: 'https://a.example/2.png' }] },
        /exactly one image/,
      ],
      ['/v1/i2v/veo3', { input_images: [{}] }, /^body\.input_images\.0: give the image as/],
      [
        '/v1/i2v/veo3',
        { input_images: [{ url: 'https://a.example/1.png', image_url: 'https://a.example/1.png' }] },
        /give the image as/,
      ],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'not a url' }] }, /is not a valid URL/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'http://images.example.com/cat.png' }] }, /must be an https link/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'ftp://images.example.com/cat.png' }] }, /must be an https link/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'https://127.0.0.1/cat.png' }] }, /public host/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'https://10.1.2.3/cat.png' }] }, /public host/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'https://169.254.169.254/latest' }] }, /public host/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'https://[::1]/cat.png' }] }, /public host/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'https://[::ffff:127.0.0.1]/cat.png' }] }, /public host/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'https://localhost/cat.png' }] }, /public host/],
      ['/v1/i2v/veo3', { input_images: [{ image_url: 'https://user:pw@images.example.com/cat.png' }] }, /public host/],
    ])('%s with %j answers 422', async (path, extra, detail) => {
      expect(await refused(422, path, bodyOf(path, extra))).toMatch(detail);
    });

    it('an input image that cannot be fetched (an unknown host, or a link of ours to nothing) answers 422', async () => {
      const path = '/v1/i2v/seedance';
      expect(
        await refused(422, path, bodyOf(path, { input_images: [{ url: 'https://images.invalid/cat.png' }] })),
      ).toMatch(/could not be reached/);
      expect(
        await refused(422, path, bodyOf(path, { input_images: [{ url: `${world.url}/media/nothing.png` }] })),
      ).toMatch(/image/i);
    });

    it.each([
      'https://images.example.test/cat.png',
      'https://intranet.example.test/cat.png',
      'https://mixed.example.test/cat.png',
    ])('an input image at %s, a name that resolves to a private address, answers 422 before any fetch', async (url) => {
      const path = '/v1/i2v/kling25';
      const host = new URL(url).hostname;
      const spent = spending(world);
      lookedUp.length = 0;
      expect(await refused(422, path, bodyOf(path, { input_images: [{ url }] }))).toBe(PRIVATE_ADDRESS_MESSAGE);
      expect(lookedUp).toEqual([host]);
      expect(spending(world)).toEqual(spent);
    });

    it('an Idempotency-Key over 64 characters, or one used for a different request, answers 422', async () => {
      const path = '/v1/t2i/nano-banana';
      expect(await refused(422, path, bodyOf(path), alice, { 'idempotency-key': 'k'.repeat(65) })).toMatch(
        /^headers\.idempotency-key: must be at most 64 characters/,
      );
      expect(
        await refused(422, path, bodyOf(path, { prompt: 'something else' }), alice, { 'idempotency-key': reused }),
      ).toMatch(/already used for a different request/);
      expect(
        await refused(422, '/v1/t2i/seedream4', { prompt: 'a koi pond' }, alice, { 'idempotency-key': reused }),
      ).toMatch(/already used for a different request/);
    });

    it('malformed JSON answers 400, and a model the seed never had answers 404', async () => {
      expect(
        await refused(400, '/v1/t2i/nano-banana', '{"prompt": "a', alice, { 'content-type': 'application/json' }),
      ).toMatch(/not valid JSON/);
      expect(await refused(404, '/v1/t2i/dall-e-3', { prompt: PROMPT })).toMatch(/No route POST \/v1\/t2i\/dall-e-3/);
    });
  });
});

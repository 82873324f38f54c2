/**
 * Seed A's `/v1` contract on the web platform: health, the chat (options, then "make option 2" starting a
 * generation a seed client polls to its result), the jobs routes, and every refusal with the seed's codes —
 * each answer parsed with the shapes transcribed from seed A's document (support/seed-a-shapes.ts). The
 * direct model routes are v1-direct.test.ts's, the chat stream v1-stream.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPick } from '../../src/adapters/web/v1-conversation.js';
import { API_VERSION } from '../../src/adapters/web/web-server.js';
import { FAIL_MESSAGE } from '../../src/higgsfield/simulator/index.js';
import {
  OurChatResponse,
  pollJobSet,
  SeedChatResponse,
  SeedError,
  SeedHealthResponse,
  SeedJobDetails,
  SeedJobSetStatus,
  spending,
} from './support/seed-a-shapes.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const ASK = 'a cat playing a piano in a jazz bar';

describe('reading a message that picks an option', () => {
  it.each([
    ['make option 2', 2],
    ['option 2', 2],
    ['Option 3.', 3],
    ['generate #2', 2],
    ['#4', 4],
    ['2', 2],
    ['go with the second one', 2],
    ['Go with the 2nd option please', 2],
    ['the first one', 1],
    ['I’ll take the third', 3],
    ['ok, make number two', 2],
    ['let’s do option four!', 4],
    ['pick 1', 1],
    ['option 7', 7],
  ])('“%s” picks option %i', (message, option) => {
    expect(readPick(message)).toBe(option);
  });

  it.each([
    ASK,
    'option 2 but vertical',
    'make option 2 warmer',
    'make 2 cats dancing',
    'make one',
    'the second one, but at night',
    'two dogs',
    'option 0',
    '',
  ])('“%s” is not a pick (it goes to the recommender)', (message) => {
    expect(readPick(message)).toBeUndefined();
  });
});

describe('seed A’s /v1 contract', () => {
  let world: WebWorld;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    world = await startWebWorld({ name: 'v1-contract', env: { WEB_RATE_LIMIT_PER_MINUTE: '10000' } });
    alice = await world.newKey('alice');
    bob = await world.newKey('bob');
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  const chat = (key: string, body: unknown) => world.api('/v1/chat', { method: 'POST', key, body });

  describe('health', () => {
    it.each(['/', '/health'])('GET %s answers the seed’s HealthResponse without a key', async (path) => {
      const answer = await world.api(path);
      expect(answer.status).toBe(200);
      expect(SeedHealthResponse.parse(answer.body)).toEqual({
        status: 'healthy',
        version: API_VERSION,
        service: 'higgsbot',
      });
    });
  });

  describe('refusals (nothing is submitted or uploaded for any of them)', () => {
    let before: ReturnType<typeof spending>;
    beforeAll(() => {
      before = spending(world);
    });
    afterAll(() => {
      expect(spending(world)).toEqual(before);
    });

    const refusal = async (status: number, answer: Promise<{ status: number; body: unknown }>) => {
      const { status: got, body } = await answer;
      expect(got).toBe(status);
      return SeedError.parse(body).detail;
    };

    it('a chat without a key answers 401, and with a revoked or made-up key too', async () => {
      expect(await refusal(401, chat('', { message: ASK }))).toMatch(/API key/);
      const made = await world.app.history!.apiKeys!.create('carol');
      await world.app.history!.apiKeys!.revoke(made.key.id);
      expect(await refusal(401, chat(made.secret, { message: ASK }))).toMatch(/revoked/);
      expect(await refusal(401, chat('not-a-key', { message: ASK }))).toMatch(/Invalid/);
    });

    it('malformed JSON answers 400', async () => {
      const answer = world.api('/v1/chat', {
        method: 'POST',
        key: alice,
        body: '{"message": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(await refusal(400, answer)).toMatch(/not valid JSON/);
    });

    it.each([
      [{}, /^body\.message: /],
      [{ message: '   ' }, /^body\.message: must not be empty/],
      [{ message: 'x'.repeat(2001) }, /^body\.message: must be at most 2000 characters/],
      [{ message: 42 }, /^body\.message: /],
      [{ message: ASK, model: 'veo3' }, /^body\.model/],
      [
        { message: ASK, conversation_history: [{ role: 'system', content: 'obey' }] },
        /^body\.conversation_history\.0\.role/,
      ],
      [
        { message: ASK, conversation_history: [{ role: 'user', content: 'hi', name: 'x' }] },
        /conversation_history\.0\.name/,
      ],
      [
        { message: ASK, conversation_history: Array.from({ length: 51 }, () => ({ role: 'user', content: 'hi' })) },
        /^body\.conversation_history: must hold at most 50 turns/,
      ],
    ])('a chat body %j answers 422 naming the field', async (body, detail) => {
      expect(await refusal(422, chat(alice, body))).toMatch(detail);
    });

    it('a pick before any options answers 422 saying there is nothing to pick', async () => {
      expect(await refusal(422, chat(alice, { message: 'make option 2' }))).toMatch(
        /picks option 2, but there are no options to pick from yet/,
      );
    });

    it('a pick past the newest options answers 422 saying how many there are', async () => {
      const offered = OurChatResponse.parse((await chat(bob, { message: ASK })).body);
      const count = offered.options.length;
      expect(await refusal(422, chat(bob, { message: 'option 7' }))).toBe(
        `There is no option 7: the newest options are 1 to ${count}.`,
      );
    });

    it('an option_id that is unknown, malformed or another person’s answers 404', async () => {
      const offered = OurChatResponse.parse((await chat(bob, { message: 'a lighthouse in a storm' })).body);
      const bobs = offered.options[0]!.option_id;
      expect(await refusal(404, chat(alice, { message: 'start it', option_id: bobs }))).toBe('Option not found');
      expect(await refusal(404, chat(alice, { message: 'start it', option_id: 'zzzzzzzzzz.0' }))).toBe(
        'Option not found',
      );
      expect(await refusal(404, chat(alice, { message: 'start it', option_id: 'nonsense' }))).toBe('Option not found');
      const [key] = bobs.split('.');
      expect(await refusal(404, chat(bob, { message: 'start it', option_id: `${key}.9` }))).toBe('Option not found');
    });

    it('an unknown job set, and another person’s, answers 404 on GET and on refresh', async () => {
      const offered = OurChatResponse.parse((await chat(bob, { message: ASK })).body);
      expect(offered.options.length).toBeGreaterThan(0);
      for (const path of ['/v1/jobs/gen-00000000-0000-0000-0000-000000000000', '/v1/jobs/nothing-here']) {
        expect(await refusal(404, world.api(path, { key: alice }))).toBe('Job set not found');
        expect(await refusal(404, world.api(`${path}/refresh`, { method: 'POST', key: alice }))).toBe(
          'Job set not found',
        );
      }
      expect(await refusal(401, world.api('/v1/jobs/anything'))).toMatch(/API key/);
    });
  });

  describe('a chat, its options, and an option started from a message', () => {
    let offered: ReturnType<typeof OurChatResponse.parse>;

    it('a message answers the seed’s ChatResponse with no job, the options in the text and in `options`', async () => {
      const answer = await chat(alice, {
        message: ASK,
        conversation_history: [
          { role: 'user', content: 'Can you make videos?' },
          { role: 'assistant', content: 'Yes, I can generate videos from text or images.' },
        ],
      });
      expect(answer.status).toBe(200);
      SeedChatResponse.parse(answer.body);
      offered = OurChatResponse.parse(answer.body);
      expect(offered.job_details).toBeNull();
      expect(offered.action_performed).toBe('no_action');
      expect(offered.options.length).toBeGreaterThanOrEqual(2);
      const key = offered.options[0]!.option_id.split('.')[0];
      offered.options.forEach((option, index) => {
        expect(option.option_id).toBe(`${key}.${index}`);
        expect(offered.message).toContain(`${index + 1}. ${option.label} — ${option.reason}`);
      });
    });

    it('“make option 2” starts option 2: the seed’s job_details, then GET /v1/jobs/{id} until it is completed with a link that opens', async () => {
      const second = offered.options[1]!;
      const answer = await chat(alice, { message: 'make option 2' });
      expect(answer.status).toBe(200);
      const started = SeedChatResponse.parse(answer.body);
      const job = SeedJobDetails.parse(started.job_details);
      expect(job).toMatchObject({ status: 'queued', job_type: second.kind, model: second.model });
      expect(job.parameters.prompt).toBe(second.prompt);
      expect(job.estimated_time).toMatch(/^about \d+ (s|min)$/);
      expect(started.action_performed).toBe(second.kind === 'text-to-image' ? 'generate_image' : 'generate_video');
      expect(started.message).toMatch(new RegExp(`^Started option 2, .*${job.job_set_id}`));
      expect(OurChatResponse.parse(answer.body).options).toEqual([]);

      const { final, seen } = await pollJobSet(world, job.job_set_id, alice);
      expect(final.status).toBe('completed');
      expect(seen.at(0)).toMatch(/queued|processing/);
      expect(final.id).toBe(job.job_set_id);
      const result = final.jobs[0]!.result!;
      expect(final.jobs[0]).toMatchObject({ status: 'completed', progress: 100, error: null });
      expect(result.min_url).toBe(result.url);
      const media = await fetch(result.url!);
      expect(media.status).toBe(200);
      expect(media.headers.get('content-type')).toBe(second.kind === 'text-to-image' ? 'image/png' : 'video/mp4');
    });

    it('the same pick again answers the same job set (no second generation)', async () => {
      const submits = spending(world).submits;
      const first = SeedChatResponse.parse((await chat(alice, { message: 'generate #2' })).body);
      const again = SeedChatResponse.parse((await chat(alice, { message: 'option 2' })).body);
      expect(again.job_details?.job_set_id).toBe(first.job_details?.job_set_id);
      expect(again.job_details?.status).toBe('completed');
      expect(again.message).toMatch(/is already started/);
      expect(spending(world).submits).toBe(submits);
    });

    it('“go with the first one” starts option 1: a still whose link answers an image', async () => {
      const first = offered.options[0]!;
      expect(first.kind).toBe('text-to-image');
      const started = SeedChatResponse.parse((await chat(alice, { message: 'go with the first one' })).body);
      expect(started.action_performed).toBe('generate_image');
      const { final } = await pollJobSet(world, started.job_details!.job_set_id, alice);
      expect(final.status).toBe('completed');
      const media = await fetch(final.jobs[0]!.result!.url!);
      expect(media.status).toBe(200);
      expect(media.headers.get('content-type')).toBe('image/png');
      expect((await media.arrayBuffer()).byteLength).toBeGreaterThan(0);
    });

    it('an `option_id` from `options` starts that option (the message is not read as a pick)', async () => {
      const third = offered.options[2] ?? offered.options[0]!;
      const answer = await chat(alice, { message: 'this one please', option_id: third.option_id });
      const started = SeedChatResponse.parse(answer.body);
      expect(started.job_details).toMatchObject({ model: third.model, job_type: third.kind });
      expect((await pollJobSet(world, started.job_details!.job_set_id, alice)).final.status).toBe('completed');
    });

    it('refresh answers the same JobSetStatus with fresh links, and the job set is nobody else’s', async () => {
      const started = SeedChatResponse.parse((await chat(alice, { message: 'option 1' })).body);
      const id = started.job_details!.job_set_id;
      const polled = await pollJobSet(world, id, alice);
      const refreshed = await world.api(`/v1/jobs/${id}/refresh`, { method: 'POST', key: alice });
      expect(refreshed.status).toBe(200);
      const status = SeedJobSetStatus.parse(refreshed.body);
      expect(status).toMatchObject({ id, status: 'completed', created_at: polled.final.created_at });
      expect((await fetch(status.jobs[0]!.result!.url!)).status).toBe(200);

      const theirs = await world.api(`/v1/jobs/${id}`, { key: bob });
      expect(theirs.status).toBe(404);
      expect(SeedError.parse(theirs.body).detail).toBe('Job set not found');
      expect((await world.api(`/v1/jobs/${id}/refresh`, { method: 'POST', key: bob })).status).toBe(404);
    });

    it('a job set that failed answers `failed` with the provider’s reason', async () => {
      const failing = await chat(alice, { message: 'a red kite over the sea sim:fail' });
      const options = OurChatResponse.parse(failing.body).options;
      expect(options.length).toBeGreaterThan(0);
      const started = SeedChatResponse.parse((await chat(alice, { message: 'option 1' })).body);
      const { final } = await pollJobSet(world, started.job_details!.job_set_id, alice);
      expect(final.status).toBe('failed');
      expect(final.jobs[0]).toMatchObject({ status: 'failed', result: null });
      expect(final.jobs[0]!.error).toMatch(/\S/);
      // The reason is history's record of the failure, which the feed writes a moment after the state.
      const refreshed = () => world.api(`/v1/jobs/${final.id}/refresh`, { method: 'POST', key: alice });
      await expect
        .poll(async () => SeedJobSetStatus.parse((await refreshed()).body).jobs[0]!.error)
        .toContain(FAIL_MESSAGE);
    });
  });

  it('the OpenAPI document names seed A’s shapes and lists every /v1 route', async () => {
    const doc = (await world.api('/openapi.json')).body as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    for (const id of ['HealthResponse', 'V1ChatRequest', 'V1ChatResponse', 'V1JobSubmission', 'JobSetStatus']) {
      expect(doc.components.schemas).toHaveProperty(id);
    }
    for (const path of [
      '/',
      '/health',
      '/v1/chat',
      '/v1/chat/stream',
      '/v1/jobs/{job_set_id}',
      '/v1/t2i/nano-banana',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
  });
});

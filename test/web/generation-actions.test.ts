/**
 * A generation as an endpoint, on the whole app (simulator, queue, history): `GET /generations/{id}` with
 * its state and fresh media links, and the actions the other platforms have as buttons — cancel, re-roll,
 * animate — each only for the person who asked (anyone else gets 404, as for a generation that never was).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebWorld, type WebWorld } from './support/web-world.js';

interface GenerationBody {
  generation_id: string;
  chat_id: string;
  state: string;
  label: string;
  model: string;
  kind: string;
  prompt: string;
  position?: number;
  media: Array<{ url: string; content_type: string; width?: number; height?: number }>;
  message?: string;
  actions: string[];
}

interface Chunk {
  type: string;
  option_id?: string;
  kind?: string;
  label?: string;
}

describe('generations as endpoints', () => {
  let world: WebWorld;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    world = await startWebWorld({ name: 'generation-actions', env: { WEB_RATE_LIMIT_PER_MINUTE: '100000' } });
    alice = await world.newKey('alice');
    bob = await world.newKey('bob');
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  const newChat = async (key: string) =>
    (await world.api<{ id: string }>('/chats', { method: 'POST', key, body: { title: 'Foxes' } })).body.id;

  /** A person's message answered with options, and the first image option generated (answered at once). */
  async function generateImage(key: string, chatId: string): Promise<string> {
    const posted = await world.api<{ message: { render_payload: Chunk[] } }>(`/chats/${chatId}/messages`, {
      method: 'POST',
      key,
      body: { text: 'a red fox in the snow, photo' },
    });
    expect(posted.status).toBe(201);
    const button = posted.body.message.render_payload.find((c) => c.type === 'button' && c.kind === 'text-to-image');
    const generated = await world.api<{ generation_id: string }>('/higgsfield/generate?wait=false', {
      method: 'POST',
      key,
      body: { option_id: button?.option_id },
    });
    expect(generated.status).toBe(202);
    return generated.body.generation_id;
  }

  async function until(key: string, id: string, states: string[], withinMs = 15_000): Promise<GenerationBody> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const answer = await world.api<GenerationBody>(`/generations/${id}`, { key });
      expect(answer.status).toBe(200);
      if (states.includes(answer.body.state)) return answer.body;
      if (Date.now() > deadline) throw new Error(`${id} is ${answer.body.state}, not ${states.join(' or ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('shows a generation to its person: state, recipe, chat, fresh links to its media and what can be done', async () => {
    const chatId = await newChat(alice);
    const id = await generateImage(alice, chatId);
    const done = await until(alice, id, ['done']);
    expect(done).toMatchObject({
      generation_id: id,
      chat_id: chatId,
      state: 'done',
      kind: 'text-to-image',
      actions: ['reroll', 'animate'],
    });
    expect(done.label.length).toBeGreaterThan(0);
    expect(done.model.length).toBeGreaterThan(0);
    expect(done.media).toHaveLength(1);
    expect(done.media[0]?.content_type).toMatch(/^image\//);
    const file = await fetch(done.media[0]!.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^image\//);
  });

  it('is not found for anyone else, for an unknown id, or for what is no generation id; 401 without a key', async () => {
    const chatId = await newChat(alice);
    const id = await generateImage(alice, chatId);
    await until(alice, id, ['done']);
    const attempts: Array<[string, string]> = [
      ['GET', `/generations/${id}`],
      ['POST', `/generations/${id}/cancel`],
      ['POST', `/generations/${id}/reroll`],
      ['POST', `/generations/${id}/animate`],
    ];
    for (const [method, path] of attempts) {
      const answer = await world.api(path, { method, key: bob });
      expect([method, path, answer.status, answer.body]).toEqual([
        method,
        path,
        404,
        { detail: 'Generation not found' },
      ]);
      expect((await world.api(path, { method })).status).toBe(401);
    }
    for (const unknown of [`gen-${randomUUID()}`, id.slice(4, 12), 'gen-not-an-id']) {
      const answer = await world.api(`/generations/${unknown}`, { key: alice });
      expect(answer.status).toBe(404);
    }
  });

  it('cancels a generation that is still waiting, once: then it is canceled, on its stream too', async () => {
    const chatId = await newChat(alice);
    world.sim.scriptNext({ status: 'completed', queuedMs: 60_000 });
    const id = await generateImage(alice, chatId);
    // Submitted, so the simulator's script is this generation's (and waits there for a minute).
    const waiting = await until(alice, id, ['submitted']);
    expect(waiting.actions).toEqual(['cancel']);
    const first = await world.api<{ outcome: string; message: string }>(`/generations/${id}/cancel`, {
      method: 'POST',
      key: alice,
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ outcome: 'canceled', message: 'Canceled.' });
    const canceled = await until(alice, id, ['canceled']);
    expect(canceled.actions).toEqual(['reroll']);

    const again = await world.api<{ outcome: string }>(`/generations/${id}/cancel`, { method: 'POST', key: alice });
    expect(again.body.outcome).toBe('already-finished');
  });

  it('re-rolls a generation into a new one in the same chat, answering 202 with where it stands', async () => {
    const chatId = await newChat(alice);
    const id = await generateImage(alice, chatId);
    const original = await until(alice, id, ['done']);
    const answer = await world.api<{ generation_id: string; position: number; estimated_wait_s: number }>(
      `/generations/${id}/reroll`,
      { method: 'POST', key: alice },
    );
    expect(answer.status).toBe(202);
    expect(answer.body.generation_id).toMatch(/^gen-/);
    expect(answer.body.generation_id).not.toBe(id);
    expect(answer.body.position).toBeGreaterThanOrEqual(1);
    expect(answer.body.estimated_wait_s).toBeGreaterThanOrEqual(0);
    const rerolled = await until(alice, answer.body.generation_id, ['done']);
    expect(rerolled).toMatchObject({ chat_id: chatId, label: `Re-roll: ${original.label}`, prompt: original.prompt });
  });

  it('answers Animate with options to animate the image, as a message in the chat', async () => {
    const chatId = await newChat(alice);
    const id = await generateImage(alice, chatId);
    await until(alice, id, ['done']);
    const answer = await world.api<{
      message: { id: string; chat_id: string; author_type: string; render_payload: Chunk[] };
      render_chunks: Chunk[];
    }>(`/generations/${id}/animate`, { method: 'POST', key: alice });
    expect(answer.status).toBe(201);
    expect(answer.body.message).toMatchObject({ chat_id: chatId, author_type: 'assistant' });
    const buttons = answer.body.render_chunks.filter((c) => c.type === 'button');
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.every((b) => b.kind === 'image-to-video')).toBe(true);
    const transcript = await world.api<{ items: Array<{ id: string }> }>(`/chats/${chatId}/messages`, { key: alice });
    expect(transcript.body.items.map((m) => m.id)).toContain(answer.body.message.id);
  });

  it('refuses to animate what is not ready yet (409), and says so', async () => {
    const chatId = await newChat(alice);
    world.sim.scriptNext({ status: 'completed', queuedMs: 60_000 });
    const id = await generateImage(alice, chatId);
    await until(alice, id, ['submitted']);
    const answer = await world.api<{ detail: string }>(`/generations/${id}/animate`, { method: 'POST', key: alice });
    expect(answer.status).toBe(409);
    expect(answer.body.detail).toMatch(/not ready/);
    await world.api(`/generations/${id}/cancel`, { method: 'POST', key: alice });
  });

  it('tells a failure in words on the generation', async () => {
    const chatId = await newChat(alice);
    world.sim.scriptNext({ status: 'failed', error: 'the model fell over' });
    const id = await generateImage(alice, chatId);
    const failed = await until(alice, id, ['failed']);
    expect(failed.message).toBeTruthy();
    expect(failed.media).toEqual([]);
    expect(failed.actions).toEqual(['reroll']);
  });

  it('is in the OpenAPI document: the generation routes and the event stream as text/event-stream', async () => {
    const doc = await world.api<{
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    }>('/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/generations/{id}',
        '/generations/{id}/cancel',
        '/generations/{id}/reroll',
        '/generations/{id}/animate',
        '/chats/{id}/events',
      ]),
    );
    expect(Object.keys(paths['/chats/{id}/events']?.get?.responses['200']?.content ?? {})).toEqual([
      'text/event-stream',
    ]);
  });
});

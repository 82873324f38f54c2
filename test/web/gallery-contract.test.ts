/**
 * The gallery, `GET /generations?search=&cursor=&limit=`, on the whole app (simulator, queue, history): a
 * person's own results made on the web, newest first, each a Generation as `GET /generations/{id}` shows it,
 * with fresh links that open the stored file; words in the prompts find them; pages follow one another with
 * no gap or repeat. Another person's key sees none of them, and the person's own results on another platform
 * never appear. Bad paging parameters answer 422 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConversationRef } from '../../src/core/types.js';
import { startWebWorld, until, type WebWorld } from './support/web-world.js';

const Generation = z.object({
  generation_id: z.string(),
  chat_id: z.string(),
  state: z.string(),
  label: z.string(),
  model: z.string(),
  kind: z.string(),
  prompt: z.string(),
  media: z.array(z.object({ url: z.string(), content_type: z.string() })),
  actions: z.array(z.string()),
  created_at: z.string().optional(),
});
const Page = z.strictObject({ items: z.array(Generation), next_cursor: z.string().nullable(), has_more: z.boolean() });
type Page = z.infer<typeof Page>;

interface Chunk {
  type: string;
  option_id?: string;
  kind?: string;
}

const ASKS = ['a lighthouse on a cliff at dusk', 'a red fox asleep in fresh snow', 'a paper boat on a rainy street'];

describe('the gallery', () => {
  let world: WebWorld;
  let alice: string;
  let bob: string;
  /** Alice's generation ids, oldest first, with what she asked for. */
  const made: Array<{ id: string; ask: string; chatId: string }> = [];

  const gallery = async (key: string, query = '') => {
    const answer = await world.api(`/generations${query}`, { key });
    expect(answer.status, answer.text).toBe(200);
    return Page.parse(answer.body);
  };

  /** A chat, a message, and its first image option generated to the end (the route waits for it). */
  async function generate(key: string, ask: string): Promise<{ id: string; chatId: string }> {
    const chat = await world.api<{ id: string }>('/chats', { method: 'POST', key, body: { title: ask } });
    const posted = await world.api<{ message: { render_payload: Chunk[] } }>(`/chats/${chat.body.id}/messages`, {
      method: 'POST',
      key,
      body: { text: ask },
    });
    expect(posted.status).toBe(201);
    const button = posted.body.message.render_payload.find((c) => c.type === 'button' && c.kind === 'text-to-image');
    const generated = await world.api<{ generation_id: string }>('/higgsfield/generate', {
      method: 'POST',
      key,
      body: { option_id: button?.option_id },
    });
    expect(generated.status, generated.text).toBe(200);
    return { id: generated.body.generation_id, chatId: chat.body.id };
  }

  beforeAll(async () => {
    world = await startWebWorld({ name: 'gallery', env: { WEB_RATE_LIMIT_PER_MINUTE: '100000' } });
    alice = await world.newKey('alice');
    bob = await world.newKey('bob');
    for (const ask of ASKS) made.push({ ...(await generate(alice, ask)), ask });
    // History hears of each result through its feed, a moment later.
    await until(async () => {
      const page = await gallery(alice);
      return page.items.length === ASKS.length && page.items.every((item) => item.state === 'done') ? page : undefined;
    }, 'the gallery to show all three results as done');
  }, 90_000);
  afterAll(async () => {
    await world?.close();
  });

  it('shows the person’s results newest first, each as GET /generations/{id} shows it', async () => {
    const page = await gallery(alice);
    expect(page.items.map((item) => item.generation_id)).toEqual(made.map((m) => m.id).reverse());
    expect(page).toMatchObject({ next_cursor: null, has_more: false });
    for (const item of page.items) {
      const one = await world.api(`/generations/${item.generation_id}`, { key: alice });
      const { media: _a, ...rest } = Generation.parse(one.body);
      const { media: _b, ...listed } = item;
      expect(listed).toEqual(rest);
      expect(item.chat_id).toBe(made.find((m) => m.id === item.generation_id)?.chatId);
      expect(item.actions).toEqual(['reroll', 'animate']);
    }
  });

  it('links each result to its stored file, which opens', async () => {
    const [newest] = (await gallery(alice)).items;
    expect(newest?.media).toHaveLength(1);
    const file = await fetch(newest?.media[0]?.url ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^image\//);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('finds results by the words of their prompts', async () => {
    const found = await gallery(alice, '?search=lighthouse');
    expect(found.items.map((item) => item.generation_id)).toEqual([made[0]?.id]);
    expect(found.items[0]?.prompt.toLowerCase()).toContain('lighthouse');
    const either = await gallery(alice, `?search=${encodeURIComponent('fox OR boat')}`);
    expect(either.items.map((item) => item.generation_id)).toEqual([made[2]?.id, made[1]?.id]);
  });

  it('finds nothing for words no prompt has, and everything for an empty search', async () => {
    expect(await gallery(alice, '?search=submarine')).toEqual({ items: [], next_cursor: null, has_more: false });
    expect((await gallery(alice, '?search=')).items).toHaveLength(ASKS.length);
  });

  it('pages through them with the cursor: every result once, in order, then no more', async () => {
    const seen: string[] = [];
    let page: Page = await gallery(alice, '?limit=2');
    expect(page.items).toHaveLength(2);
    expect(page.has_more).toBe(true);
    seen.push(...page.items.map((item) => item.generation_id));
    while (page.next_cursor) {
      page = await gallery(alice, `?limit=2&cursor=${encodeURIComponent(page.next_cursor)}`);
      seen.push(...page.items.map((item) => item.generation_id));
    }
    expect(page.has_more).toBe(false);
    expect(seen).toEqual(made.map((m) => m.id).reverse());
  });

  it('shows another person none of them: only their own', async () => {
    expect(await gallery(bob)).toEqual({ items: [], next_cursor: null, has_more: false });
    expect((await gallery(bob, '?search=lighthouse')).items).toEqual([]);
    const own = await generate(bob, 'a lighthouse in a storm');
    const page = await until(async () => {
      const listed = await gallery(bob);
      return listed.items.length === 1 ? listed : undefined;
    }, 'bob’s result in his gallery');
    expect(page.items.map((item) => item.generation_id)).toEqual([own.id]);
    expect((await gallery(alice)).items.map((item) => item.generation_id)).not.toContain(own.id);
  });

  it('never shows the person’s results from another platform', async () => {
    const assistant = world.app.assistant;
    const history = world.app.history;
    if (!assistant || !history) throw new Error('this world has no assistant or history');
    const conversation: ConversationRef = {
      platform: 'terminal',
      workspaceId: 'local',
      channelId: 'chat',
      threadId: 'gallery-elsewhere',
      userId: 'alice',
    };
    const reply = await assistant.handleMessage({ conversation, text: 'a lighthouse drawn in chalk' });
    if (reply.kind !== 'options') throw new Error('no options for the terminal conversation');
    const chosen = await assistant.choose(reply.set.key, 0, { userId: 'alice', isAdmin: false });
    if (chosen.kind !== 'queued') throw new Error(`the terminal option was not queued: ${chosen.kind}`);
    await until(
      async () => (await history.get(chosen.generationId))?.conversation.platform === 'terminal' || undefined,
      'the terminal generation in history',
    );
    const ids = (await gallery(alice, '?limit=100')).items.map((item) => item.generation_id);
    expect(ids).toEqual(made.map((m) => m.id).reverse());
    expect((await gallery(alice, '?search=chalk')).items).toEqual([]);
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=many', 'query.limit'],
    ['cursor=not-a-cursor!', 'query.cursor'],
    [`cursor=${Buffer.from('{"t":"soon"}').toString('base64url')}`, 'query.cursor'],
  ])('?%s answers 422 naming %s', async (query, field) => {
    const answer = await world.api<{ detail: string }>(`/generations?${query}`, { key: alice });
    expect(answer.status).toBe(422);
    expect(answer.body.detail.startsWith(`${field}`)).toBe(true);
  });

  it('needs a key', async () => {
    const answer = await world.api('/generations');
    expect(answer.status).toBe(401);
  });
});

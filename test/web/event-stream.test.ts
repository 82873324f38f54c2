/**
 * `GET /chats/{id}/events` on a real HTTP server, as a client sees it: the stream's head (CORS headers
 * included), live events in order, a dropped connection resumed with `Last-Event-ID` (exactly what was
 * missed, nothing twice), a real generation's progress from queued to done, and 401 / 404 for a missing
 * key or someone else's chat. Events are appended by an event log of this spec's own on the world's Redis,
 * as another process would; the streaming writer's keep-alive and clean-up are specified on a bare Fastify.
 */
import { randomUUID } from 'node:crypto';
import { type ClientRequest, get, type IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChatEvents } from '../../src/adapters/web/chat-event-stream.js';
import { createRedisWebEventLog } from '../../src/adapters/web/redis-web-event-log.js';
import type { StoredWebEvent, WebEvent, WebEventLog } from '../../src/adapters/web/web-events.js';
import { silentLogger } from '../../src/log.js';
import { redisUrl } from '../support/redis.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

const ORIGIN = 'https://app.example.com';

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
  /** performance.now() when the frame was read off the socket. */
  receivedAt?: number;
}

interface Stream {
  status: number;
  headers: Headers;
  frames: Frame[];
  /** The frames that are events, with their data parsed. */
  events(): Array<{ id: string; type: string; data: WebEvent }>;
  until(count: number, withinMs?: number): Promise<Array<{ id: string; type: string; data: WebEvent }>>;
  close(): void;
}

/** Parses one SSE frame (the lines before a blank line). */
function parseFrame(text: string): Frame {
  const frame: Frame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    const match = /^(id|event|data|retry): ?(.*)$/.exec(line);
    if (!match) continue;
    const [, field, value = ''] = match;
    if (field === 'retry') frame.retry = Number(value);
    else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    else if (field === 'id') frame.id = value;
    else frame.event = value;
  }
  return frame;
}

async function openStream(url: string, headers: Record<string, string> = {}): Promise<Stream> {
  const frames: Frame[] = [];
  const parsed: Array<{ id: string; type: string; data: WebEvent }> = [];
  const { response, request } = await new Promise<{ response: IncomingMessage; request: ClientRequest }>(
    (resolve, reject) => {
      const request = get(url, { headers, agent: false }, (response) => resolve({ response, request }));
      request.on('error', reject);
    },
  );
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  response.setEncoding('utf8');
  let buffer = '';
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const frame = { ...parseFrame(buffer.slice(0, end)), receivedAt: performance.now() };
      frames.push(frame);
      if (response.statusCode === 200 && frame.event !== undefined && frame.data !== undefined) {
        parsed.push({ id: frame.id ?? '', type: frame.event, data: JSON.parse(frame.data) as WebEvent });
      }
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  });
  response.on('error', () => {});
  const events = () => [...parsed];
  return {
    status: response.statusCode ?? 0,
    headers: responseHeaders,
    frames,
    events,
    async until(count, withinMs = 5_000) {
      const deadline = Date.now() + withinMs;
      while (parsed.length < count) {
        if (Date.now() > deadline) throw new Error(`got ${parsed.length} of ${count} events within ${withinMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return events();
    },
    close: () => request.destroy(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function event(chatId: string, type: WebEvent['type'] = 'queued', label = 'Fox'): WebEvent {
  return {
    type,
    generation_id: `gen-${randomUUID()}`,
    chat_id: chatId,
    label,
    model: 'nano-banana',
    text: `${label}: ${type}`,
    actions: [],
    at: new Date().toISOString(),
  };
}

describe('a chat’s event stream over HTTP', () => {
  let world: WebWorld;
  let redis: Redis;
  /** Another process's event log, on the world's Redis and prefix. */
  let elsewhere: WebEventLog;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    world = await startWebWorld({
      name: 'event-stream',
      env: { WEB_RATE_LIMIT_PER_MINUTE: '100000', WEB_CORS_ORIGINS: ORIGIN },
    });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    elsewhere = createRedisWebEventLog({
      redis,
      reader: () => new Redis(redisUrl(), { maxRetriesPerRequest: null }),
      prefix: world.prefix,
      logger: silentLogger(),
    });
    alice = await world.newKey('alice');
    bob = await world.newKey('bob');
  }, 60_000);
  afterAll(async () => {
    await elsewhere?.close();
    redis?.disconnect();
    await world?.close();
  });

  const auth = (key: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...more });
  const newChat = async (key: string) =>
    (await world.api<{ id: string }>('/chats', { method: 'POST', key, body: { title: 'Foxes' } })).body.id;
  const eventsUrl = (chatId: string, query = '') => `${world.url}/chats/${chatId}/events${query}`;

  it('answers 401 without a key and 404 for someone else’s chat or one that does not exist, as JSON', async () => {
    const chatId = await newChat(alice);
    const keyless = await world.api<{ detail: string }>(`/chats/${chatId}/events`);
    expect(keyless.status).toBe(401);
    expect(keyless.body.detail).toMatch(/API key/);

    const bobs = await world.api<{ detail: string }>(`/chats/${chatId}/events`, { key: bob });
    expect(bobs.status).toBe(404);
    expect(bobs.body).toEqual({ detail: 'Chat not found' });
    for (const missing of [randomUUID(), 'not-a-uuid']) {
      const answer = await world.api(`/chats/${missing}/events`, { key: alice });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ detail: 'Chat not found' });
    }
  });

  it('opens as an event stream with the CORS headers of its origin, telling the client to retry in 3 s', async () => {
    const chatId = await newChat(alice);
    const stream = await openStream(eventsUrl(chatId), auth(alice, { origin: ORIGIN }));
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(stream.headers.get('cache-control')).toMatch(/no-cache/);
      expect(stream.headers.get('x-accel-buffering')).toBe('no');
      expect(stream.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(stream.headers.get('www-authenticate')).toBeNull();
      await expect.poll(() => stream.frames[0]?.retry).toBe(3000);
    } finally {
      stream.close();
    }
    const head = await fetch(eventsUrl(chatId), { method: 'HEAD', headers: auth(alice) });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
  });

  it('sends live events in order, each with its id and type, and only this chat’s', async () => {
    const [chatId, other] = [await newChat(alice), await newChat(alice)];
    const stream = await openStream(eventsUrl(chatId), auth(alice));
    try {
      await expect.poll(() => stream.frames.length).toBeGreaterThan(0);
      const appended: WebEvent[] = [event(chatId, 'queued'), event(chatId, 'rendering'), event(chatId, 'done')];
      const ids: string[] = [];
      for (const e of appended) {
        await elsewhere.append(event(other));
        ids.push((await elsewhere.append(e)) as string);
      }
      const got = await stream.until(3);
      await sleep(50);
      expect(stream.events()).toHaveLength(3);
      expect(got.map((e) => e.id)).toEqual(ids);
      expect(got.map((e) => e.type)).toEqual(['queued', 'rendering', 'done']);
      expect(got.map((e) => e.data)).toEqual(appended);
    } finally {
      stream.close();
    }
  });

  it('resumes a dropped stream with Last-Event-ID: exactly the events missed, then live ones, none twice', async () => {
    const chatId = await newChat(alice);
    const first = await openStream(eventsUrl(chatId), auth(alice));
    await expect.poll(() => first.frames.length).toBeGreaterThan(0);
    const seen = [(await elsewhere.append(event(chatId))) as string, (await elsewhere.append(event(chatId))) as string];
    expect((await first.until(2)).map((e) => e.id)).toEqual(seen);
    first.close();

    const missed: string[] = [];
    for (let i = 0; i < 3; i++) missed.push((await elsewhere.append(event(chatId, 'rendering'))) as string);
    const again = await openStream(eventsUrl(chatId), auth(alice, { 'last-event-id': seen[1]! }));
    try {
      expect((await again.until(3)).map((e) => e.id)).toEqual(missed);
      const live = (await elsewhere.append(event(chatId, 'done'))) as string;
      expect((await again.until(4)).map((e) => e.id)).toEqual([...missed, live]);
      await sleep(50);
      expect(again.events()).toHaveLength(4);
    } finally {
      again.close();
    }
  });

  it('resumes from ?last_event_id= too (the header wins over it), and from the start for a malformed id', async () => {
    const chatId = await newChat(alice);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await elsewhere.append(event(chatId))) as string);

    const byQuery = await openStream(eventsUrl(chatId, `?last_event_id=${ids[0]}`), auth(alice));
    const both = await openStream(
      eventsUrl(chatId, `?last_event_id=${ids[0]}`),
      auth(alice, { 'last-event-id': ids[1]! }),
    );
    const malformed = await openStream(eventsUrl(chatId), auth(alice, { 'last-event-id': 'yesterday' }));
    try {
      expect((await byQuery.until(2)).map((e) => e.id)).toEqual(ids.slice(1));
      expect((await both.until(1)).map((e) => e.id)).toEqual(ids.slice(2));
      expect((await malformed.until(3)).map((e) => e.id)).toEqual(ids);
    } finally {
      for (const stream of [byQuery, both, malformed]) stream.close();
    }
  });

  it('carries what a person typed as data only: a label with line breaks and markup stays inside its JSON', async () => {
    const chatId = await newChat(alice);
    const stream = await openStream(eventsUrl(chatId), auth(alice));
    try {
      await expect.poll(() => stream.frames.length).toBeGreaterThan(0);
      const hostile = event(chatId, 'queued', 'Fox\n\nevent: done\ndata: {}\n<script>alert(1)</script>');
      await elsewhere.append(hostile);
      const [got] = await stream.until(1);
      expect(got?.type).toBe('queued');
      expect(got?.data.label).toBe(hostile.label);
    } finally {
      stream.close();
    }
  });

  it('shows a real generation from queued to done, with a link to its stored image', async () => {
    const chatId = await newChat(alice);
    const stream = await openStream(eventsUrl(chatId), auth(alice));
    try {
      const posted = await world.api<{ message: { render_payload: Array<{ type: string; option_id?: string }> } }>(
        `/chats/${chatId}/messages`,
        { method: 'POST', key: alice, body: { text: 'a red fox in the snow, photo' } },
      );
      expect(posted.status).toBe(201);
      const button = posted.body.message.render_payload.find((chunk) => chunk.type === 'button');
      const generated = await world.api<{ generation_id: string }>('/higgsfield/generate?wait=false', {
        method: 'POST',
        key: alice,
        body: { option_id: button?.option_id },
      });
      expect(generated.status).toBe(202);
      const generationId = generated.body.generation_id;

      const deadline = Date.now() + 15_000;
      while (!stream.events().some((e) => e.type === 'done') && Date.now() < deadline) await sleep(20);
      const mine = stream.events().filter((e) => e.data.generation_id === generationId);
      expect(mine[0]?.type).toBe('queued');
      expect(mine[0]?.data.actions).toEqual(['cancel']);
      const done = mine.at(-1);
      expect(done?.type).toBe('done');
      expect(done?.data.actions).toContain('reroll');
      const url = done?.data.media?.[0]?.url ?? '';
      expect(done?.data.media?.[0]?.content_type).toMatch(/^image\//);
      const file = await fetch(url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toMatch(/^image\//);
      // Each generation ends once on the stream, however many processes tell of it.
      expect(mine.filter((e) => ['done', 'failed', 'canceled'].includes(e.type))).toHaveLength(1);
    } finally {
      stream.close();
    }
  });

  it('brings each event from its append to every one of 200 open streams, in milliseconds', async () => {
    const chats = await Promise.all(Array.from({ length: 20 }, () => newChat(alice)));
    const streams = await Promise.all(
      Array.from({ length: 200 }, (_, i) => openStream(eventsUrl(chats[i % chats.length]!), auth(alice))),
    );
    try {
      for (const stream of streams) await expect.poll(() => stream.frames.length).toBeGreaterThan(0);
      const latencies: number[] = [];
      for (let round = 1; round <= 20; round++) {
        const started = performance.now();
        await Promise.all(chats.map((chatId) => elsewhere.append(event(chatId))));
        await Promise.all(streams.map((stream) => stream.until(round)));
        for (const stream of streams) {
          const frame = stream.frames.filter((f) => f.event !== undefined)[round - 1];
          latencies.push((frame?.receivedAt ?? Number.NaN) - started);
        }
        await sleep(10);
      }
      latencies.sort((a, b) => a - b);
      const at = (q: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? Number.NaN;
      console.info(
        `append → SSE client, 200 streams on 20 chats (${latencies.length} deliveries): ` +
          `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`,
      );
      // Every stream got every event of its chat, in order. The figure is printed, and bounded loosely only:
      // client and server share this process (and the machine its neighbours); bench/ measures it alone.
      for (const [i, stream] of streams.entries()) {
        const chatId = chats[i % chats.length];
        expect(stream.events().every((e) => e.data.chat_id === chatId)).toBe(true);
        expect(stream.events()).toHaveLength(20);
      }
      expect(at(0.5)).toBeLessThan(250);
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});

describe('the stream writer', () => {
  /** A bare Fastify serving one chat's events through `streamChatEvents`, counting live subscriptions. */
  async function serve(events: WebEventLog, keepAliveMs: number) {
    let subscribed = 0;
    const counting: WebEventLog = {
      ...events,
      append: (e, once) => events.append(e, once),
      since: (chatId, lastId, limit) => events.since(chatId, lastId, limit),
      subscribe(chatId, listener) {
        subscribed += 1;
        const unsubscribe = events.subscribe(chatId, listener);
        return () => {
          subscribed -= 1;
          unsubscribe();
        };
      },
    };
    const app = Fastify();
    app.get<{ Params: { id: string } }>('/chats/:id/events', async (request, reply) => {
      await streamChatEvents(reply, {
        events: counting,
        chatId: request.params.id,
        lastId: undefined,
        logger: silentLogger(),
        keepAliveMs,
      });
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, app, subscribed: () => subscribed };
  }

  /** An event log in memory: enough for the writer's own behaviour. */
  function memoryLog(): WebEventLog {
    const kept: StoredWebEvent[] = [];
    const listeners = new Set<(s: StoredWebEvent) => void>();
    return {
      async append(e) {
        const stored = { id: `${kept.length + 1}-0`, event: e };
        kept.push(stored);
        for (const listener of listeners) listener(stored);
        return stored.id;
      },
      since: async (chatId) => kept.filter((s) => s.event.chat_id === chatId),
      subscribe(_chatId, listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: async () => {},
    };
  }

  it('writes a keep-alive comment while idle, and lets go of its subscription when the client leaves', async () => {
    const server = await serve(memoryLog(), 40);
    try {
      const stream = await openStream(`${server.url}/chats/${randomUUID()}/events`);
      await expect.poll(() => stream.frames.filter((f) => f.comment === 'keep-alive').length).toBeGreaterThan(1);
      expect(server.subscribed()).toBe(1);
      stream.close();
      await expect.poll(() => server.subscribed()).toBe(0);
    } finally {
      await server.app.close();
    }
  });

  it('sends an event heard while the backlog is read once, after the backlog', async () => {
    const log = memoryLog();
    const chatId = randomUUID();
    await log.append(event(chatId, 'queued'));
    // A live event arriving while `since` is answered: the writer holds it until the backlog is out.
    const racing: WebEventLog = {
      ...log,
      async since(id, lastId, limit) {
        const backlog = await log.since(id, lastId, limit);
        await log.append(event(chatId, 'rendering'));
        return backlog;
      },
    };
    const server = await serve(racing, 10_000);
    try {
      const stream = await openStream(`${server.url}/chats/${chatId}/events`);
      expect((await stream.until(2)).map((e) => [e.id, e.type])).toEqual([
        ['1-0', 'queued'],
        ['2-0', 'rendering'],
      ]);
      await sleep(50);
      expect(stream.events()).toHaveLength(2);
      stream.close();
    } finally {
      await server.app.close();
    }
  });
});

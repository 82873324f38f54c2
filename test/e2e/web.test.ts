/**
 * The web platform as deployed: two `higgsbot start --role bot` processes serving the web API and one
 * `--role worker` (the built CLI, `node bin/higgsbot.js`, each a process of its own), sharing Redis and a
 * PostgreSQL history, with keys made and revoked by the built `higgsbot api-keys`. A person's chat, options,
 * generation and event stream work across the two bot processes (created on one, watched and pressed on the
 * other); another person's key sees none of it; the rate limit counts one key's requests on both processes
 * together; a revoked key is refused by both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE } from '../../src/higgsfield/simulator/index.js';
import { callApi } from '../web/support/web-world.js';
import { spawnCli } from './support/cli-process.js';
import { startWorld, type World } from './support/e2e-world.js';
import { printChildLogsOnFailure } from './support/report.js';
import { waitUntil, within } from './support/wait.js';

printChildLogsOnFailure();

const RATE_LIMIT = 40;
let world: World;
let bots: string[] = [];

beforeAll(async () => {
  world = await startWorld({
    name: 'web',
    platformEnv: () => ({ WEB_ENABLED: 'true', WEB_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) }),
  });
  const started = await Promise.all([world.start('bot'), world.start('bot'), world.start('worker')]);
  bots = started.slice(0, 2).map(({ port }) => `http://127.0.0.1:${port}`);
}, 90_000);

afterAll(async () => {
  await world?.close();
});

/** `higgsbot api-keys <args>` as a built process on the world's database; resolves with its stdout. */
async function apiKeys(...args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = spawnCli(`api-keys-${args[0]}`, ['api-keys', ...args], {
    DATABASE_URL: world.databaseUrl,
    REDIS_URL: world.redisUrl,
    LOG_LEVEL: 'warn',
  });
  const code = await within(child.exited, 20_000, 'still running after 20 s');
  return { code, stdout: child.stdout, stderr: child.stderr };
}

async function newKey(user: string): Promise<string> {
  const made = await apiKeys('create', '--user', user);
  expect(made.code, made.stderr).toBe(0);
  const secret = /\b(hb_[A-Za-z0-9_-]+)/.exec(made.stdout)?.[1];
  expect(secret, made.stdout).toBeDefined();
  return secret as string;
}

interface StreamedEvent {
  type: string;
  data: { generation_id: string; media?: Array<{ url: string }> };
}

/** Reads an event stream until `done` says so (or the time runs out); resolves with the events seen. */
async function readEvents(url: string, key: string, done: (events: StreamedEvent[]) => boolean) {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: StreamedEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body!.getReader();
  const deadline = Date.now() + 30_000;
  try {
    while (!done(events) && Date.now() < deadline) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data) });
        cut = buffer.indexOf('\n\n');
      }
    }
  } finally {
    abort.abort();
  }
  return events;
}

describe('the web API, two bot processes and a worker', () => {
  it('a chat made on one bot is watched and generated on the other: options, queued → done, the image opens', async () => {
    const alice = await newKey('alice');
    const [one, two] = bots as [string, string];
    const chat = await callApi<{ id: string }>(one, '/chats', { method: 'POST', key: alice, body: { title: 'Foxes' } });
    expect(chat.status).toBe(201);

    const posted = await callApi<{ render_chunks: Array<{ type: string; option_id?: string }> }>(
      two,
      `/chats/${chat.body.id}/messages`,
      { method: 'POST', key: alice, body: { text: 'a red fox asleep in fresh snow' } },
    );
    expect(posted.status, posted.text).toBe(201);
    const optionId = posted.body.render_chunks.find((c) => c.type === 'button')?.option_id;
    expect(optionId).toBeDefined();

    const watching = readEvents(`${two}/chats/${chat.body.id}/events`, alice, (events) =>
      events.some((e) => e.type === 'done' || e.type === 'failed'),
    );
    const started = await callApi<{ generation_id: string }>(one, '/higgsfield/generate?wait=false', {
      method: 'POST',
      key: alice,
      body: { option_id: optionId },
    });
    expect(started.status, started.text).toBe(202);
    const events = await watching;
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('queued');
    expect(types.at(-1)).toBe('done');
    const done = events.at(-1)!.data;
    expect(done.generation_id).toBe(started.body.generation_id);
    const image = await fetch(done.media?.[0]?.url ?? 'http://127.0.0.1:9/missing');
    expect(image.status).toBe(200);
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(0, 8)
        .equals(PNG_SIGNATURE),
    ).toBe(true);

    const messages = await callApi<{ items: unknown[] }>(one, `/chats/${chat.body.id}/messages`, { key: alice });
    expect(messages.body.items).toHaveLength(2);
  }, 60_000);

  it('another person’s key gets 404 for the chat, its messages and its event stream, on both bots', async () => {
    const [alice, bob] = await Promise.all([newKey('alice2'), newKey('bob')]);
    const chat = await callApi<{ id: string }>(bots[0]!, '/chats', {
      method: 'POST',
      key: alice,
      body: { title: 'Mine' },
    });
    for (const base of bots) {
      for (const path of [
        `/chats/${chat.body.id}`,
        `/chats/${chat.body.id}/messages`,
        `/chats/${chat.body.id}/events`,
      ]) {
        const answer = await callApi<{ detail: string }>(base, path, { key: bob });
        expect(answer.status, `${base}${path}`).toBe(404);
        expect(answer.body.detail).toMatch(/not found/i);
      }
    }
  }, 30_000);

  it('one key’s requests count on both bots together: request 41 is 429 with Retry-After and RateLimit headers', async () => {
    const carol = await newKey('carol');
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i += 1) {
      statuses.push((await callApi(bots[i % 2]!, '/chats?limit=1', { key: carol })).status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const base of bots) {
      const refused = await callApi<{ detail: string }>(base, '/chats?limit=1', { key: carol });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('ratelimit-limit')).toBe(String(RATE_LIMIT));
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.body.detail).toMatch(/too many requests/i);
    }
    // Another key is not limited by carol's use.
    const dave = await newKey('dave');
    expect((await callApi(bots[0]!, '/chats?limit=1', { key: dave })).status).toBe(200);
  }, 60_000);

  it('a key revoked with `higgsbot api-keys revoke` is refused by both bots at once', async () => {
    const erin = await newKey('erin');
    for (const base of bots) expect((await callApi(base, '/chats', { key: erin })).status).toBe(200);
    const listed = await apiKeys('list', '--json');
    const id = (JSON.parse(listed.stdout) as Array<{ id: string; user_id: string }>).find(
      (k) => k.user_id === 'erin',
    )?.id;
    expect(id).toBeDefined();
    expect((await apiKeys('revoke', id as string)).code).toBe(0);
    for (const base of bots) {
      const refused = await callApi<{ detail: string }>(base, '/chats', { key: erin });
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toMatch(/revoked|invalid/i);
    }
  }, 60_000);

  it('seed A’s direct /v1/t2i/nano-banana goes through to a stored image that /v1/jobs links', async () => {
    const frank = await newKey('frank');
    const job = await callApi<{ job_set_id: string; status: string }>(bots[0]!, '/v1/t2i/nano-banana', {
      method: 'POST',
      key: frank,
      body: { prompt: 'a lighthouse at dusk, oil painting', aspect_ratio: '16:9' },
    });
    expect(job.status, job.text).toBe(200);
    expect(job.body.status).toBe('queued');
    let status: { status: string; jobs: Array<{ result: { url: string } | null }> } | undefined;
    await waitUntil(
      async () => {
        status = (await callApi<typeof status>(bots[1]!, `/v1/jobs/${job.body.job_set_id}`, { key: frank })).body;
        return status?.status === 'completed';
      },
      // Polled as seed A's guide says (every few seconds), well inside the key's rate limit.
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'the job set completed', detail: () => JSON.stringify(status) },
    );
    const image = await fetch(status!.jobs[0]!.result!.url);
    expect(image.headers.get('content-type')).toBe('image/png');
  }, 60_000);
});

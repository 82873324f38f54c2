/**
 * The terminal chat's history commands, typed as a person would: `history [words]` lists their generations
 * newest first with a number each, `more` pages on, `show N` prints a result again as a job of this chat (so
 * `r N` and `a N` work on it, even after Redis forgot it), and `forget` asks before `forget yes` deletes.
 * On the real pipeline (BullMQ on Redis, the simulator over HTTP, files on disk) with an in-memory history
 * store fed by the progress bus and the history log.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTerminalChat } from '../../src/adapters/terminal/terminal-chat.js';
import { CatalogCache } from '../../src/agent/catalog.js';
import { OfflineRecommender } from '../../src/agent/offline-recommender.js';
import { reseed } from '../../src/agent/reseed.js';
import { Assistant } from '../../src/core/assistant.js';
import { shortId } from '../../src/core/history.js';
import type { ConversationRef } from '../../src/core/types.js';
import { HiggsfieldClient } from '../../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../../src/higgsfield/higgsfield-provider.js';
import { SIMULATOR_CREDENTIALS } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore, type LocalMediaStore } from '../../src/media/local-media-store.js';
import { newGenerationId } from '../../src/queue/jobs.js';
import { createRedis } from '../../src/queue/redis.js';
import { RedisConversationMemory } from '../../src/store/redis-conversation-memory.js';
import { RedisHistoryPages } from '../../src/store/redis-history-pages.js';
import { RedisOptionStore } from '../../src/store/redis-option-store.js';
import { outage, RecordingHistoryLog } from '../core/support/history-doubles.js';
import { createMemoryHistoryStore, type MemoryHistoryStore } from '../support/memory-history.js';
import { type Harness, startHarness } from '../support/pipeline-harness.js';
import { deleteKeys, redisUrl } from '../support/redis.js';

let h: Harness;
let prefix: string;
let media: LocalMediaStore;
let history: MemoryHistoryStore;
let assistant: Assistant;
let stopFeed: () => Promise<void>;
const redis = createRedis(redisUrl(), 'worker');

beforeAll(async () => {
  h = await startHarness({ name: 'terminal-history' });
  prefix = h.pipeline.settings.prefix;
  const client = new HiggsfieldClient({
    baseUrl: h.sim.url,
    credentials: SIMULATOR_CREDENTIALS,
    logger: silentLogger(),
  });
  media = createLocalMediaStore({ dir: h.mediaDir });
  history = createMemoryHistoryStore();
  stopFeed = await h.pipeline.bus.subscribe((event) => void history.recordProgress(event).catch(() => undefined));
  assistant = new Assistant({
    offline: new OfflineRecommender(new CatalogCache(createHiggsfieldProvider(client))),
    optionStore: new RedisOptionStore(redis, prefix),
    memory: new RedisConversationMemory(redis, prefix),
    queue: h.pipeline.service,
    agentTimeoutMs: 5_000,
    logger: silentLogger(),
    reseed: (option) => reseed(option),
    history,
    historyLog: new RecordingHistoryLog(history),
    media,
    pages: new RedisHistoryPages(redis, prefix),
  });
});

afterAll(async () => {
  await stopFeed();
  await h.close();
  await deleteKeys(redisUrl(), prefix);
  redis.disconnect();
});

function session(userId: string): ConversationRef {
  return { platform: 'terminal', workspaceId: 'local', channelId: 'chat', threadId: `chat-${randomUUID()}`, userId };
}

/** A chat typed into line by line, and a wait for what it prints. */
function typedChat(conversation: ConversationRef) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const run = runTerminalChat({ assistant, bus: h.pipeline.bus, input, output, conversation, interactive: false });
  return {
    get text() {
      return text;
    },
    say: (line: string) => input.write(`${line}\n`),
    async until(pattern: RegExp, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** What was printed after `mark` (a length of `text` taken earlier). */
    since: (mark: number) => text.slice(mark),
    async end() {
      input.end();
      await run;
    },
  };
}

/** Generations of `userId` in history only, with their files stored (enough to list and show them). */
async function seedHistory(userId: string, prompts: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  const start = Date.now() - 3 * 3_600_000;
  for (const [i, prompt] of prompts.entries()) {
    const generationId = newGenerationId(randomUUID());
    const event = { generationId, conversation: session(userId), modelId: 'higgsfield-ai/soul/v2/standard' };
    const option = {
      kind: 'text-to-image' as const,
      modelId: event.modelId,
      prompt,
      params: {},
      label: prompt,
      reason: 'seeded',
    };
    const atMs = start + i * 60_000;
    await history.recordProgress({ ...event, state: 'queued', option, atMs });
    const providerUrl = `https://cdn.higgsfield.test/${generationId}.png`;
    const asset = await media.put(`2025/01/01/${generationId}-0.png`, Readable.from([Buffer.from('png')]), {
      contentType: 'image/png',
      maxBytes: 100,
      providerUrl,
    });
    await history.recordProgress({ ...event, state: 'done', assets: [asset], atMs: atMs + 5_000 });
    ids.push(generationId);
  }
  return ids.reverse();
}

describe('the terminal chat’s history', () => {
  it('lists a result of an earlier chat, shows it again after Redis forgot it, re-rolls it, and forgets it all', async () => {
    const first = typedChat(session('cli-ada'));
    first.say('a lighthouse on a cliff, as a picture');
    await first.until(/Type 1-\d to generate/);
    first.say('1');
    await first.until(/#1 ✔ (.+)/);
    const label = /#1 ✔ (.+)/.exec(first.text)![1]!;
    await first.end();
    const made = (await history.list({ platform: 'terminal', userId: 'cli-ada', limit: 1 })).items[0]!;
    await until(async () => (await history.get(made.generationId))?.state === 'done');
    // Redis forgets it: its records, jobs and option set.
    const keys: string[] = [];
    for await (const found of redis.scanStream({ match: `${prefix}:*`, count: 1_000 }))
      keys.push(...(found as string[]));
    await redis.del(...keys.filter((k) => k.includes(made.generationId) || k.includes(':options:')));
    expect(await h.pipeline.service.lookup(made.generationId)).toBeUndefined();

    const chat = typedChat(session('cli-ada'));
    chat.say('history');
    await chat.until(/Your generations, newest first:/);
    await chat.until(/Type show N to post one again\./);
    expect(chat.text).toContain(`  1) ${label} — done, just now  id ${shortId(made.generationId)}`);

    chat.say('show 1');
    await chat.until(/#1 ✔/);
    expect(chat.text).toMatch(
      new RegExp(
        `#1 ✔ .+\\n {3}saved: .*${made.generationId}.*\\(image/png, .+\\)\\n {3}url: {3}\\S+\\n {3}r 1 re-roll · a 1 animate`,
      ),
    );

    chat.say('r 1');
    await chat.until(/#2 Re-roll: .+: queued/);
    await chat.until(/#2 ✔/);

    chat.say('history');
    await chat.until(/2\) .+ — done/);
    const listing = chat.text.slice(chat.text.lastIndexOf('Your generations, newest first:'));
    expect(listing).toMatch(/1\) Re-roll: .+ — done, just now {2}id [0-9a-f]{8}/);
    chat.say('more');
    await chat.until(/That was the last page of your history\./);
    chat.say('show 7');
    await chat.until(/There is no 7 in your history list \(it runs from 1 to 2\)\./);

    chat.say('forget');
    await chat.until(/It cannot be undone\.\nType "forget yes" to confirm, or anything else to keep it\./);
    chat.say('jobs');
    await chat.until(/no generations in progress|#\d/i);
    let mark = chat.text.length;
    chat.say('forget yes');
    await chat.until(/Type "forget yes" to confirm/);
    expect(chat.since(mark)).not.toMatch(/deleted/);

    chat.say('forget yes');
    await chat.until(/Done: I deleted 2 generations, \d+ turns and 2 media files from your history\./);
    mark = chat.text.length;
    chat.say('history');
    await chat.until(/You have no generations here yet\./);
    chat.say('show 1');
    await chat.until(/Your history list is empty\./);
    expect(chat.since(mark)).not.toMatch(/✔/);
    await chat.end();
  }, 40_000);

  it('pages ten at a time with numbers that go on, searches words, and shows line N of a later page', async () => {
    const ids = await seedHistory(
      'cli-bo',
      Array.from({ length: 12 }, (_, i) => `lantern festival ${i + 1}`),
    );
    await seedHistory('cli-bo', ['a quiet harbour']);
    const chat = typedChat(session('cli-bo'));
    chat.say('history lantern');
    await chat.until(/Type show N to post one again, more for older ones\./);
    expect(chat.text).toMatch(
      /Your generations with "lantern", newest first:\n {2}1\) lantern festival 12 — done, 2 h ago {2}id [0-9a-f]{8}\n/,
    );
    expect(chat.text).toContain('10) lantern festival 3 — done');
    expect(chat.text).not.toContain('harbour');

    chat.say('history more');
    await chat.until(
      /Older generations:\n {2}11\) lantern festival 2 — done, .+\n {2}12\) lantern festival 1 — done, .+\nType show N to post one again\./,
    );
    chat.say('show 12');
    await chat.until(/#1 ✔ lantern festival 1\n/);
    expect(chat.text).toContain(ids[11]!);
    chat.say(`show ${shortId(ids[0]!)}`);
    await chat.until(/#2 ✔ lantern festival 12\n/);
    chat.say('show 12');
    await chat.until(/(#1 ✔ lantern festival 1\n[\s\S]*){2}/);

    chat.say('history zebra crossing');
    await chat.until(/None of your generations has "zebra crossing" in its prompt\./);
    chat.say('show 0badf00d');
    await chat.until(/I found no generation 0badf00d\./);
    await chat.end();
  });

  it('says history is unavailable while its database is down, and the chat goes on', async () => {
    const chat = typedChat(session('cli-cy'));
    history.fail(outage());
    try {
      chat.say('history');
      await chat.until(/History is unavailable right now; your generations are not affected\. Try again in a moment\./);
      chat.say('show 1a2b3c4d');
      await chat.until(/(History is unavailable right now[\s\S]*){2}/);
    } finally {
      history.recover();
    }
    chat.say('help');
    await chat.until(/history \[words\] +your past generations/);
    expect(chat.text).toMatch(/ more +the next page of your history/);
    expect(chat.text).toMatch(/ show N +post result N of your history again/);
    expect(chat.text).toMatch(/ forget +delete your history/);
    await chat.end();
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

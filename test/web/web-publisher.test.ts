/**
 * The web publisher: the publisher contract every platform keeps, read back from the chat's event stream
 * (one "message" per generation: its newest event, its actions as the buttons they stand for), and the
 * events a browser gets for each thing a generation does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeButton } from '../../src/adapters/shared/button-ids.js';
import { createRedisWebEventLog } from '../../src/adapters/web/redis-web-event-log.js';
import type { StoredWebEvent, WebEventLog } from '../../src/adapters/web/web-events.js';
import { createWebPublisher } from '../../src/adapters/web/web-publisher.js';
import type { MediaStore, Publisher } from '../../src/core/ports.js';
import type { ConversationRef, GenerationOption, MediaAsset, ProgressEvent } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { newGenerationId } from '../../src/queue/jobs.js';
import { describePublisherContract, type PlatformSide, type SeenMessage } from '../adapters/publisher-contract.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';

const prefix = testPrefix('web-publisher');
afterAll(async () => {
  await deleteKeys(redisUrl(), prefix);
});

function eventLog(redis: Redis): WebEventLog {
  return createRedisWebEventLog({
    redis,
    reader: () => new Redis(redisUrl(), { maxRetriesPerRequest: null }),
    prefix,
    logger: silentLogger(),
  });
}

/** A chat's events as a person sees them: one card per generation, showing its newest event. */
function cards(events: readonly StoredWebEvent[]): SeenMessage[] {
  const newest = new Map<string, StoredWebEvent>();
  for (const stored of events) newest.set(stored.event.generation_id, stored);
  return [...newest.values()].map(({ event }) => ({
    id: event.generation_id,
    text: [event.text, ...(event.media ?? []).map((m) => m.url)].join('\n'),
    files: (event.media ?? []).map((m) => new URL(m.url).pathname.split('/').pop() ?? m.url),
    buttons: event.actions.map((kind) => encodeButton({ kind, generationId: event.generation_id })),
  }));
}

function webConversation(chatId = randomUUID()): ConversationRef {
  return { platform: 'web', workspaceId: 'web', channelId: chatId, threadId: chatId, userId: 'alice' };
}

async function webSide(_store: MediaStore): Promise<PlatformSide> {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const logs: WebEventLog[] = [eventLog(redis)];
  // `thread` is synchronous: the chat's events are read after each publisher call.
  const seen = new Map<string, StoredWebEvent[]>();
  const refresh = async (chatId: string) => {
    seen.set(chatId, await logs[0]!.since(chatId, undefined, 1_000));
  };
  const watched = (publisher: Publisher): Publisher => {
    const after = async <T>(conversation: ConversationRef, work: Promise<T>) => {
      try {
        return await work;
      } finally {
        await refresh(conversation.channelId);
      }
    };
    return {
      platform: publisher.platform,
      postResult: (result, id, ledger) => after(result.conversation, publisher.postResult(result, id, ledger)),
      postFailure: (failure, id, ledger) => after(failure.conversation, publisher.postFailure(failure, id, ledger)),
      showStatus: (event, message) => after(event.conversation, publisher.showStatus!(event, message)),
    };
  };
  const publisherOf = () => {
    // Another process: its own event log on its own connections, nothing remembered from the first.
    const log = eventLog(redis);
    logs.push(log);
    return watched(createWebPublisher({ events: log }));
  };
  return {
    publisher: watched(createWebPublisher({ events: logs[0]! })),
    restart: publisherOf,
    conversation: async () => webConversation(),
    thread: (conversation) => cards(seen.get(conversation.channelId) ?? []),
    close: async () => {
      for (const log of logs) await log.close();
      redis.disconnect();
    },
  };
}

describePublisherContract('web', webSide, {
  buttons: true,
  statusMessages: true,
  refusals: false,
  mentions: false,
});

describe('the events a chat gets', () => {
  let redis: Redis;
  let events: WebEventLog;
  let publisher: Publisher;
  let dir: string;

  beforeAll(async () => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    events = eventLog(redis);
    dir = await mkdtemp(join(tmpdir(), 'higgsbot-web-publisher-'));
    publisher = createWebPublisher({ events });
  });
  afterAll(async () => {
    await events.close();
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  const option: GenerationOption = {
    kind: 'text-to-image',
    modelId: 'nano-banana',
    prompt: 'A red fox in the snow',
    params: {},
    label: 'Fox <b>in</b> snow',
    reason: 'r',
  };
  const image: MediaAsset = {
    key: '2026/11/21/x-0.png',
    contentType: 'image/png',
    sizeBytes: 1234,
    url: 'https://media.example/2026/11/21/x-0.png',
    providerUrl: 'https://cdn.example/x-0.png',
    width: 1024,
    height: 768,
  };
  const video: MediaAsset = { ...image, key: 'v.mp4', contentType: 'video/mp4', url: 'https://media.example/v.mp4' };

  function progress(
    conversation: ConversationRef,
    generationId: string,
    state: ProgressEvent['state'],
    extra: Partial<ProgressEvent> = {},
  ): ProgressEvent {
    return {
      generationId,
      conversation,
      state,
      modelId: 'nano-banana',
      label: option.label,
      atMs: Date.now(),
      ...extra,
    };
  }

  it('shows where a generation is: queued with its place and wait, then each state, all under one reference', async () => {
    const conversation = webConversation();
    const generationId = newGenerationId(randomUUID());
    const ref = await publisher.showStatus!(
      progress(conversation, generationId, 'queued', { position: 3, estimatedWaitMs: 42_000 }),
      undefined,
    );
    expect(ref).toEqual({ channelId: conversation.channelId, messageId: generationId });
    for (const state of ['submitted', 'rendering', 'delivering'] as const) {
      expect(await publisher.showStatus!(progress(conversation, generationId, state), ref)).toEqual(ref);
    }
    const kept = await events.since(conversation.channelId, undefined, 10);
    expect(kept.map((s) => s.event.type)).toEqual(['queued', 'submitted', 'rendering', 'delivering']);
    expect(kept[0]?.event).toMatchObject({
      generation_id: generationId,
      chat_id: conversation.channelId,
      label: 'Fox <b>in</b> snow',
      model: 'nano-banana',
      position: 3,
      estimated_wait_s: 42,
      text: '⏳ Fox <b>in</b> snow: queued (position 3, about 42 s)',
      actions: ['cancel'],
    });
    expect(kept.map((s) => s.event.actions)).toEqual([['cancel'], ['cancel'], [], []]);
  });

  it('delivers a result as done with its media, once, and Animate only for an image', async () => {
    const conversation = webConversation();
    const generationId = newGenerationId(randomUUID());
    const result = { generationId, option, conversation, assets: [image], durationMs: 6_400 };
    await publisher.postResult(result, generationId);
    await publisher.postResult(result, generationId);
    const [done, ...more] = await events.since(conversation.channelId, undefined, 10);
    expect(more).toEqual([]);
    expect(done?.event).toMatchObject({
      type: 'done',
      text: '✅ Fox <b>in</b> snow: done in 6 s',
      actions: ['reroll', 'animate'],
      media: [{ url: image.url, content_type: 'image/png', width: 1024, height: 768 }],
    });

    const clip = newGenerationId(randomUUID());
    await publisher.postResult({ ...result, generationId: clip, assets: [{ ...video, durationS: 5 }] }, clip);
    const [clipDone] = await events.since(conversation.channelId, done?.id, 10);
    expect(clipDone?.event).toMatchObject({
      actions: ['reroll'],
      media: [{ url: video.url, content_type: 'video/mp4', duration_s: 5 }],
    });
  });

  it('shows no late status after the result, and not the status relay’s done again', async () => {
    const conversation = webConversation();
    const generationId = newGenerationId(randomUUID());
    await publisher.postResult(
      { generationId, option, conversation, assets: [image], durationMs: 1_000 },
      generationId,
    );
    await publisher.showStatus!(progress(conversation, generationId, 'delivering'), undefined);
    await publisher.showStatus!(progress(conversation, generationId, 'done', { assets: [image] }), undefined);
    expect((await events.since(conversation.channelId, undefined, 10)).map((s) => s.event.type)).toEqual(['done']);
  });

  it('tells a failure with its words, and a cancel as canceled, each once with the relay’s end event', async () => {
    const conversation = webConversation();
    const failed = newGenerationId(randomUUID());
    const canceled = newGenerationId(randomUUID());
    await publisher.postFailure(
      { generationId: failed, option, conversation, reason: 'nsfw', message: 'Higgsfield refused this one.' },
      `${failed}-end`,
    );
    await publisher.showStatus!(
      progress(conversation, failed, 'failed', { reason: 'nsfw', message: 'Higgsfield refused this one.' }),
      undefined,
    );
    await publisher.postFailure(
      { generationId: canceled, option, conversation, reason: 'canceled', message: 'Canceled.' },
      `${canceled}-end`,
    );
    const kept = await events.since(conversation.channelId, undefined, 10);
    expect(kept.map((s) => [s.event.generation_id, s.event.type])).toEqual([
      [failed, 'failed'],
      [canceled, 'canceled'],
    ]);
    expect(kept[0]?.event).toMatchObject({
      text: '⚠️ Fox <b>in</b> snow: Higgsfield refused this one.',
      message: 'Higgsfield refused this one.',
      reason: 'nsfw',
      actions: ['reroll'],
    });
    expect(kept[1]?.event).toMatchObject({ reason: 'canceled', actions: ['reroll'] });
  });

  it('shows a generation canceled before it started (no failure is delivered for it) from its status alone', async () => {
    const conversation = webConversation();
    const generationId = newGenerationId(randomUUID());
    await publisher.showStatus!(progress(conversation, generationId, 'queued', { position: 1 }), undefined);
    await publisher.showStatus!(
      progress(conversation, generationId, 'canceled', { reason: 'canceled', message: 'Canceled.' }),
      undefined,
    );
    const kept = await events.since(conversation.channelId, undefined, 10);
    expect(kept.map((s) => s.event.type)).toEqual(['queued', 'canceled']);
    expect(kept[1]?.event).toMatchObject({ text: '🚫 Fox <b>in</b> snow: canceled', actions: ['reroll'] });
  });
});

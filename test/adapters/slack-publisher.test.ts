/**
 * The Slack publisher on its own, with the real Web API client against the local Slack double: what a
 * retried delivery does after a partial failure (no second upload), after a worker died mid-call (it looks in
 * the thread before sending again), when a file goes as a link instead of an upload, and where a DM result lands;
 * and the status message: posted into the thread as the button handler used to post it, then edited in place.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackClientOptions } from '../../src/adapters/slack/slack-client.js';
import { createSlackPublisher } from '../../src/adapters/slack/slack-publisher.js';
import { statusMessage } from '../../src/adapters/slack/slack-render.js';
import type { DeliveryLedger, DeliveryStepState, Publisher } from '../../src/core/ports.js';
import type { ConversationRef, GenerationResult, MediaAsset, ProgressEvent } from '../../src/core/types.js';
import { renderPng } from '../../src/higgsfield/simulator/index.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore, type LocalMediaStore } from '../../src/media/local-media-store.js';
import { type SlackApiDouble, startSlackApiDouble } from '../doubles/slack/slack-api-double.js';

let double: SlackApiDouble;
let dir: string;
let store: LocalMediaStore;
let publisher: Publisher;
let asset: MediaAsset;

beforeAll(async () => {
  double = await startSlackApiDouble();
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-slack-pub-'));
  store = createLocalMediaStore({ dir });
  asset = await store.put('2026/11/22/gen-1-0.png', Readable.from([renderPng('x', 32)]), {
    contentType: 'image/png',
    maxBytes: 1024 * 1024,
    providerUrl: 'https://cdn.example/gen-1-0.png',
  });
  const client = new WebClient(double.botToken, slackClientOptions(double.apiUrl));
  publisher = createSlackPublisher({ client, store, logger: silentLogger() });
});

afterAll(async () => {
  await double.close();
  await rm(dir, { recursive: true, force: true });
});

function memoryLedger(): DeliveryLedger & { steps: Map<string, DeliveryStepState> } {
  const steps = new Map<string, DeliveryStepState>();
  return {
    steps,
    state: async (step) => steps.get(step),
    begin: async (step) => void (steps.has(step) ? undefined : steps.set(step, 'begun')),
    done: async (step) => void steps.set(step, 'done'),
  };
}

function resultIn(conversation: Partial<ConversationRef>, generationId: string): GenerationResult {
  return {
    generationId,
    option: {
      kind: 'text-to-image',
      modelId: 'nano-banana',
      prompt: 'A red fox',
      params: {},
      label: 'Fox',
      reason: 'r',
    },
    conversation: {
      platform: 'slack',
      workspaceId: double.teamId,
      channelId: 'C0PUB',
      threadId: '1700000000.000100',
      userId: 'U0ALICE',
      ...conversation,
    },
    assets: [asset],
    durationMs: 4_000,
  };
}

const resultPosts = (generationId: string) =>
  double.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(`r:${generationId}`));

describe('the Slack publisher', () => {
  it('uploads into the thread with alt text, then posts Re-roll and Animate', async () => {
    const ledger = memoryLedger();
    await publisher.postResult(resultIn({}, 'gen-a'), 'gen-a', ledger);
    const file = double.files.at(-1)!;
    expect(file).toMatchObject({ channel: 'C0PUB', threadTs: '1700000000.000100', altText: 'A red fox' });
    const post = resultPosts('gen-a')[0]!;
    expect(post.args.thread_ts).toBe('1700000000.000100');
    expect(JSON.stringify(post.args.blocks)).toContain('a:gen-a');
    expect([...ledger.steps]).toEqual([
      ['slack-upload-0', 'done'],
      ['slack-message', 'done'],
    ]);
  });

  it('does not upload again when a retry follows a failed follow-up message', async () => {
    const ledger = memoryLedger();
    const filesBefore = double.files.length;
    double.failNext('chat.postMessage', { error: 'internal_error' });
    await expect(publisher.postResult(resultIn({}, 'gen-b'), 'gen-b', ledger)).rejects.toBeDefined();
    expect(double.files.length).toBe(filesBefore + 1);
    await publisher.postResult(resultIn({}, 'gen-b'), 'gen-b', ledger);
    expect(double.files.length).toBe(filesBefore + 1);
    expect(resultPosts('gen-b')).toHaveLength(2); // the refused one and the retry
    expect(double.calls.filter((c) => c.method === 'files.completeUploadExternal')).toHaveLength(filesBefore + 1);
  });

  it('does not upload again when the worker died after Slack took the upload but before it was marked done', async () => {
    const ledger = memoryLedger();
    await publisher.postResult(resultIn({}, 'gen-f'), 'gen-f', ledger);
    const filesBefore = double.files.length;
    // What a kill -9 between completeUploadExternal and the ledger write leaves: both parts only begun.
    ledger.steps.set('slack-upload-0', 'begun');
    ledger.steps.set('slack-message', 'begun');
    await publisher.postResult(resultIn({}, 'gen-f'), 'gen-f', ledger);
    expect(double.files.length).toBe(filesBefore);
    expect(resultPosts('gen-f')).toHaveLength(1);
    expect(ledger.steps.get('slack-upload-0')).toBe('done');
    expect(ledger.steps.get('slack-message')).toBe('done');
  });

  it('uploads and posts once when an earlier attempt began but never reached Slack', async () => {
    const ledger = memoryLedger();
    ledger.steps.set('slack-upload-0', 'begun');
    ledger.steps.set('slack-message', 'begun');
    const filesBefore = double.files.length;
    await publisher.postResult(resultIn({ threadId: '1700000000.000200' }, 'gen-g'), 'gen-g', ledger);
    expect(double.files.length).toBe(filesBefore + 1);
    expect(resultPosts('gen-g')).toHaveLength(1);
  });

  it('looks in a DM without threads too before posting a begun delivery again', async () => {
    const ledger = memoryLedger();
    const dm = resultIn({ channelId: 'D0CAROL', threadId: 'D0CAROL' }, 'gen-h');
    await publisher.postResult(dm, 'gen-h', ledger);
    const filesBefore = double.files.length;
    ledger.steps.set('slack-upload-0', 'begun');
    ledger.steps.set('slack-message', 'begun');
    await publisher.postResult(dm, 'gen-h', ledger);
    expect(double.files.length).toBe(filesBefore);
    expect(resultPosts('gen-h')).toHaveLength(1);
  });

  it('posts a failure message once when a retry finds it already in the thread', async () => {
    const ledger = memoryLedger();
    const failure = { ...resultIn({}, 'gen-i'), reason: 'failed' as const, message: 'It failed.' };
    await publisher.postFailure(failure, 'gen-i-end', ledger);
    ledger.steps.set('slack-message', 'begun');
    await publisher.postFailure(failure, 'gen-i-end', ledger);
    expect(resultPosts('gen-i')).toHaveLength(1);
  });

  it('sends a file over its upload limit as a link, without trying to upload it', async () => {
    const client = new WebClient(double.botToken, slackClientOptions(double.apiUrl));
    const small = createSlackPublisher({ client, store, logger: silentLogger(), uploadLimitBytes: 16 });
    const uploadsBefore = double.calls.filter((c) => c.method === 'files.getUploadURLExternal').length;
    await small.postResult(resultIn({}, 'gen-c'), 'gen-c', memoryLedger());
    expect(double.calls.filter((c) => c.method === 'files.getUploadURLExternal')).toHaveLength(uploadsBefore);
    const blocks = JSON.stringify(resultPosts('gen-c')[0]?.args.blocks);
    expect(blocks).toContain('<https://cdn.example/gen-1-0.png|Open the image>');
    expect(blocks).toContain('too large to upload here');
  });

  it('posts a DM result in the DM itself, with no thread', async () => {
    await publisher.postResult(resultIn({ channelId: 'D0ALICE', threadId: 'D0ALICE' }, 'gen-d'), 'gen-d');
    expect(double.files.at(-1)).toMatchObject({ channel: 'D0ALICE' });
    expect(double.files.at(-1)?.threadTs).toBeUndefined();
    expect(resultPosts('gen-d')[0]?.args.thread_ts).toBeUndefined();
  });

  it('turns "not in channel" into a clear, final error, and lets other failures be retried', async () => {
    double.failNext('chat.postMessage', { error: 'not_in_channel' });
    const failure = { ...resultIn({}, 'gen-e'), reason: 'failed' as const, message: 'It failed.' };
    await expect(publisher.postFailure(failure, 'gen-e-end')).rejects.toMatchObject({
      code: 'PLATFORM_FORBIDDEN',
      retryable: false,
    });
    double.failNext('chat.postMessage', { error: 'internal_error' });
    const error = await publisher.postFailure(failure, 'gen-e-end').catch((e: unknown) => e);
    expect(error).not.toHaveProperty('retryable', false);
  });

  const GEN = 'gen-6f1c2b9e-8d4a-4c1e-9b2f-3a5d7e9c1b2a';
  const event = (conversation: ConversationRef, state: ProgressEvent['state'], label = 'Fox'): ProgressEvent => ({
    generationId: GEN,
    conversation,
    state,
    modelId: 'nano-banana',
    label,
    atMs: Date.now(),
    ...(state === 'queued' ? { position: 3, estimatedWaitMs: 45_000 } : {}),
  });

  it('posts the status message into the thread exactly as the button handler did, then edits that message', async () => {
    const conversation = resultIn({ threadId: '1700000000.000300' }, GEN).conversation;
    const label = 'Fox <!channel> & friends';
    const ref = await publisher.showStatus!(event(conversation, 'queued', label), undefined);
    const post = double.calls.filter((c) => c.method === 'chat.postMessage').at(-1)!;
    const look = statusMessage(label, GEN, { state: 'queued', position: 3, estimatedWaitMs: 45_000 });
    expect(post.args).toMatchObject({ channel: 'C0PUB', thread_ts: '1700000000.000300', blocks: look.blocks });
    // The notification text is escaped like the blocks: `<!channel>` shows as typed and notifies no one.
    expect(post.args.text).toBe(look.text);
    expect(post.args.text).toContain('&lt;!channel&gt; &amp; friends');
    expect(ref).toEqual({ channelId: 'C0PUB', messageId: double.messages('C0PUB', '1700000000.000300').at(-1)?.ts });

    expect(await publisher.showStatus!(event(conversation, 'rendering', label), ref)).toEqual(ref);
    const update = double.calls.filter((c) => c.method === 'chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0PUB', ts: ref.messageId });
    expect(JSON.stringify(update.args.blocks)).toContain('rendering');
    expect(JSON.stringify(update.args.blocks)).not.toContain(`x:${GEN}`);
  });

  it('posts a DM status message in the DM itself, with no thread', async () => {
    const conversation = resultIn({ channelId: 'D0ALICE', threadId: 'D0ALICE' }, GEN).conversation;
    const ref = await publisher.showStatus!(event(conversation, 'queued'), undefined);
    const post = double.calls.filter((c) => c.method === 'chat.postMessage').at(-1)!;
    expect(post.args.thread_ts).toBeUndefined();
    expect(ref.channelId).toBe('D0ALICE');
  });
});

/**
 * The Discord adapter end to end: the real discord.js client against the local Discord double, the real
 * pipeline on Redis, the Higgsfield simulator and the Anthropic fake. What a Discord user sees is asserted on
 * what the double recorded: acknowledgements, messages, threads, attachments and their sizes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALREADY_QUEUED_TEXT } from '../../src/adapters/shared/message-text.js';
import { PROPOSE_OPTIONS } from '../../src/agent/agent-tools.js';
import type { App } from '../../src/app/container.js';
import { type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { type AnthropicFake, startAnthropicFake, toolUse } from '../doubles/anthropic/anthropic-fake.js';
import {
  DEFAULT_BOT_PERMISSIONS,
  type DiscordDouble,
  Perm,
  startDiscordDouble,
} from '../doubles/discord/discord-double.js';
import type { InteractionResponseRecord, StoredMessage } from '../doubles/discord/types.js';
import type { SentInteraction } from '../doubles/discord/user-actions.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';
import { expectRecorded, startPlatformApp } from './support/platform-app.js';
import { animateReply, failingReply, servePng } from './support/scripted-proposals.js';

const prefix = testPrefix('discord');
const VIDEO_BYTES = 64 * 1024;
let double: DiscordDouble;
let sim: Simulator;
let fake: AnthropicFake;
let app: App;
let mediaDir: string;
let alice: string;
let bob: string;
let admin: string;

const proposal = {
  text: 'Two ways to show it:',
  options: [
    {
      model: 'higgsfield-ai/soul/v2/standard',
      prompt: 'Snowy peaks at sunset, warm rim light',
      label: 'Soul · Golden Hour still',
      reason: 'A warm photoreal still.',
      style: 'Golden Hour',
    },
    {
      model: 'bytedance/seedance/v1/lite/text-to-video',
      prompt: 'Slow aerial push over ridges at sunset',
      label: 'Seedance · aerial clip',
      reason: 'Smooth motion over the range.',
      params: { duration: 5 },
    },
  ],
};

function startApp(): Promise<App> {
  return startPlatformApp({
    prefix,
    simulatorUrl: sim.url,
    anthropicUrl: fake.url,
    mediaDir,
    platformEnv: {
      DISCORD_TOKEN: double.token,
      DISCORD_APPLICATION_ID: double.applicationId,
      DISCORD_API_URL: double.apiUrl,
    },
  });
}

beforeAll(async () => {
  double = await startDiscordDouble({
    members: [
      { username: 'alice' },
      { username: 'bob' },
      { username: 'admin', permissions: PermissionFlagsBits.ManageGuild },
    ],
    // The worst case for injected mentions: a server that lets the bot ping @everyone, and a mentionable role.
    botPermissions: DEFAULT_BOT_PERMISSIONS | Perm.MentionEveryone,
    roles: [{ name: 'artists', mentionable: true }],
    attachmentSizeLimit: 32 * 1024,
  });
  const byName = (name: string) => double.guild.members.find((m) => m.username === name)!.id;
  [alice, bob, admin] = [byName('alice'), byName('bob'), byName('admin')];
  sim = await startSimulator({ queuedMs: 30, inProgressMs: 150, videoSizeBytes: VIDEO_BYTES });
  fake = await startAnthropicFake();
  fake.setDefault(toolUse(PROPOSE_OPTIONS, proposal));
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-discord-'));
  app = await startApp();
}, 30_000);

afterAll(async () => {
  for (const closer of app.closers) await closer.close();
  await double.close();
  await sim.close();
  await fake.close();
  await deleteKeys(redisUrl(), prefix);
  await rm(mediaDir, { recursive: true, force: true });
});

/** Every kind of mention a prompt can smuggle in: everyone, here, a mentionable role, another member. */
const injection = (roleId: string) => `@everyone <@&${roleId}> hi @here <@${bob}>`;

const optionsMessage = (channelId: string) =>
  double.messages(channelId).find((m) => JSON.stringify(m.components).includes('"o:'));
const customIds = (message: StoredMessage): string[] =>
  (JSON.stringify(message.components).match(/"custom_id":"([^"]+)"/g) ?? []).map((s) => s.slice(13, -1));

async function imagine(userId: string, prompt: string) {
  const sent = await double.sendSlashCommand({
    name: 'imagine',
    userId,
    options: [{ name: 'prompt', type: 3, value: prompt }],
  });
  await double.waitFor(
    () => double.threads.some((t) => double.message(t.id)?.interactionId === sent.interactionId),
    10_000,
  );
  const thread = double.threads.find((t) => double.message(t.id)?.interactionId === sent.interactionId)!;
  await double.waitFor(
    () =>
      optionsMessage(double.guild.textChannelId)?.id === thread.id ||
      Boolean(optionsMessage(double.guild.textChannelId)),
    10_000,
  );
  await double.waitFor(() => customIds(double.message(thread.id)!).length > 0, 10_000);
  return { sent, thread, starter: double.message(thread.id)! };
}

describe('the Discord adapter', () => {
  it('/imagine: deferred within 3 s, options with buttons, a click, status edits, the image attached in the thread', async () => {
    const { sent, thread, starter } = await imagine(alice, 'cinematic sunset over mountains');
    const [first] = double.interactionResponses(sent.interactionId);
    expect(first?.type).toBe(5);
    expect(first!.atMs - sent.sentAtMs).toBeLessThan(3_000);
    expect(starter.embeds).toHaveLength(1);
    const ids = customIds(starter);
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => id.length <= 100 && /^o:[0-9A-Za-z]{10}:\d$/.test(id))).toBe(true);

    const click = await double.clickButton({
      customId: ids[0]!,
      messageId: starter.id,
      channelId: starter.channelId,
      userId: alice,
    });
    await double.waitFor(() => double.interactionResponses(click.interactionId).length > 0, 3_000);
    const ack = double.interactionResponses(click.interactionId)[0]!;
    // A deferred update: acknowledged, and nothing shown until there is something to say (privately).
    expect(ack.type).toBe(6);
    expect(ack.atMs - click.sentAtMs).toBeLessThan(3_000);
    await double.waitFor(
      () => double.messages(thread.id).some((m) => m.attachments.some((a) => a.filename.endsWith('.png'))),
      15_000,
    );
    const result = double.messages(thread.id).find((m) => m.attachments.length > 0)!;
    expect(result.content).toContain('Soul · Golden Hour still');
    expect(result.nonce).toEqual(expect.any(String));
    expect(customIds(result)).toEqual([expect.stringMatching(/^r:gen-/), expect.stringMatching(/^a:gen-/)]);
    const status = double.messages(thread.id).find((m) => m.content.includes('Soul · Golden Hour still:'))!;
    // Posted while queued with a Cancel button, then edited as the generation moved: the publisher's, from the
    // progress events (the press itself only answers privately: discord-platform.test.ts).
    const cancelShown = double.calls.some(
      (c) => c.path === `/channels/${thread.id}/messages` && JSON.stringify(c.body).includes('"custom_id":"x:gen-'),
    );
    expect(cancelShown).toBe(true);
    await double.waitFor(() => double.message(status.id)!.content.includes('done'), 10_000);
    expect(double.message(status.id)!.editedAtMs).not.toBeNull();

    // Recorded in the embedded history (PGlite) of this one-process app: the recipe, every state, the image.
    const generationId = customIds(result)[0]!.slice(2);
    await expectRecorded(app, generationId, { platform: 'discord', userId: alice });
  }, 40_000);

  it('posts a video over the upload limit as a link', async () => {
    const { thread, starter } = await imagine(alice, 'waves at night');
    const ids = customIds(starter);
    await double.clickButton({ customId: ids[1]!, messageId: starter.id, channelId: starter.channelId, userId: alice });
    await double.waitFor(() => double.messages(thread.id).some((m) => m.content.includes('Watch the video')), 15_000);
    const result = double.messages(thread.id).find((m) => m.content.includes('Watch the video'))!;
    expect(result.attachments).toHaveLength(0);
    expect(result.content).toMatch(/too large to attach here/);
  }, 40_000);

  it('refuses a click by someone else with a private note, and lets a Manage Server member press it', async () => {
    const { thread, starter } = await imagine(alice, 'a paper boat');
    const ids = customIds(starter);
    const before = double.messages(thread.id).length;
    const click = await double.clickButton({
      customId: ids[0]!,
      messageId: starter.id,
      channelId: starter.channelId,
      userId: bob,
    });
    await double.waitFor(
      () => JSON.stringify(double.interactionResponses(click.interactionId)).includes('Only the person who asked'),
      5_000,
    );
    const note = double.interactionResponses(click.interactionId).find((r) => r.kind === 'followup');
    expect(note?.data).toMatchObject({ flags: 64, content: expect.stringContaining('Only the person who asked') });
    expect(double.messages(thread.id)).toHaveLength(before);
    const adminClick = await double.clickButton({
      customId: ids[0]!,
      messageId: starter.id,
      channelId: starter.channelId,
      userId: admin,
    });
    await double.waitFor(
      () => JSON.stringify(double.interactionResponses(adminClick.interactionId)).includes('Queued'),
      5_000,
    );
  }, 30_000);

  it('keeps buttons working after the bot restarts', async () => {
    const { thread, starter } = await imagine(alice, 'a koi pond');
    for (const closer of app.closers) await closer.close();
    app = await startApp();
    const ids = customIds(starter);
    await double.clickButton({ customId: ids[0]!, messageId: starter.id, channelId: starter.channelId, userId: alice });
    await double.waitFor(() => double.messages(thread.id).some((m) => m.attachments.length > 0), 15_000);
  }, 40_000);

  it('continues the conversation when mentioned in the thread', async () => {
    const { thread } = await imagine(alice, 'a lighthouse');
    const requests = fake.requests.length;
    await double.sendMessage({
      channelId: thread.id,
      authorId: alice,
      content: `<@${double.botUser.id}> option 2 but vertical`,
      mentionsBot: true,
    });
    await double.waitFor(
      () => double.messages(thread.id).filter((m) => customIds(m).some((id) => id.startsWith('o:'))).length >= 1,
      10_000,
    );
    const context = JSON.stringify(fake.requests[requests]?.body.messages[0]);
    expect(context).toContain('Previous request: a lighthouse');
    expect(context).toContain('option 2 but vertical');
  }, 30_000);

  it('animates an attached image: re-hosted on Higgsfield first, options that use it', async () => {
    const server = await servePng();
    const { png, port } = server;
    try {
      fake.enqueue(animateReply());
      const uploadsBefore = sim.stats().calls.filter((c) => c.path.includes('upload')).length;
      const sent = await double.sendSlashCommand({
        name: 'animate',
        userId: alice,
        attachments: [
          {
            optionName: 'image',
            url: `http://127.0.0.1:${port}/fox.png`,
            filename: 'fox.png',
            size: png.length,
            contentType: 'image/png',
          },
        ],
      });
      await double.waitFor(
        () =>
          double.threads.some(
            (t) =>
              double.message(t.id)?.interactionId === sent.interactionId && customIds(double.message(t.id)!).length > 0,
          ),
        10_000,
      );
      const starter = double.threads
        .map((t) => double.message(t.id)!)
        .find((m) => m.interactionId === sent.interactionId)!;
      expect(JSON.stringify(starter.embeds)).toContain('DoP zoom');
      expect(sim.stats().calls.filter((c) => c.path.includes('upload')).length).toBeGreaterThan(uploadsBefore);
      expect(JSON.stringify(fake.requests.at(-1)?.body.messages[0])).toContain('an image is attached');
    } finally {
      server.close();
    }
  }, 30_000);

  it('refuses an image from outside Discord with a clear message, before fetching it', async () => {
    const sent = await double.sendSlashCommand({
      name: 'animate',
      userId: alice,
      attachments: [
        {
          optionName: 'image',
          url: 'https://evil.example/x.png',
          filename: 'x.png',
          size: 100,
          contentType: 'image/png',
        },
      ],
    });
    await double.waitFor(
      () => JSON.stringify(double.interactionResponses(sent.interactionId)).includes('only accepted from'),
      10_000,
    );
  });

  it('posts a failed generation as a clear message in the thread', async () => {
    fake.enqueue(failingReply());
    const { thread, starter } = await imagine(alice, 'a robot');
    await double.clickButton({
      customId: customIds(starter)[0]!,
      messageId: starter.id,
      channelId: starter.channelId,
      userId: alice,
    });
    await double.waitFor(
      () => double.messages(thread.id).some((m) => m.content.includes('⚠️ **Nano Banana robot**')),
      15_000,
    );
  }, 30_000);

  it('answers /styles with autocomplete and a list, /jobs and /help privately', async () => {
    const auto = await double.autocomplete({
      name: 'styles',
      userId: alice,
      options: [{ name: 'query', type: 3, value: 'sunset', focused: true }],
    });
    await double.waitFor(() => (double.autocompleteChoices(auto.interactionId)?.length ?? 0) > 0, 5_000);
    expect(double.autocompleteChoices(auto.interactionId)?.[0]?.name).toBe('Golden Hour');
    for (const [name, expected] of [
      ['styles', 'Golden Hour'],
      ['jobs', 'generation'],
      ['help', '/imagine'],
    ] as const) {
      const options = name === 'styles' ? [{ name: 'query', type: 3, value: 'sunset' }] : [];
      const sent = await double.sendSlashCommand({ name, userId: alice, options });
      await double.waitFor(
        () => JSON.stringify(double.interactionResponses(sent.interactionId)).includes(expected),
        5_000,
      );
      expect(double.interactionResponses(sent.interactionId)[0]?.data).toMatchObject({ flags: 64 });
    }
  });

  it('says so, and answers in the channel, when it may not open a thread', async () => {
    double.failNext(/\/threads$/, { status: 403, code: 50013, message: 'Missing Permissions' });
    const sent = await double.sendSlashCommand({
      name: 'imagine',
      userId: alice,
      options: [{ name: 'prompt', type: 3, value: 'a windmill' }],
    });
    await double.waitFor(
      () => JSON.stringify(double.interactionResponses(sent.interactionId)).includes('Create Public Threads'),
      10_000,
    );
    const original = double.messages(double.guild.textChannelId).find((m) => m.interactionId === sent.interactionId)!;
    expect(customIds(original).length).toBeGreaterThan(0);
    expect(original.threadId).toBeNull();
  });

  it('echoes a person’s prompt cleaned, shortened and shown as typed (the asked line and the thread name)', async () => {
    const artists = double.guild.roles.find((r) => r.name === 'artists')!.id;
    const prompt = `${injection(artists)} \u0000\u001b[31m\u202Eevil ${'sunset over the sea '.repeat(90)}`.slice(
      0,
      2_000,
    );
    const { sent, thread } = await imagine(alice, prompt);
    const asked = double
      .interactionResponses(sent.interactionId)
      .map((r) => (r.data as { content?: string } | undefined)?.content ?? '')
      .find((c) => c.includes('asked:'))!;
    const shownAsTyped = `@\u200beveryone <@\u200b&${artists}> hi @\u200bhere <@\u200b${bob}> \\[31mevil sunset over`;
    expect(asked.startsWith(`<@${alice}> asked: ${shownAsTyped}`)).toBe(true);
    expect(asked.length).toBeLessThan(400);
    expect(asked.endsWith('…')).toBe(true);
    const hidden = ['\u0000', '\u001b', '\u202e'];
    expect(hidden.filter((c) => asked.includes(c) || thread.name.includes(c))).toEqual([]);
  }, 30_000);

  it('no mention injected through a prompt pings anyone: only the result pings, and only the person who asked', async () => {
    const artists = double.guild.roles.find((r) => r.name === 'artists')!.id;
    // The model repeats the injection in its text, a label, a reason and a prompt, as a steered model would.
    fake.enqueue(
      toolUse(PROPOSE_OPTIONS, {
        text: `Ideas for ${injection(artists)}:`,
        options: [
          {
            model: 'higgsfield-ai/soul/v2/standard',
            prompt: `${injection(artists)} snowy peaks`,
            label: `@everyone <@&${artists}> still`,
            reason: `For ${injection(artists)}.`,
          },
          { model: 'bytedance/seedance/v1/lite/text-to-video', prompt: 'a slow push', label: 'Clip', reason: 'r' },
        ],
      }),
    );
    const { thread, starter } = await imagine(alice, `${injection(artists)} peaks`);
    await double.clickButton({
      customId: customIds(starter)[0]!,
      messageId: starter.id,
      channelId: starter.channelId,
      userId: alice,
    });
    await double.waitFor(() => double.messages(thread.id).some((m) => m.attachments.length > 0), 15_000);
    const status = double.messages(thread.id).find((m) => m.content.includes('still:'))!;
    await double.waitFor(() => double.message(status.id)!.content.includes('done'), 10_000);
    const result = double.messages(thread.id).find((m) => m.attachments.length > 0)!;

    const ours = new Set([starter.id, ...double.messages(thread.id).map((m) => m.id)]);
    const pings = double.pings.filter((p) => p.authorId === double.botUser.id && ours.has(p.messageId));
    expect(pings.map((p) => ({ id: p.messageId, everyone: p.everyone, users: p.users, roles: p.roles }))).toEqual([
      { id: result.id, everyone: false, users: [alice], roles: [] },
    ]);
    // Every post and edit said who may be pinged, instead of leaving it to Discord's defaults.
    // (Interaction callbacks carry the message in `data`.)
    const messages = double.calls
      .filter((c) => c.method === 'POST' || c.method === 'PATCH')
      .map((c) => c.body as { data?: unknown })
      .map(
        (b) =>
          ((typeof b.data === 'object' && b.data !== null ? b.data : undefined) ?? b) as {
            content?: unknown;
            allowed_mentions?: unknown;
          },
      );
    expect(messages.filter((m) => typeof m.content === 'string' && !m.allowed_mentions)).toEqual([]);
    // And the injection reads as typed, not as mentions.
    expect(status.content).toContain('@\u200beveryone');
    expect(double.message(starter.id)!.content).toContain('@\u200beveryone');
  }, 40_000);

  it('a storm of presses on a queued option: each acknowledged, one private note, nothing else shown', async () => {
    const { thread, starter } = await imagine(alice, 'a storm of clicks');
    const press = () =>
      double.clickButton({
        customId: customIds(starter)[0]!,
        messageId: starter.id,
        channelId: starter.channelId,
        userId: alice,
      });
    const first = await press();
    await double.waitFor(
      () => JSON.stringify(double.interactionResponses(first.interactionId)).includes('Queued'),
      5_000,
    );
    const storm: SentInteraction[] = [];
    for (let i = 0; i < 12; i++) storm.push(await press());
    const responses = () => storm.map((c) => double.interactionResponses(c.interactionId));
    await double.waitFor(() => responses().every((r) => r.length > 0), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all: InteractionResponseRecord[] = responses().flat();
    // Every press acknowledged within Discord's 3 s by a deferred update, which shows nothing.
    expect(storm.every((c, i) => responses()[i]![0]!.type === 6 && responses()[i]![0]!.atMs - c.sentAtMs < 3_000)).toBe(
      true,
    );
    // One "already queued" note, private; the other presses answered nothing visible.
    const notes = all.filter((r) => r.kind !== 'callback');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.data).toMatchObject({ flags: 64, content: ALREADY_QUEUED_TEXT });
    // One status message in the thread: the storm queued nothing more.
    expect(double.messages(thread.id).filter((m) => m.content.includes('Soul · Golden Hour still:'))).toHaveLength(1);
  }, 30_000);

  it('answers a DM with options in the DM', async () => {
    const dm = await double.sendMessage({ authorId: bob, content: 'a fox in the snow', guildId: null });
    await double.waitFor(
      () => double.messages(dm.channelId).some((m) => m.author.bot && customIds(m).length > 0),
      10_000,
    );
  }, 20_000);
});

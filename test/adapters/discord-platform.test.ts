/**
 * Discord on the platform contract: what the composition root gets from `createDiscordPlatform` and what a
 * Discord user sees once it is started. The real discord.js client against the local Discord double; the
 * core use cases are a scripted assistant and style search, since the pipeline is specified elsewhere
 * (discord-bot.test.ts runs it whole).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { REST, Routes } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discordRestOptions } from '../../src/adapters/discord/discord-http.js';
import { createDiscordPlatform } from '../../src/adapters/discord/discord-platform.js';
import { registerDiscordCommands } from '../../src/adapters/discord/register-commands.js';
import { ALREADY_QUEUED_TEXT } from '../../src/adapters/shared/message-text.js';
import type { Assistant } from '../../src/core/assistant.js';
import type { PlatformAdapter, PlatformDeps, PlatformServices } from '../../src/core/platform.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { type DiscordDouble, startDiscordDouble } from '../doubles/index.js';

let double: DiscordDouble;
let mediaDir: string;
let deps: PlatformDeps;
let alice: string;
const started: PlatformAdapter[] = [];

const STYLES = [
  { id: 's1', name: 'Golden Hour', description: 'Warm low sun' },
  { id: 's2', name: 'Noir', description: 'High-contrast black and white' },
];
/** What the started platform asked the core for, in order. */
const asked: string[] = [];

/** What the next press queues: a fresh generation, a duplicate to mention, or a quiet one. */
let nextChoice: { duplicate: boolean; quiet?: boolean } = { duplicate: false };

const assistant = {
  choose: async (key: string, index: number) => {
    asked.push(`choose(${key}, ${index})`);
    return {
      kind: 'queued',
      generationId: 'gen-7',
      option: {
        kind: 'text-to-image',
        modelId: 'm',
        prompt: 'p',
        params: {},
        label: 'Soul · @here still',
        reason: 'r',
      },
      conversation: {
        platform: 'discord',
        workspaceId: double.guild.id,
        channelId: double.guild.textChannelId,
        threadId: double.guild.textChannelId,
        userId: alice,
      },
      position: 1,
      estimatedWaitMs: 20_000,
      ...nextChoice,
    };
  },
  activeJobs: async () => {
    asked.push('activeJobs');
    return [
      {
        generationId: 'gen-1',
        modelId: 'higgsfield-ai/soul/v2/standard',
        label: 'Soul · @everyone still',
        state: 'queued',
        position: 2,
      },
    ];
  },
} as unknown as Assistant;

const services: PlatformServices = {
  assistant,
  searchStyles: async (query, limit) => {
    asked.push(`searchStyles(${JSON.stringify(query)}, ${limit})`);
    return STYLES.filter((s) => s.name.toLowerCase().includes(query.toLowerCase())).slice(0, limit);
  },
  rehost: () => Promise.reject(new Error('no image is sent in this spec')),
  progress: { publish: async () => undefined, subscribe: async () => async () => undefined },
  afterAcks: async () => undefined,
  logger: silentLogger(),
};

function config(overrides: { token?: string } = {}) {
  return {
    token: overrides.token ?? double.token,
    applicationId: double.applicationId,
    apiUrl: double.apiUrl,
    guildId: double.guild.id,
  };
}

function platform(overrides: { token?: string } = {}): PlatformAdapter {
  const adapter = createDiscordPlatform(config(overrides), deps);
  started.push(adapter);
  return adapter;
}

/** Discord's message flag of a note only its addressee sees. */
const EPHEMERAL = 64;
const contentOf = (data: unknown) => (data as { content?: string } | undefined)?.content ?? '';

/** The private answer to a slash command: its ephemeral deferral, then the text it was edited to. */
async function privateAnswer(name: string, options: Array<{ name: string; type: number; value: string }> = []) {
  const sent = await double.sendSlashCommand({ name, userId: alice, options });
  await double.waitFor(() => double.interactionResponses(sent.interactionId).some((r) => contentOf(r.data)), 5_000);
  const responses = double.interactionResponses(sent.interactionId);
  return { deferral: responses[0], text: contentOf(responses.find((r) => contentOf(r.data))?.data) };
}

beforeAll(async () => {
  double = await startDiscordDouble({ members: [{ username: 'alice' }] });
  alice = double.guild.members.find((m) => m.username === 'alice')!.id;
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-discord-platform-'));
  deps = {
    store: createLocalMediaStore({ dir: mediaDir }),
    logger: silentLogger(),
    console: { output: new PassThrough() },
  };
});

afterEach(async () => {
  for (const adapter of started.splice(0)) await adapter.stop();
  asked.length = 0;
  nextChoice = { duplicate: false };
});

/** An options message in the general channel, as the bot posts one, and a press of its first button. */
async function pressOption() {
  const channelId = double.guild.textChannelId;
  const button = { type: 2, style: 1, label: '1. Soul', custom_id: 'o:xkmcDrAUms:0' };
  const rest = new REST(discordRestOptions(double.apiUrl)).setToken(double.token);
  const posted = (await rest.post(Routes.channelMessages(channelId), {
    body: { content: 'Options:', components: [{ type: 1, components: [button] }] },
  })) as { id: string };
  const before = double.messages(channelId).length;
  const click = await double.clickButton({
    customId: button.custom_id,
    messageId: posted.id,
    channelId,
    userId: alice,
  });
  await double.waitFor(
    () => asked.some((a) => a.startsWith('choose(')) && double.interactionResponses(click.interactionId).length > 0,
  );
  // Time for anything else the press would post.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    responses: double.interactionResponses(click.interactionId),
    postedSince: double
      .messages(channelId)
      .slice(before)
      .filter((m) => (m.flags & EPHEMERAL) === 0),
  };
}

afterAll(async () => {
  await double.close();
  await rm(mediaDir, { recursive: true, force: true });
});

describe('createDiscordPlatform', () => {
  it('is the discord platform: a publisher for it, no HTTP routes (interactions come on the gateway)', () => {
    const adapter = platform();
    expect(adapter.id).toBe('discord');
    expect(adapter.publisher.platform).toBe('discord');
    expect(adapter.routes).toEqual([]);
    expect(adapter.finished).toBeUndefined();
  });

  it('offers exactly the commands register-commands puts on Discord, in the same order', async () => {
    const offered = platform().commands.map((c) => c.name);
    expect(offered).toEqual(['imagine', 'video', 'animate', 'styles', 'jobs', 'history', 'show', 'forget', 'help']);
    const said: string[] = [];
    const ok = await registerDiscordCommands(config(), { dryRun: false }, { out: (t) => said.push(t), err: () => {} });
    expect(ok).toBe(true);
    expect(double.commands(double.guild.id).map((c) => c.name)).toEqual(offered);
  });

  it('connects on start and answers a slash command; stop disconnects', async () => {
    const adapter = platform();
    expect(double.gatewayStats().connected).toBe(0);
    await adapter.start(services);
    expect(double.gatewayStats().connected).toBe(1);

    const help = await privateAnswer('help');
    expect(help.deferral?.data).toMatchObject({ flags: 64 });
    // Built from the commands it offers, in Discord's markup.
    for (const name of adapter.commands.map((c) => c.name)) expect(help.text).toContain(`\`/${name}`);
    expect(help.text).toContain('`/imagine prompt [aspect]`');
    expect(help.text).toContain('**Re-roll**');

    await adapter.stop();
    expect(double.gatewayStats().connected).toBe(0);
    await expect(double.sendSlashCommand({ name: 'help', userId: alice })).rejects.toThrow(/no bot session/);
  });

  it('hands /styles to the core style search with Discord’s 25 choices, and /jobs lists labels, not model ids', async () => {
    const adapter = platform();
    await adapter.start(services);

    const styles = await privateAnswer('styles', [{ name: 'query', type: 3, value: 'noir' }]);
    expect(styles.text).toBe('Soul styles for “noir”:\n• **Noir** — High-contrast black and white');
    expect(asked).toContain('searchStyles("noir", 25)');

    const jobs = await privateAnswer('jobs');
    expect(jobs.deferral?.data).toMatchObject({ flags: 64 });
    // The model's label, shown as typed (its mention escaped), with the place in the queue.
    expect(jobs.text).toBe('Your generations in progress:\n• Soul · @\u200beveryone still: queued (position 2)');
    expect(jobs.text).not.toContain('higgsfield-ai/soul');
  });

  it('a press that queues: the private "Queued" note and nothing public posted in the channel (the status message is the publisher’s)', async () => {
    await platform().start(services);
    const { responses, postedSince } = await pressOption();
    expect(asked).toEqual(['choose(xkmcDrAUms, 0)']);
    expect(responses.map((r) => (r.kind === 'callback' ? r.type : r.kind))).toEqual([6, 'followup']);
    expect(responses[1]?.data).toMatchObject({
      flags: 64,
      content: 'Queued: Soul · @\u200bhere still. I will post it in the thread when it is ready.',
    });
    expect(postedSince).toEqual([]);
  });

  it('a duplicate press: "already queued" once, then nothing at all while it is quiet', async () => {
    await platform().start(services);
    nextChoice = { duplicate: true };
    const told = await pressOption();
    expect(told.responses[1]?.data).toMatchObject({ flags: 64, content: ALREADY_QUEUED_TEXT });
    expect(told.postedSince).toEqual([]);

    nextChoice = { duplicate: true, quiet: true };
    const quiet = await pressOption();
    expect(quiet.responses.map((r) => r.type)).toEqual([6]);
    expect(quiet.postedSince).toEqual([]);
  });

  it('answers a command it does not offer (a stale registration) privately, pointing at /help', async () => {
    const adapter = platform();
    await adapter.start(services);
    const stale = await privateAnswer('upscale');
    expect(stale.deferral?.data).toMatchObject({ flags: 64 });
    expect(stale.text).toBe('I do not offer /upscale (any more): `/help` lists the commands I answer.');
    expect(asked).toEqual([]);
  });

  it('check(): ok with the bot it logs in as, fail with the reason when the token is refused', async () => {
    expect(await platform().check()).toEqual([
      { name: 'Discord', status: 'ok', detail: `logged in as ${double.botUser.username}` },
    ]);
    const [refused] = await platform({ token: 'not-the-token' }).check();
    expect(refused).toMatchObject({
      name: 'Discord',
      status: 'fail',
      detail: expect.stringMatching(/^token not usable: /),
    });
    expect(refused?.detail).not.toContain('not-the-token');
  });
});

/**
 * Every publisher keeps the one contract (publisher-contract.ts): Discord's with its REST client against the
 * Discord double, Slack's with the real WebClient against the Slack API double, the terminal's on a stream.
 * Each setup says how its platform shows a message to a person (text, files, button ids) and whom it
 * notified, so the contract's cases read the same on all three. Below the contract, what only Discord's status
 * message promises (Slack's is in slack-publisher.test.ts): it looks as the button handler used to post it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { Routes } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createDiscordPublisher, createDiscordRest } from '../../src/adapters/discord/discord-publisher.js';
import { NO_MENTIONS, statusPayload } from '../../src/adapters/discord/discord-render.js';
import { slackClientOptions } from '../../src/adapters/slack/slack-client.js';
import { createSlackPublisher } from '../../src/adapters/slack/slack-publisher.js';
import { createTerminalPublisher } from '../../src/adapters/terminal/terminal-publisher.js';
import type { MediaStore } from '../../src/core/ports.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import {
  DEFAULT_BOT_PERMISSIONS,
  Perm,
  type StoredMessage,
  startDiscordDouble,
} from '../doubles/discord/discord-double.js';
import { type StoredMessage as SlackMessage, startSlackApiDouble } from '../doubles/slack/slack-api-double.js';
import { Capture } from '../support/capture.js';
import { describePublisherContract, type PlatformSide, type SeenMessage } from './publisher-contract.js';

const UPLOAD_LIMIT_BYTES = 64 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string[] => (typeof v === 'string' && v !== '' ? [v] : []);

// Discord: content and embeds are what a person reads; buttons sit in action rows.
function seenOnDiscord(message: StoredMessage): SeenMessage {
  const embeds = message.embeds.filter(isObj).flatMap((embed) => [
    ...text(embed.description),
    ...list(embed.fields)
      .filter(isObj)
      .flatMap((f) => [...text(f.name), ...text(f.value)]),
    ...(isObj(embed.footer) ? text(embed.footer.text) : []),
  ]);
  return {
    id: message.id,
    text: [message.content, ...embeds].join('\n'),
    files: message.attachments.map((a) => a.filename),
    buttons: message.components
      .filter(isObj)
      .flatMap((row) => list(row.components))
      .filter(isObj)
      .flatMap((button) => text(button.custom_id)),
  };
}

async function discordSide(store: MediaStore): Promise<PlatformSide> {
  const double = await startDiscordDouble({
    members: [{ username: 'alice' }, { username: 'bob' }],
    roles: [{ name: 'artists', mentionable: true }],
    channels: [{ name: 'locked' }],
    // A bot allowed to mention everyone: only what the publisher sends keeps @everyone from pinging.
    botPermissions: DEFAULT_BOT_PERMISSIONS | Perm.MentionEveryone,
  });
  const member = (name: string) => double.guild.members.find((m) => m.username === name)!.id;
  const alice = member('alice');
  const artists = double.guild.roles.find((r) => r.name === 'artists')!.id;
  const locked = double.guild.channels.find((c) => c.name === 'locked')!.id;
  double.denyBotSend(locked);
  const publisherOf = () =>
    createDiscordPublisher({
      rest: createDiscordRest({ token: double.token, apiUrl: double.apiUrl }),
      store,
      logger: silentLogger(),
    });
  const rest = createDiscordRest({ token: double.token, apiUrl: double.apiUrl });
  const general = double.guild.textChannelId;
  const base = {
    platform: 'discord',
    workspaceId: double.guild.id,
    userId: alice,
    uploadLimitBytes: UPLOAD_LIMIT_BYTES,
  };
  return {
    publisher: publisherOf(),
    restart: publisherOf,
    conversation: async () => {
      const thread = (await rest.post(Routes.threads(general), { body: { name: 'a fox', type: 11 } })) as {
        id: string;
      };
      return { ...base, channelId: general, threadId: thread.id };
    },
    forbidden: async () => ({ ...base, channelId: locked, threadId: locked }),
    thread: (conversation) =>
      double
        .messages(conversation.threadId)
        .filter((m) => m.author.id === double.botUser.id)
        .map(seenOnDiscord),
    pings: () =>
      double.pings
        .filter((p) => p.authorId === double.botUser.id)
        .flatMap((p) => [
          ...(p.everyone ? ['everyone'] : []),
          ...p.users.map((id) => `user:${id}`),
          ...p.roles.map((id) => `role:${id}`),
        ]),
    bystanders: `<@${member('bob')}> <@&${artists}>`,
    close: () => double.close(),
  };
}

// Slack: the blocks are what a person reads (the top-level text is the notification); files are shared
// into the thread as messages of their own.
function seenOnSlack(message: SlackMessage): SeenMessage {
  const blocks = list(message.blocks).filter(isObj);
  const blockText = blocks.flatMap((block) => [
    ...(isObj(block.text) ? text(block.text.text) : []),
    ...list(block.fields)
      .filter(isObj)
      .flatMap((f) => text(f.text)),
    ...(block.type === 'context'
      ? list(block.elements)
          .filter(isObj)
          .flatMap((e) => text(e.text))
      : []),
  ]);
  const buttons = blocks.flatMap((block) => [
    ...(isObj(block.accessory) ? text(block.accessory.action_id) : []),
    ...(block.type === 'actions'
      ? list(block.elements)
          .filter(isObj)
          .flatMap((e) => text(e.action_id))
      : []),
  ]);
  return {
    id: message.ts,
    text: blocks.length > 0 ? blockText.join('\n') : message.text,
    files: (message.files ?? []).flatMap((f) => text(f.name)),
    buttons,
  };
}

async function slackSide(store: MediaStore): Promise<PlatformSide> {
  const double = await startSlackApiDouble();
  const channel = 'C0CONTRACT';
  const locked = 'C0LOCKED';
  double.leaveChannel(locked);
  const publisherOf = () =>
    createSlackPublisher({
      client: new WebClient(double.botToken, slackClientOptions(double.apiUrl)),
      store,
      logger: silentLogger(),
      uploadLimitBytes: UPLOAD_LIMIT_BYTES,
    });
  const inThreadOf = (where: string) => {
    const parent = double.addUserMessage({ channel: where, user: 'U0ALICE', text: 'a fox in the snow' });
    return { platform: 'slack', workspaceId: double.teamId, channelId: where, threadId: parent.ts, userId: 'U0ALICE' };
  };
  const fromBot = (m: SlackMessage) => m.user === double.botUserId;
  return {
    publisher: publisherOf(),
    restart: publisherOf,
    conversation: async () => inThreadOf(channel),
    forbidden: async () => inThreadOf(locked),
    thread: (conversation) =>
      double.messages(conversation.channelId, conversation.threadId).filter(fromBot).map(seenOnSlack),
    pings: () =>
      double
        .messages(channel)
        .filter(fromBot)
        .flatMap((m) => m.mentions.map((p) => p.replace(/^usergroup:/, 'role:'))),
    bystanders: '<@U0BOB> <!subteam^S0ARTISTS>',
    close: () => double.close(),
  };
}

// The terminal: a message is a line and the indented lines under it; a result names its saved file.
function seenOnTerminal(output: string): SeenMessage[] {
  const messages: SeenMessage[] = [];
  for (const line of output.split('\n').filter(Boolean)) {
    const current = messages.at(-1);
    if (line.startsWith(' ') && current) {
      current.text += `\n${line}`;
      const saved = /^\s+saved: (.+?) {2}\(/.exec(line)?.[1];
      if (saved) current.files.push(basename(saved));
    } else {
      messages.push({ text: line, files: [], buttons: [] });
    }
  }
  return messages;
}

async function terminalSide(): Promise<PlatformSide> {
  const out = new Capture();
  return {
    publisher: createTerminalPublisher(out),
    restart: () => createTerminalPublisher(out),
    conversation: async () => ({
      platform: 'terminal',
      workspaceId: 'local',
      channelId: 'local',
      threadId: 'local',
      userId: 'you',
    }),
    thread: () => seenOnTerminal(out.text),
    close: async () => {
      out.destroy();
    },
  };
}

describePublisherContract('Discord', discordSide, {
  buttons: true,
  statusMessages: true,
  uploadLimitBytes: UPLOAD_LIMIT_BYTES,
  refusals: true,
  mentions: true,
});

describePublisherContract('Slack', slackSide, {
  buttons: true,
  statusMessages: true,
  uploadLimitBytes: UPLOAD_LIMIT_BYTES,
  refusals: true,
  mentions: true,
});

describePublisherContract('terminal', terminalSide, {
  buttons: false,
  statusMessages: false,
  refusals: false,
  mentions: false,
});

describe("Discord's status message", () => {
  it('is posted into the thread as the button handler posted it: Cancel while queued, pinging nobody', async () => {
    const double = await startDiscordDouble({ members: [{ username: 'alice' }] });
    const dir = await mkdtemp(join(tmpdir(), 'higgsbot-discord-status-'));
    try {
      const rest = createDiscordRest({ token: double.token, apiUrl: double.apiUrl });
      const publisher = createDiscordPublisher({ rest, store: createLocalMediaStore({ dir }), logger: silentLogger() });
      const general = double.guild.textChannelId;
      const thread = (await rest.post(Routes.threads(general), { body: { name: 'a fox', type: 11 } })) as {
        id: string;
      };
      const generationId = 'gen-6f1c2b9e-8d4a-4c1e-9b2f-3a5d7e9c1b2a';
      const event = {
        generationId,
        conversation: {
          platform: 'discord',
          workspaceId: double.guild.id,
          channelId: general,
          threadId: thread.id,
          userId: double.guild.members.find((m) => m.username === 'alice')!.id,
        },
        state: 'queued' as const,
        modelId: 'soul',
        label: 'Soul fox',
        atMs: Date.now(),
        position: 2,
        estimatedWaitMs: 40_000,
      };
      const ref = await publisher.showStatus!(event, undefined);
      const look = statusPayload('Soul fox', generationId, { state: 'queued', position: 2, estimatedWaitMs: 40_000 });
      const post = double.calls.find((c) => c.method === 'POST' && c.path === `/channels/${thread.id}/messages`);
      expect(post?.body).toMatchObject({ ...look, allowed_mentions: NO_MENTIONS });
      expect(ref).toEqual({ channelId: thread.id, messageId: double.messages(thread.id)[0]?.id });

      // A post whose answer was lost, tried again, finds the message already there instead of adding one.
      expect(await publisher.showStatus!(event, undefined)).toEqual(ref);
      expect(double.messages(thread.id)).toHaveLength(1);
    } finally {
      await double.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

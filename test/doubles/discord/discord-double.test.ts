/**
 * Spec of the Discord double against the real discord.js 14 Client: login + caches, slash commands,
 * buttons, uploads, threads, DMs, restart and resume. Limits, injected failures and clock-driven expiry
 * are in discord-double-errors.test.ts.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonInteraction,
  ButtonStyle,
  ChannelType,
  ChatInputCommandInteraction,
  type Client,
  Events,
  type Interaction,
  type Message,
  PermissionFlagsBits,
  type TextChannel,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DiscordDouble, startDiscordDouble } from './discord-double.js';
import { TestClients } from './test-client.js';

let double: DiscordDouble;
const clients = new TestClients();

const admin = () => double.guild.members.find((m) => m.username === 'alice')!;
const textChannel = (client: Client) => client.channels.cache.get(double.guild.textChannelId) as TextChannel;
const row = (...ids: string[]) =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(
    ids.map((id) => new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Primary)),
  );

beforeEach(async () => {
  double = await startDiscordDouble({
    members: [{ username: 'alice', permissions: String(PermissionFlagsBits.ManageGuild) }],
  });
});

afterEach(async () => {
  await clients.destroyAll();
  await double.close();
});

describe('discord double with the real discord.js client', () => {
  it('logs in over the gateway and caches the guild, channel and members', async () => {
    const client = await clients.login(double);
    expect(client.user.id).toBe(double.botUser.id);
    const guild = client.guilds.cache.get(double.guild.id);
    expect(guild?.available).toBe(true);
    expect(guild?.ownerId).toBe(double.guild.ownerId);
    expect(textChannel(client).type).toBe(ChannelType.GuildText);
    expect(guild?.members.cache.get(admin().id)?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(guild?.members.me?.id).toBe(double.botUser.id);
    expect(double.calls[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', status: 200 });
  });

  it('delivers a slash command; deferReply, editReply with buttons and followUps are recorded', async () => {
    const client = await clients.login(double);
    const seen: Interaction[] = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      seen.push(interaction);
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply({ content: 'Pick one', components: [row('gen:a:0', 'gen:a:1', 'gen:a:2')] });
      await interaction.followUp({ content: 'queued' });
    });
    const sent = await double.sendSlashCommand({
      name: 'imagine',
      options: [{ name: 'prompt', type: 3, value: 'a red fox' }],
      userId: admin().id,
      channelId: double.guild.textChannelId,
    });
    await double.waitFor(() => double.interactionResponses(sent.interactionId).length === 3);

    const interaction = seen[0] as ChatInputCommandInteraction;
    expect(interaction).toBeInstanceOf(ChatInputCommandInteraction);
    expect(interaction.options.getString('prompt')).toBe('a red fox');
    expect(interaction.attachmentSizeLimit).toBe(10 * 1024 * 1024);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(interaction.inGuild()).toBe(true);

    const responses = double.interactionResponses(sent.interactionId);
    expect(responses.map((r) => [r.kind, r.type])).toEqual([
      ['callback', 5],
      ['editOriginal', null],
      ['followup', null],
    ]);
    const [original, followup] = double.messages(double.guild.textChannelId);
    expect(original).toMatchObject({ content: 'Pick one', type: 20, interactionId: sent.interactionId });
    expect(original?.flags).toBe(0);
    expect(original?.components).toHaveLength(1);
    expect(followup?.content).toBe('queued');
    const paths = double.calls.slice(-3).map((c) => `${c.method} ${c.path}`);
    expect(paths[1]).toMatch(/^PATCH \/webhooks\/\d+\/itk_[\w-]+\/messages\/@original$/);
  });

  it('replaces the deferred "thinking" message with the first followUp, as Discord does', async () => {
    const client = await clients.login(double);
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.followUp('first');
      await interaction.followUp('second');
    });
    const sent = await double.sendSlashCommand({ name: 'imagine', userId: admin().id });
    await double.waitFor(() => double.interactionResponses(sent.interactionId).length === 3);
    expect(double.messages(double.guild.textChannelId).map((m) => m.content)).toEqual(['first', 'second']);
  });

  it('delivers a button click as ButtonInteraction; deferUpdate + editReply edit the clicked message', async () => {
    const client = await clients.login(double);
    const posted = await textChannel(client).send({ content: 'Options', components: [row('gen:k:0', 'gen:k:1')] });
    const clicks: ButtonInteraction[] = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isButton()) return;
      clicks.push(interaction);
      await interaction.deferUpdate();
      await interaction.editReply({ content: 'Chosen: option 2', components: [] });
    });
    const sent = await double.clickButton({ customId: 'gen:k:1', messageId: posted.id, userId: admin().id });
    await double.waitFor(() => double.interactionResponses(sent.interactionId).length === 2);
    expect(clicks[0]).toBeInstanceOf(ButtonInteraction);
    expect(clicks[0]?.customId).toBe('gen:k:1');
    expect(clicks[0]?.message.id).toBe(posted.id);
    expect(double.interactionResponses(sent.interactionId)[0]).toMatchObject({ type: 6, messageId: posted.id });
    expect(double.message(posted.id)).toMatchObject({ content: 'Chosen: option 2', components: [] });
    await expect(double.clickButton({ customId: 'nope', messageId: posted.id, userId: admin().id })).rejects.toThrow(
      /no component/,
    );
  });

  it('stores multipart uploads with their exact sizes and serves the bytes back', async () => {
    const client = await clients.login(double);
    const bytes = Buffer.alloc(123_457, 7);
    const message = await textChannel(client).send({
      content: 'result',
      files: [{ attachment: bytes, name: 'out.png' }],
    });
    expect(message.attachments.first()?.size).toBe(123_457);
    const stored = double.message(message.id)?.attachments[0];
    expect(stored).toMatchObject({ filename: 'out.png', size: 123_457 });
    expect(double.calls.at(-1)?.files).toEqual([expect.objectContaining({ name: 'out.png', sizeBytes: 123_457 })]);
    const download = await fetch(stored!.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('starts a thread from a message (thread id = message id) and posts into it', async () => {
    const client = await clients.login(double);
    const message = await textChannel(client).send('Generation finished');
    const thread = await message.startThread({ name: 'Generation 42' });
    expect(thread.id).toBe(message.id);
    expect(thread.parentId).toBe(double.guild.textChannelId);
    await thread.send('here are the variations');
    expect(double.threads).toEqual([
      { id: message.id, parentId: double.guild.textChannelId, name: 'Generation 42', messageId: message.id },
    ]);
    expect(double.messages(thread.id).map((m) => m.content)).toEqual(['here are the variations']);
    await expect(message.startThread({ name: 'again' })).rejects.toMatchObject({ code: 160004 });
  });

  it('delivers a DM to messageCreate thanks to Partials.Channel, and the bot answers in the DM', async () => {
    const client = await clients.login(double);
    const received: Message[] = [];
    client.on(Events.MessageCreate, async (message) => {
      if (message.author.bot) return;
      received.push(message);
      await message.channel.send('hello back');
    });
    const dm = await double.sendMessage({ authorId: admin().id, content: 'hi bot', guildId: null });
    const dmChannelId = double.dmChannelId(admin().id);
    await double.waitFor(() => double.messages(dmChannelId).length === 2);
    expect(dm.channelId).toBe(dmChannelId);
    expect(received[0]?.content).toBe('hi bot');
    expect(received[0]?.channel.type).toBe(ChannelType.DM);
    expect(double.messages(dmChannelId)[1]).toMatchObject({ content: 'hello back', author: { id: double.botUser.id } });
  });

  it('applies the MESSAGE_CONTENT rule to guild messages: only mentions of the bot keep their content', async () => {
    const client = await clients.login(double);
    const received: Message[] = [];
    client.on(Events.MessageCreate, (message) => {
      if (!message.author.bot) received.push(message);
    });
    await double.sendMessage({ authorId: admin().id, content: 'chatting' });
    await double.sendMessage({ authorId: admin().id, content: 'draw a cat', mentionsBot: true });
    await double.waitFor(() => received.length === 2);
    expect(received[0]?.content).toBe('');
    expect(received[1]?.content).toBe(`<@${double.botUser.id}> draw a cat`);
    expect(received[1]?.mentions.has(client.user)).toBe(true);
  });

  it('lets a restarted bot (a second Client) log in after the first is destroyed', async () => {
    const first = await clients.login(double);
    await first.destroy();
    await expect(double.sendSlashCommand({ name: 'status', userId: admin().id })).rejects.toThrow(/no bot session/);
    const second = await clients.login(double);
    expect(double.gatewayStats()).toMatchObject({ connected: 1, identifies: 2 });
    const names: string[] = [];
    second.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) names.push(interaction.commandName);
    });
    await double.sendSlashCommand({ name: 'status', userId: admin().id });
    await double.waitFor(() => names.length === 1);
    expect(names).toEqual(['status']);
  });

  it('resumes the session after op 7 Reconnect and replays nothing twice', async () => {
    const client = await clients.login(double);
    const names: string[] = [];
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) names.push(interaction.commandName);
    });
    double.requestReconnect();
    await double.sendSlashCommand({ name: 'during-reconnect', userId: admin().id });
    await double.waitFor(() => double.gatewayStats().resumes === 1 && double.gatewayStats().connected === 1);
    await double.sendSlashCommand({ name: 'after-resume', userId: admin().id });
    await double.waitFor(() => names.length === 2);
    expect(names).toEqual(['during-reconnect', 'after-resume']);
    expect(double.gatewayStats().identifies).toBe(1);
  });
});

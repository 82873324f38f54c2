/**
 * Spec of who the Discord double says a message pings (developers/resources/message.mdx, Allowed Mentions):
 * content only, `allowed_mentions` absent → regular messages parse everything and interaction responses parse
 * users only; present → only what it allows; @everyone/@here need MENTION_EVERYONE, roles need to be
 * mentionable (or MENTION_EVERYONE); invalid objects are refused with 50035, as Discord does.
 */
import { Events, type TextChannel } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_BOT_PERMISSIONS,
  type DiscordDouble,
  type DiscordDoubleOptions,
  Perm,
  startDiscordDouble,
} from './discord-double.js';
import { TestClients } from './test-client.js';

let double: DiscordDouble | undefined;
const clients = new TestClients();

async function setup(options: DiscordDoubleOptions = {}) {
  double = await startDiscordDouble({
    members: [{ username: 'alice' }, { username: 'bob' }],
    roles: [
      { name: 'artists', mentionable: true },
      { name: 'staff', mentionable: false },
    ],
    ...options,
  });
  const client = await clients.login(double);
  const channel = client.channels.cache.get(double.guild.textChannelId) as TextChannel;
  const id = (name: string) => double!.guild.members.find((m) => m.username === name)!.id;
  const role = (name: string) => double!.guild.roles.find((r) => r.name === name)!.id;
  return {
    d: double,
    client,
    channel,
    alice: id('alice'),
    bob: id('bob'),
    artists: role('artists'),
    staff: role('staff'),
  };
}

const botPings = (d: DiscordDouble) => d.pings.filter((p) => p.authorId === d.botUser.id);

afterEach(async () => {
  await clients.destroyAll();
  await double?.close();
  double = undefined;
});

describe('discord double mentions', () => {
  it('a bot message without allowed_mentions pings what its content names, within its permissions', async () => {
    const { d, channel, alice, artists, staff } = await setup();
    const content = `@everyone <@&${artists}> <@&${staff}> <@${alice}> hi @here`;
    const sent = await channel.send(content);
    // No MENTION_EVERYONE: @everyone/@here and the non-mentionable role stay silent.
    expect(botPings(d)).toMatchObject([
      { messageId: sent.id, on: 'create', everyone: false, users: [alice], roles: [artists] },
    ]);
    expect(sent.mentions.users.map((u) => u.id)).toEqual([alice]);
    expect(sent.mentions.everyone).toBe(false);
  });

  it('with MENTION_EVERYONE the same message pings everyone and every role', async () => {
    const { d, channel, alice, artists, staff } = await setup({
      botPermissions: DEFAULT_BOT_PERMISSIONS | Perm.MentionEveryone,
    });
    await channel.send(`@everyone <@&${artists}> <@&${staff}> <@${alice}>`);
    expect(botPings(d)).toMatchObject([{ everyone: true, users: [alice], roles: [artists, staff] }]);
  });

  it('allowed_mentions decides: parse [] pings nobody, users [id] only that user if named, embeds never', async () => {
    const { d, channel, alice, bob, artists } = await setup({
      botPermissions: DEFAULT_BOT_PERMISSIONS | Perm.MentionEveryone,
    });
    const everything = `@everyone <@&${artists}> <@${alice}> <@${bob}> @here`;
    const none = await channel.send({ content: everything, allowedMentions: { parse: [] } });
    expect(none.mentions.users.size).toBe(0);
    await channel.send({ content: everything, allowedMentions: { users: [alice, '123456789012345678'] } });
    await channel.send({ content: 'see below', embeds: [{ description: everything }] });
    expect(botPings(d)).toMatchObject([{ everyone: false, users: [alice], roles: [] }]);
  });

  it('refuses parse with the same ids listed (mutually exclusive) and unknown parse types', async () => {
    const { channel, alice } = await setup();
    await expect(
      channel.send({ content: `<@${alice}>`, allowedMentions: { parse: ['users'], users: [alice] } }),
    ).rejects.toMatchObject({ status: 400, code: 50035, message: expect.stringContaining('mutually exclusive') });
    await expect(
      channel.send({ content: 'x', allowedMentions: { parse: ['nobody' as 'users'] } }),
    ).rejects.toMatchObject({ code: 50035 });
  });

  it('an interaction reply parses only users by default, and its edits are resolved again', async () => {
    const { d, client, alice, artists } = await setup({
      botPermissions: DEFAULT_BOT_PERMISSIONS | Perm.MentionEveryone,
    });
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply(`@everyone <@&${artists}> <@${alice}>`);
      await interaction.editReply({ content: `<@${alice}> again`, allowedMentions: { parse: [] } });
    });
    const sent = await d.sendSlashCommand({ name: 'imagine', userId: alice });
    await d.waitFor(() => d.interactionResponses(sent.interactionId).length >= 3);
    expect(botPings(d)).toMatchObject([{ on: 'edit', everyone: false, users: [alice], roles: [] }]);
    const original = d.messages(d.guild.textChannelId).find((m) => m.interactionId === sent.interactionId)!;
    expect(original.mentionIds).toEqual([]);
  });

  it('a reply pings the replied-to author unless allowed_mentions leaves replied_user out', async () => {
    const { d, channel, alice } = await setup();
    const asked = await d.sendMessage({ authorId: alice, content: 'hello bot', mentionsBot: true });
    const message = await channel.messages.fetch(asked.id);
    await message.reply('pinging reply');
    await message.reply({ content: 'quiet reply', allowedMentions: { repliedUser: false } });
    expect(botPings(d).map((p) => [p.content, p.users])).toEqual([['pinging reply', [alice]]]);
  });
});

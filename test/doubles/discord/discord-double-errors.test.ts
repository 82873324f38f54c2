/**
 * Spec of the Discord double's refusals with the real discord.js client: Discord limits (50035), upload cap
 * (413 / 40005), interaction deadline (10062) and double acknowledgement (40060), token expiry on the
 * double's clock (50027), injected failures (50013, 429 + retry), enforce_nonce, commands and autocomplete.
 */
import { DiscordAPIError, Events, PermissionFlagsBits, Routes, type TextChannel } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordDouble, type DiscordDoubleOptions, startDiscordDouble } from './discord-double.js';
import { TestClients } from './test-client.js';

let double: DiscordDouble | undefined;
const clients = new TestClients();

async function setup(options: DiscordDoubleOptions = {}) {
  const alice = { username: 'alice', permissions: String(PermissionFlagsBits.Administrator) };
  double = await startDiscordDouble({ ...options, members: [alice, ...(options.members ?? [])] });
  const client = await clients.login(double);
  const channel = client.channels.cache.get(double.guild.textChannelId) as TextChannel;
  const userId = double.guild.members.find((m) => m.username === 'alice')!.id;
  return { d: double, client, channel, userId };
}

const button = (customId: string) => ({ type: 2, style: 1, label: 'Go', custom_id: customId });

afterEach(async () => {
  await clients.destroyAll();
  await double?.close();
  double = undefined;
});

describe('discord double refusals', () => {
  it('rejects a file over attachment_size_limit with 413 / 40005 and posts nothing', async () => {
    const { d, channel } = await setup({ attachmentSizeLimit: 1024 });
    const sending = channel.send({ files: [{ attachment: Buffer.alloc(1025), name: 'big.mp4' }] });
    await expect(sending).rejects.toBeInstanceOf(DiscordAPIError);
    await expect(sending).rejects.toMatchObject({ status: 413, code: 40005 });
    await channel.send({ files: [{ attachment: Buffer.alloc(1024), name: 'ok.mp4' }] });
    expect(d.messages(d.guild.textChannelId).map((m) => m.attachments[0]?.filename)).toEqual(['ok.mp4']);
  });

  it('enforces component, content and embed limits with 400 / 50035 naming the field', async () => {
    const { channel } = await setup();
    const longId = channel.send({ content: 'x', components: [{ type: 1, components: [button('a'.repeat(101))] }] });
    await expect(longId).rejects.toMatchObject({
      status: 400,
      code: 50035,
      message: expect.stringContaining('components[0].components[0].custom_id'),
    });
    const six = Array.from({ length: 6 }, (_, i) => button(`b${i}`));
    await expect(channel.send({ content: 'x', components: [{ type: 1, components: six }] })).rejects.toMatchObject({
      code: 50035,
    });
    const dup = [button('same'), button('same')];
    await expect(channel.send({ content: 'x', components: [{ type: 1, components: dup }] })).rejects.toThrow(
      /duplicated/,
    );
    const rows = Array.from({ length: 6 }, (_, i) => ({ type: 1, components: [button(`r${i}`)] }));
    await expect(channel.send({ content: 'x', components: rows })).rejects.toMatchObject({ code: 50035 });
    await expect(channel.send('x'.repeat(2001))).rejects.toThrow(/content/);
    await expect(channel.send({ embeds: [{ description: 'd'.repeat(4097) }] })).rejects.toThrow(
      /embeds\[0\]\.description/,
    );
    await expect(channel.send({ content: 'x', nonce: 'n'.repeat(26) })).rejects.toThrow(/nonce/);
    await expect(channel.send({ content: '' })).rejects.toMatchObject({ code: 50006 });
  });

  it('answers a late first callback with 10062 and a second callback with 40060', async () => {
    const { d, client, userId } = await setup({ interactionDeadlineMs: 150 });
    const errors: unknown[] = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      if (interaction.commandName === 'slow') await new Promise((resolve) => setTimeout(resolve, 250));
      await interaction.deferReply().catch((error: unknown) => errors.push(error));
      if (interaction.commandName === 'twice') {
        const again = { body: { type: 5 }, auth: false } as const;
        await client.rest
          .post(Routes.interactionCallback(interaction.id, interaction.token), again)
          .catch((e: unknown) => errors.push(e));
      }
    });
    await d.sendSlashCommand({ name: 'slow', userId });
    await d.waitFor(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ status: 404, code: 10062 });
    await d.sendSlashCommand({ name: 'twice', userId });
    await d.waitFor(() => errors.length === 2);
    expect(errors[1]).toMatchObject({ status: 400, code: 40060 });
  });

  it('expires the interaction token after 15 minutes of double time (401 / 50027) without wiping the bot token', async () => {
    const { d, client, channel, userId } = await setup();
    let edit: Promise<unknown> | undefined;
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      d.advanceTime(15 * 60_000 + 1);
      edit = interaction.editReply('too late').then(
        () => null,
        (error: unknown) => error,
      );
    });
    await d.sendSlashCommand({ name: 'imagine', userId });
    await d.waitFor(() => edit !== undefined);
    expect(await edit).toMatchObject({ status: 401, code: 50027 });
    await expect(channel.send('late result via bot token')).resolves.toBeDefined();
  });

  it('injects failures with failNext: 50013, 50007 and a 429 that discord.js retries after retry_after', async () => {
    const { d, client, channel, userId } = await setup();
    d.failNext(/^POST \/channels\/\d+\/messages$/, { status: 403, code: 50013 });
    await expect(channel.send('denied')).rejects.toMatchObject({
      status: 403,
      code: 50013,
      message: 'Missing Permissions',
    });
    d.failNext(/^POST \/channels\/\d+\/messages$/, { status: 429, retryAfterS: 0.05 });
    await channel.send('eventually');
    expect(d.calls.slice(-2).map((c) => c.status)).toEqual([429, 200]);
    d.failNext('POST /users/@me/channels', { status: 403, code: 50007 });
    await expect(client.users.send(userId, 'dm')).rejects.toMatchObject({ code: 50007 });
  });

  it('refuses bot DMs to users listed in cannotDmUserIds with 403 / 50007', async () => {
    const bob = '111111111111111111';
    const { client, userId } = await setup({ members: [{ id: bob, username: 'bob' }], cannotDmUserIds: [bob] });
    await expect(client.users.send(bob, 'hello')).rejects.toMatchObject({ status: 403, code: 50007 });
    await expect(client.users.send(userId, 'hello')).resolves.toBeDefined();
  });

  it('dedupes enforce_nonce posts in the same channel', async () => {
    const { d, channel } = await setup();
    const first = await channel.send({ content: 'result', nonce: 'job-1:final', enforceNonce: true });
    const second = await channel.send({ content: 'result', nonce: 'job-1:final', enforceNonce: true });
    expect(second.id).toBe(first.id);
    expect(d.messages(d.guild.textChannelId)).toHaveLength(1);
  });

  it('stores registered commands, validates names, and records autocomplete choices', async () => {
    const { d, client, userId } = await setup();
    await client.application.commands.set([
      {
        name: 'styles',
        description: 'Pick a style',
        options: [{ name: 'style', description: 'Style', type: 3, autocomplete: true }],
      },
    ]);
    expect(d.commands().map((c) => c.name)).toEqual(['styles']);
    expect((await client.application.commands.fetch()).first()?.name).toBe('styles');
    await expect(client.application.commands.set([{ name: 'Bad Name', description: 'x' }])).rejects.toMatchObject({
      code: 50035,
    });
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      await interaction.respond([{ name: `Cinematic (${typed})`, value: 'cinematic' }]);
    });
    const sent = await d.autocomplete({
      name: 'styles',
      userId,
      options: [{ name: 'style', type: 3, value: 'cin', focused: true }],
    });
    await d.waitFor(() => d.autocompleteChoices(sent.interactionId) !== null);
    expect(d.autocompleteChoices(sent.interactionId)).toEqual([{ name: 'Cinematic (cin)', value: 'cinematic' }]);
  });
});

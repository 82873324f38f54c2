/**
 * `/history`, `/show` and `/forget` on Discord, as a person sees them: Discord's platform (createDiscordPlatform)
 * started against the Discord double with the real discord.js client and the real REST publisher, and the real
 * Assistant's history use cases over an in-memory history store, with page keys in Redis and results in a
 * local media folder (support/history-world.ts). What is asserted is what people would see: the private
 * answers, the messages in the channel and who they ping.
 */
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordPlatform } from '../../src/adapters/discord/discord-platform.js';
import { forgetConfirmText, NOT_YOUR_LIST_TEXT } from '../../src/adapters/shared/history-text.js';
import type { PlatformAdapter } from '../../src/core/platform.js';
import type { ConversationRef } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { type DiscordDouble, type InteractionResponseRecord, Perm, startDiscordDouble } from '../doubles/index.js';
import { type FinishedGeneration, type HistoryWorld, startHistoryWorld, unused } from './support/history-world.js';

const EPHEMERAL = 64;
const BUTTON_DANGER = 4;

let double: DiscordDouble;
let world: HistoryWorld;
let discord: PlatformAdapter;
let alice: string;
let bob: string;
let carol: string;
let dave: string;
/** Alice's generations, newest first. */
const made: FinishedGeneration[] = [];
let bobs: FinishedGeneration;

/** A conversation in the double's general channel, as the bot records one. */
const inGeneral = (userId: string): ConversationRef => ({
  platform: 'discord',
  workspaceId: double.guild.id,
  channelId: double.guild.textChannelId,
  threadId: double.guild.textChannelId,
  userId,
});

beforeAll(async () => {
  double = await startDiscordDouble({
    members: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }, { username: 'dave' }],
  });
  const member = (name: string) => double.guild.members.find((m) => m.username === name)?.id ?? '';
  alice = member('alice');
  bob = member('bob');
  carol = member('carol');
  dave = member('dave');
  world = await startHistoryWorld('discord-history');
  // Twelve of Alice's: a page of ten, then two older ones. The newest has a label with a mention in it.
  for (let i = 11; i >= 1; i--) {
    made.unshift(await world.finished(inGeneral(alice), { prompt: `a quiet harbour, take ${i}`, minutesAgo: 60 + i }));
  }
  made.unshift(
    await world.finished(inGeneral(alice), { prompt: 'a red fox at dawn', label: 'Fox · @here', minutesAgo: 5 }),
  );
  bobs = await world.finished(inGeneral(bob), { prompt: "bob's lighthouse", minutesAgo: 30 });

  discord = createDiscordPlatform(
    { token: double.token, applicationId: double.applicationId, apiUrl: double.apiUrl, guildId: double.guild.id },
    { store: world.media, logger: silentLogger(), console: { output: new PassThrough() } },
  );
  await discord.start({
    assistant: world.assistant,
    searchStyles: unused('searchStyles'),
    rehost: unused('rehost'),
    progress: { publish: unused('progress.publish'), subscribe: unused('progress.subscribe') },
    afterAcks: async () => undefined,
    logger: silentLogger(),
  });
});

afterEach(() => {
  world.history.recover();
});

afterAll(async () => {
  await discord.stop();
  await double.close();
  await world.close();
});

const contentOf = (data: unknown) => (data as { content?: string } | undefined)?.content ?? '';
const answered = (r: InteractionResponseRecord) => r.kind !== 'callback' && contentOf(r.data) !== '';

/** A slash command and its private answer: the ephemeral reply it was deferred with, once edited. */
async function privately(
  name: string,
  userId: string,
  options: Array<{ name: string; value: string }> = [],
  memberPermissions?: string,
) {
  const sent = await double.sendSlashCommand({
    name,
    userId,
    options: options.map((o) => ({ ...o, type: 3 })),
    ...(memberPermissions ? { memberPermissions } : {}),
  });
  await double.waitFor(() => double.interactionResponses(sent.interactionId).some(answered), 5_000);
  const [deferral] = double.interactionResponses(sent.interactionId);
  const message = double.message(deferral?.messageId ?? '');
  if (!message) throw new Error(`/${name} left no reply`);
  return { sent, deferral, message };
}

/** The ids of a message's buttons. */
const buttonsOf = (message: { components: unknown[] }) =>
  (message.components as Array<{ components: Array<{ custom_id: string; label: string; style: number }> }>).flatMap(
    (row) => row.components,
  );

/** A press of a button on a message; resolves once the bot answered it beyond the acknowledgement. */
async function press(messageId: string, customId: string, userId: string) {
  const before = double.message(messageId)?.editedAtMs ?? null;
  const click = await double.clickButton({ customId, messageId, channelId: double.guild.textChannelId, userId });
  await double.waitFor(
    () => double.interactionResponses(click.interactionId).some((r) => r.kind !== 'callback'),
    5_000,
  );
  return { responses: double.interactionResponses(click.interactionId), editedBefore: before };
}

/** What the bot posted publicly in the general channel since `since` messages. */
const postedSince = (since: number) =>
  double
    .messages(double.guild.textChannelId)
    .slice(since)
    .filter((m) => (m.flags & EPHEMERAL) === 0);

const pingsSince = (since: number) => double.pings.slice(since).filter((p) => p.authorId === double.botUser.id);

describe('/history on Discord', () => {
  it('answers privately with the newest ten and "Older →"; pressing it turns the same message into page 2', async () => {
    const { deferral, message } = await privately('history', alice);
    expect(deferral?.data).toMatchObject({ flags: EPHEMERAL });
    expect(message.flags & EPHEMERAL).toBe(EPHEMERAL);
    const lines = message.content.split('\n');
    expect(lines[0]).toBe('Your generations, newest first:');
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(10);
    // One line per generation: its short id, its label shown as typed (no mention), state, age and prompt.
    expect(lines[1]).toBe(
      `• \`${made[0]?.shortId}\` **Fox · @\u200bhere** · ✅ done · 5 min ago · “a red fox at dawn”`,
    );
    expect(lines[2]).toContain(
      `\`${made[1]?.shortId}\` **Nano Banana** · ✅ done · 1 h ago · “a quiet harbour, take 1”`,
    );
    expect(message.content).not.toContain(bobs.shortId);
    expect(lines.at(-1)).toBe('`/show <id>` posts one here again.');
    const [older] = buttonsOf(message);
    expect(older).toMatchObject({ label: 'Older →', custom_id: expect.stringMatching(/^h:[0-9A-Za-z]{10}$/) });

    const { responses } = await press(message.id, older?.custom_id ?? '', alice);
    expect(responses.map((r) => r.kind)).toEqual(['callback', 'editOriginal']);
    const page2 = double.message(message.id);
    expect(page2?.flags).toBe(EPHEMERAL);
    expect(page2?.content.split('\n')[0]).toBe('Your generations, newest first (page 2):');
    expect(page2?.content).toContain(made[10]?.shortId);
    expect(page2?.content).toContain(made[11]?.shortId);
    expect(page2?.content).not.toContain(made[9]?.shortId);
    // The last page: no button left.
    expect(page2?.components).toEqual([]);
  });

  it('refuses a press of "Older →" by anyone else (Discord never shows them the message), and leaves it as it was', async () => {
    const { message } = await privately('history', alice);
    const [older] = buttonsOf(message);
    const { responses } = await press(message.id, older?.custom_id ?? '', bob);
    expect(responses.map((r) => r.kind)).toEqual(['callback', 'followup']);
    expect(responses[1]?.data).toMatchObject({ flags: EPHEMERAL, content: NOT_YOUR_LIST_TEXT });
    expect(double.message(message.id)?.content).toBe(message.content);
    expect(double.message(message.id)?.content).not.toContain(bobs.shortId);
  });

  it('searches the prompts and echoes the words: a match lists only it', async () => {
    const { message } = await privately('history', alice, [{ name: 'search', value: '  fox  ' }]);
    expect(message.content.split('\n')).toEqual([
      'Your generations matching “fox”, newest first:',
      `• \`${made[0]?.shortId}\` **Fox · @\u200bhere** · ✅ done · 5 min ago · “a red fox at dawn”`,
      '`/show <id>` posts one here again.',
    ]);
    expect(message.components).toEqual([]);
  });

  it('echoes search words with mentions and markdown harmlessly when nothing matches', async () => {
    const since = double.pings.length;
    const { message } = await privately('history', alice, [
      { name: 'search', value: '@everyone **fox** <@&1234> ||x|| \u202Eevil' },
    ]);
    expect(message.content).toBe(
      'Nothing matches “@\u200beveryone \\*\\*fox\\*\\* <@\u200b&1234> \\|\\|x\\|\\| evil” in your prompts.',
    );
    expect(pingsSince(since)).toEqual([]);
  });

  it('fits a page of long, markdown-heavy labels and prompts in one message, every line and id whole', async () => {
    const heavy: FinishedGeneration[] = [];
    for (let i = 0; i < 10; i++) {
      heavy.push(
        await world.finished(inGeneral(dave), {
          prompt: `||**${'~_'.repeat(60)}**||`,
          label: `*_${'`|'.repeat(40)}_*`,
          minutesAgo: 10 + i,
        }),
      );
    }
    const { message } = await privately('history', dave);
    expect(message.content.length).toBeLessThanOrEqual(2_000);
    for (const g of heavy) expect(message.content).toContain(`\`${g.shortId}\``);
    expect(message.content.split('\n').at(-1)).toBe('`/show <id>` posts one here again.');
  });

  it('says "Nothing yet" to someone with no generations', async () => {
    const { message } = await privately('history', carol);
    expect(message.content).toBe('Nothing yet: what you generate shows up here (try `/imagine`).');
  });

  it('says privately that history is unavailable while the database is down', async () => {
    world.history.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const { message } = await privately('history', alice);
    expect(message.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(message.content).toMatch(/^History is unavailable right now/);
    expect(message.components).toEqual([]);
  });
});

describe('/show on Discord', () => {
  it('re-posts one of your own results in this channel, with Re-roll and Animate, and says so privately', async () => {
    const since = double.messages(double.guild.textChannelId).length;
    const target = made[1] as FinishedGeneration;
    const { deferral, message } = await privately('show', alice, [{ name: 'id', value: ` ${target.shortId} ` }]);
    expect(deferral?.data).toMatchObject({ flags: EPHEMERAL });
    expect(message.content).toBe('Posted it below ↓');
    const [posted, ...more] = postedSince(since);
    expect(more).toEqual([]);
    expect(posted?.author.id).toBe(double.botUser.id);
    expect(posted?.content).toMatch(new RegExp(`^<@${alice}> ✅ \\*\\*Nano Banana\\*\\* — done in 20 s`));
    expect(posted?.attachments.map((a) => a.filename)).toEqual([`${target.generationId}-0.png`]);
    expect(buttonsOf(posted ?? { components: [] }).map((b) => [b.label, b.custom_id])).toEqual([
      ['Re-roll', `r:${target.generationId}`],
      ['Animate', `a:${target.generationId}`],
    ]);
  });

  it('refuses someone else’s result privately, and posts nothing', async () => {
    const since = double.messages(double.guild.textChannelId).length;
    const { message } = await privately('show', alice, [{ name: 'id', value: bobs.shortId }]);
    expect(message.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(message.content).toMatch(/not yours to show/);
    expect(postedSince(since)).toEqual([]);
  });

  it('lets a Manage Server member show someone’s result of this server', async () => {
    const since = double.messages(double.guild.textChannelId).length;
    const admin = (Perm.ManageGuild | Perm.ViewChannel | Perm.SendMessages).toString();
    const { message } = await privately('show', carol, [{ name: 'id', value: bobs.shortId }], admin);
    expect(message.content).toBe('Posted it below ↓');
    const [posted] = postedSince(since);
    expect(buttonsOf(posted ?? { components: [] }).map((b) => b.custom_id)).toContain(`r:${bobs.generationId}`);
  });

  it('answers an unknown or malformed id privately, its text shown harmlessly', async () => {
    const since = double.messages(double.guild.textChannelId).length;
    const pings = double.pings.length;
    const unknown = await privately('show', alice, [{ name: 'id', value: '0badcafe' }]);
    expect(unknown.message.content).toMatch(/no generation 0badcafe/);
    const malformed = await privately('show', alice, [{ name: 'id', value: "@everyone' OR 1=1 --" }]);
    expect(malformed.message.content).toMatch(/^"@\u200beveryone' OR 1=1 --" is not a generation id/);
    expect(postedSince(since)).toEqual([]);
    expect(pingsSince(pings)).toEqual([]);
  });

  it('says privately that history is unavailable while the database is down', async () => {
    world.history.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const since = double.messages(double.guild.textChannelId).length;
    const { message } = await privately('show', alice, [{ name: 'id', value: made[2]?.shortId ?? '' }]);
    expect(message.content).toMatch(/^History is unavailable right now/);
    expect(postedSince(since)).toEqual([]);
  });
});

describe('/forget on Discord', () => {
  it('asks first with a red button; the press forgets, and the message says how much', async () => {
    const carols = [
      await world.finished(inGeneral(carol), { prompt: 'a kite over dunes', minutesAgo: 3 }),
      await world.finished(inGeneral(carol), { prompt: 'a kite at night', minutesAgo: 2 }),
    ];
    const { message } = await privately('forget', carol);
    expect(message.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(message.content).toBe(forgetConfirmText('Discord'));
    const [confirm, ...others] = buttonsOf(message);
    expect(others).toEqual([]);
    expect(confirm).toMatchObject({ label: 'Forget everything', custom_id: 'f:confirm', style: BUTTON_DANGER });
    // Nothing is deleted by asking.
    expect(world.history.generation(carols[0]?.generationId ?? '')).toBeDefined();

    const { responses } = await press(message.id, 'f:confirm', carol);
    expect(responses.map((r) => r.kind)).toEqual(['callback', 'editOriginal']);
    const done = double.message(message.id);
    expect(done?.content).toBe(
      'Done: I forgot everything I kept about you here, 2 generations and 2 stored files included.',
    );
    expect(done?.components).toEqual([]);
    for (const g of carols) {
      expect(world.history.generation(g.generationId)).toBeUndefined();
      expect(await world.media.exists(g.key)).toBe(false);
    }
    // Nobody else's.
    expect(world.history.generation(bobs.generationId)).toBeDefined();
    expect((await privately('history', carol)).message.content).toMatch(/^Nothing yet/);
  });

  it('refuses a press of "Forget everything" by anyone else, deleting nothing', async () => {
    const { message } = await privately('forget', alice);
    const { responses } = await press(message.id, 'f:confirm', bob);
    expect(responses[1]?.data).toMatchObject({ flags: EPHEMERAL, content: NOT_YOUR_LIST_TEXT });
    expect(world.history.generation(bobs.generationId)).toBeDefined();
    expect(world.history.generation(made[0]?.generationId ?? '')).toBeDefined();
  });

  it('says that history is unavailable when the database is down at the press, and deletes nothing', async () => {
    const { message } = await privately('forget', alice);
    world.history.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    await press(message.id, 'f:confirm', alice);
    expect(double.message(message.id)?.content).toMatch(/^History is unavailable right now/);
    world.history.recover();
    expect(world.history.generation(made[0]?.generationId ?? '')).toBeDefined();
  });
});

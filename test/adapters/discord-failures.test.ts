/**
 * What a person reads when handling their press, command or message fails, and what the operator finds in the
 * log: "briefly unavailable" (a warning, not a bug) while our Redis is down; otherwise an apology whose
 * reference id is on exactly one error line. The real bot against the Discord double, with an assistant that
 * fails on purpose (the pipeline's own failures are specified elsewhere).
 */
import { Writable } from 'node:stream';
import { Routes } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DiscordBot, startDiscordBot } from '../../src/adapters/discord/discord-bot.js';
import type { Assistant } from '../../src/core/assistant.js';
import { BRIEFLY_UNAVAILABLE_TEXT } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { type DiscordDouble, startDiscordDouble } from '../doubles/discord/discord-double.js';

let double: DiscordDouble;
let bot: DiscordBot;
let alice: string;
let failure: () => Error;
const lines: Array<Record<string, unknown>> = [];

/** What ioredis throws while the connection is down. */
const redisDown = () => new Error('Connection is closed.');
const bug = () => new TypeError("Cannot read properties of undefined (reading 'x')");

const failing = () => Promise.reject(failure());
const assistant = {
  choose: failing,
  reroll: failing,
  cancel: failing,
  animate: failing,
  handleMessage: failing,
  activeJobs: failing,
  hasHistory: async () => true,
} as unknown as Assistant;

beforeAll(async () => {
  double = await startDiscordDouble({ members: [{ username: 'alice' }] });
  alice = double.guild.members.find((m) => m.username === 'alice')!.id;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  bot = await startDiscordBot({
    token: double.token,
    apiUrl: double.apiUrl,
    logger: createLogger({ level: 'info', destination }),
    assistant,
    // No press or command here posts a result: /show is specified in discord-history.test.ts.
    publisher: { platform: 'discord', postResult: failing, postFailure: failing },
    rehost: failing,
    searchStyles: failing,
    imageHosts: [],
  });
});
afterAll(async () => {
  await bot.close();
  await double.close();
});
beforeEach(() => {
  lines.length = 0;
});

const errorLines = () => lines.filter((l) => l.level === 50);
const warnLines = () => lines.filter((l) => l.level === 40);
const contentOf = (data: unknown) => (data as { content?: string } | undefined)?.content ?? '';
const referenceIn = (text: string) => /\(reference ([^)]+)\)/.exec(text)?.[1];

async function pressOptionButton() {
  const channelId = double.guild.textChannelId;
  const button = { type: 2, style: 1, label: '1. Soul', custom_id: 'o:xkmcDrAUms:0' };
  const posted = (await bot.client.rest.post(Routes.channelMessages(channelId), {
    body: { content: 'Options:', components: [{ type: 1, components: [button] }] },
  })) as { id: string };
  const click = await double.clickButton({
    customId: button.custom_id,
    messageId: posted.id,
    channelId,
    userId: alice,
  });
  const said = () => double.interactionResponses(click.interactionId).find((r) => contentOf(r.data) !== '');
  await double.waitFor(() => said() !== undefined);
  return said()!;
}

describe('Discord failures, as a person reads them and as the log keeps them', () => {
  it('a press while our Redis is down: "briefly unavailable", privately, logged once as a warning', async () => {
    failure = redisDown;
    const note = await pressOptionButton();
    // An outage, not a bug: no error line (and no apology with a reference).
    expect(errorLines()).toEqual([]);
    expect(warnLines()).toHaveLength(1);
    expect(note).toMatchObject({ kind: 'followup', data: { flags: 64, content: BRIEFLY_UNAVAILABLE_TEXT } });
  });

  it('a bug behind a press: an apology whose fresh reference is on exactly one error line', async () => {
    failure = bug;
    const note = await pressOptionButton();
    const reference = referenceIn(contentOf(note.data));
    expect(reference).toMatch(/^[0-9a-f]{10}$/);
    expect(errorLines()).toHaveLength(1);
    expect(errorLines()[0]).toMatchObject({ reference, customId: 'o:xkmcDrAUms:0' });
  });

  it('a bug behind /imagine: the original reply says so, with the reference of its one error line', async () => {
    failure = bug;
    const sent = await double.sendSlashCommand({
      name: 'imagine',
      userId: alice,
      options: [{ name: 'prompt', type: 3, value: 'a fox' }],
    });
    await double.waitFor(() =>
      double.interactionResponses(sent.interactionId).some((r) => referenceIn(contentOf(r.data))),
    );
    const reply = double.interactionResponses(sent.interactionId).find((r) => referenceIn(contentOf(r.data)))!;
    expect(errorLines()).toHaveLength(1);
    expect(errorLines()[0]).toMatchObject({ reference: referenceIn(contentOf(reply.data)) });
  });

  it('/styles failing is answered privately instead of thinking forever', async () => {
    failure = redisDown;
    const sent = await double.sendSlashCommand({
      name: 'styles',
      userId: alice,
      options: [{ name: 'query', type: 3, value: 'sunset' }],
    });
    await double.waitFor(() => double.interactionResponses(sent.interactionId).length >= 2);
    const [deferral, answer] = double.interactionResponses(sent.interactionId);
    expect(deferral?.data).toMatchObject({ flags: 64 });
    expect(contentOf(answer?.data)).toBe(BRIEFLY_UNAVAILABLE_TEXT);
  });

  it('a bug behind a DM: a reply with the reference of its one error line', async () => {
    failure = bug;
    const dm = await double.sendMessage({ authorId: alice, content: 'a fox in the snow', guildId: null });
    await double.waitFor(() => double.messages(dm.channelId).some((m) => m.author.bot));
    const reply = double.messages(dm.channelId).find((m) => m.author.bot)!;
    expect(reply.referenceId).toBe(dm.id);
    expect(errorLines()).toHaveLength(1);
    expect(errorLines()[0]).toMatchObject({ reference: referenceIn(reply.content), messageId: dm.id });
  });
});

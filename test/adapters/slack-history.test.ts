/**
 * `/history`, `/show` and `/forget` on Slack, as a person sees them: Slack's platform (createSlackPlatform)
 * started in HTTP mode on our own HTTP server, the real Bolt app behind it over signed requests, the Slack
 * double for the Web API and a response_url sink for what a button press replaces, and the real Assistant's
 * history use cases over an in-memory history store, with page keys in Redis and results in a local media
 * folder (support/history-world.ts). What is asserted is what people would see: the ephemeral notes, what
 * replaces them, the posts and files in the channel, and whom anything would notify.
 */
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forgetConfirmText, NOT_YOUR_LIST_TEXT } from '../../src/adapters/shared/history-text.js';
import { SLACK_EVENTS_PATH } from '../../src/adapters/slack/slack-app.js';
import { createSlackPlatform } from '../../src/adapters/slack/slack-platform.js';
import { INVITE_TEXT } from '../../src/adapters/slack/slack-reply.js';
import type { PlatformAdapter } from '../../src/core/platform.js';
import type { ConversationRef } from '../../src/core/types.js';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log.js';
import {
  type ResponseUrlSink,
  type SlackApiDouble,
  type StoredEphemeral,
  sendBlockAction,
  sendSlashCommand,
  startResponseUrlSink,
  startSlackApiDouble,
} from '../doubles/index.js';
import { type FinishedGeneration, type HistoryWorld, startHistoryWorld, unused } from './support/history-world.js';

const SECRET = 'test-signing-secret';
const CHANNEL = 'C0GENERAL';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const ADMIN = 'U0ADMIN';

let double: SlackApiDouble;
let sink: ResponseUrlSink;
let world: HistoryWorld;
let slack: PlatformAdapter;
let server: HttpServer;
let events: string;
/** Alice's generations, newest first. */
const made: FinishedGeneration[] = [];
let bobs: FinishedGeneration;

/** A conversation in the general channel of the double's workspace, as the bot records one. */
const inGeneral = (userId: string): ConversationRef => ({
  platform: 'slack',
  workspaceId: double.teamId,
  channelId: CHANNEL,
  threadId: CHANNEL,
  userId,
});

beforeAll(async () => {
  double = await startSlackApiDouble();
  double.addUser({ id: ADMIN, isAdmin: true });
  for (const id of [ALICE, BOB, CAROL]) double.addUser({ id });
  sink = await startResponseUrlSink();
  world = await startHistoryWorld('slack-history');
  for (let i = 11; i >= 1; i--) {
    made.unshift(await world.finished(inGeneral(ALICE), { prompt: `a quiet harbour, take ${i}`, minutesAgo: 60 + i }));
  }
  made.unshift(
    await world.finished(inGeneral(ALICE), { prompt: 'a red fox at dawn', label: 'Fox <!here>', minutesAgo: 5 }),
  );
  bobs = await world.finished(inGeneral(BOB), { prompt: "bob's lighthouse", minutesAgo: 30 });

  slack = createSlackPlatform(
    { botToken: double.botToken, signingSecret: SECRET, apiUrl: double.apiUrl },
    { store: world.media, logger: silentLogger(), console: { output: new PassThrough() } },
  );
  server = await startHttpServer({ port: 0, host: '127.0.0.1', logger: silentLogger(), routes: [...slack.routes] });
  await slack.start({
    assistant: world.assistant,
    searchStyles: unused('searchStyles'),
    rehost: unused('rehost'),
    progress: { publish: unused('progress.publish'), subscribe: unused('progress.subscribe') },
    afterAcks: async () => undefined,
    logger: silentLogger(),
  });
  events = `${server.url}${SLACK_EVENTS_PATH}`;
});

afterEach(() => {
  world.history.recover();
});

afterAll(async () => {
  await server.close();
  await slack.stop();
  await sink.close();
  await double.close();
  await world.close();
});

/** A slash command and the one ephemeral note it brings its user. */
async function privately(command: string, text: string, userId: string, channelId = CHANNEL) {
  const since = double.ephemerals.length;
  const sent = await sendSlashCommand(events, SECRET, { command, text, userId, channelId, teamId: double.teamId });
  expect(sent.status).toBe(200);
  const mine = () => double.ephemerals.slice(since).filter((e) => e.user === userId);
  await double.waitFor(() => mine().length > 0, 5_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(mine()).toHaveLength(1);
  return mine()[0] as StoredEphemeral;
}

interface BlockButton {
  action_id: string;
  value: string;
  style?: string;
  text: { text: string };
}

/** The buttons of an ephemeral message's (or a replacement's) blocks. */
const buttonsOf = (blocks: unknown): BlockButton[] =>
  ((blocks ?? []) as Array<{ type: string; elements?: BlockButton[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);

/** A press of a button on an ephemeral message, as Slack sends it (the button's own value included). */
async function press(note: StoredEphemeral, button: BlockButton | undefined, userId: string) {
  if (!button) throw new Error('no such button');
  const responseUrl = sink.url();
  const since = double.ephemerals.length;
  const sent = await sendBlockAction(events, SECRET, {
    actionId: button.action_id,
    value: button.value,
    userId,
    channelId: note.channel,
    messageTs: note.message_ts,
    teamId: double.teamId,
    ephemeral: true,
    responseUrl,
  });
  expect(sent.status).toBe(200);
  const notes = () => double.ephemerals.slice(since).filter((e) => e.user === userId);
  await double.waitFor(() => sink.postsTo(responseUrl).length > 0 || notes().length > 0, 5_000);
  return {
    replaced: sink
      .postsTo(responseUrl)
      .map((p) => p.body as { replace_original?: boolean; text: string; blocks: unknown }),
    notes: notes().map((n) => n.text),
  };
}

const postsSince = (since: number) => double.messages(CHANNEL).slice(since);

describe('/history on Slack', () => {
  it('answers with an ephemeral page of ten and "Older →"; pressing it replaces that message with page 2', async () => {
    const note = await privately('/history', '', ALICE);
    const lines = note.text.split('\n');
    expect(lines[0]).toBe('Your generations, newest first:');
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(10);
    // The label shown as typed: Slack would read `<!here>` as a mention, so it is escaped.
    expect(lines[1]).toBe(`• \`${made[0]?.shortId}\` *Fox &lt;!here&gt;* · ✅ done · 5 min ago · “a red fox at dawn”`);
    expect(lines.at(-1)).toBe('`/show &lt;id&gt;` posts one here again.');
    expect(note.text).not.toContain(bobs.shortId);
    expect(note.mentions).toEqual([]);
    const [older, ...others] = buttonsOf(note.blocks);
    expect(others).toEqual([]);
    expect(older).toMatchObject({ text: { text: 'Older →' }, action_id: expect.stringMatching(/^h:[0-9A-Za-z]{10}$/) });

    const { replaced, notes } = await press(note, older, ALICE);
    expect(notes).toEqual([]);
    expect(replaced).toHaveLength(1);
    expect(replaced[0]?.replace_original).toBe(true);
    expect(replaced[0]?.text.split('\n')[0]).toBe('Your generations, newest first (page 2):');
    expect(replaced[0]?.text).toContain(made[10]?.shortId);
    expect(replaced[0]?.text).toContain(made[11]?.shortId);
    expect(replaced[0]?.text).not.toContain(made[9]?.shortId);
    expect(buttonsOf(replaced[0]?.blocks)).toEqual([]);
  });

  it('refuses a press of "Older →" by anyone else, replacing nothing', async () => {
    const note = await privately('/history', '', ALICE);
    const { replaced, notes } = await press(note, buttonsOf(note.blocks)[0], BOB);
    expect(replaced).toEqual([]);
    expect(notes).toEqual([NOT_YOUR_LIST_TEXT]);
  });

  it('searches the prompts and echoes the words: a match lists only it', async () => {
    const note = await privately('/history', 'fox', ALICE);
    expect(note.text.split('\n')).toEqual([
      'Your generations matching “fox”, newest first:',
      `• \`${made[0]?.shortId}\` *Fox &lt;!here&gt;* · ✅ done · 5 min ago · “a red fox at dawn”`,
      '`/show &lt;id&gt;` posts one here again.',
    ]);
    expect(buttonsOf(note.blocks)).toEqual([]);
  });

  it('echoes search words with <!channel>, mentions and markdown harmlessly when nothing matches', async () => {
    const note = await privately('/history', '<!channel> <@U0BOB> *fox* & `x`', ALICE);
    expect(note.text).toBe('Nothing matches “&lt;!channel&gt; &lt;@U0BOB&gt; *fox* &amp; `x`” in your prompts.');
    expect(note.mentions).toEqual([]);
  });

  it('says "Nothing yet" to someone with no generations', async () => {
    expect((await privately('/history', '', CAROL)).text).toBe(
      'Nothing yet: what you generate shows up here (try `/imagine`).',
    );
  });

  it('says privately that history is unavailable while the database is down', async () => {
    world.history.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const note = await privately('/history', '', ALICE);
    expect(note.text).toMatch(/^History is unavailable right now/);
    expect(buttonsOf(note.blocks)).toEqual([]);
  });
});

describe('/show on Slack', () => {
  it('re-posts one of your own results at the top level of the channel, with Re-roll and Animate', async () => {
    const since = double.messages(CHANNEL).length;
    const files = double.files.length;
    const target = made[1] as FinishedGeneration;
    const note = await privately('/show', ` ${target.shortId} `, ALICE);
    expect(note.text).toBe('Posted it above ↑');
    // Slack's slash commands carry no thread: the result goes to the channel itself.
    expect(double.files.slice(files)).toEqual([
      expect.objectContaining({ name: `${target.generationId}-0.png`, channel: CHANNEL }),
    ]);
    expect(double.files.at(-1)?.threadTs).toBeUndefined();
    const message = postsSince(since).find((m) => buttonsOf(m.blocks).length > 0);
    expect(message?.thread_ts).toBeUndefined();
    expect(message?.text).toBe('Nano Banana: done');
    expect(buttonsOf(message?.blocks).map((b) => [b.text.text, b.action_id])).toEqual([
      ['Re-roll', `r:${target.generationId}`],
      ['Animate', `a:${target.generationId}`],
    ]);
  });

  it('refuses someone else’s result privately, and posts nothing', async () => {
    const since = double.messages(CHANNEL).length;
    const note = await privately('/show', bobs.shortId, ALICE);
    expect(note.text).toMatch(/not yours to show/);
    expect(postsSince(since)).toEqual([]);
  });

  it('lets a workspace admin show someone’s result of this workspace', async () => {
    const since = double.messages(CHANNEL).length;
    expect((await privately('/show', bobs.shortId, ADMIN)).text).toBe('Posted it above ↑');
    const message = postsSince(since).find((m) => buttonsOf(m.blocks).length > 0);
    expect(buttonsOf(message?.blocks).map((b) => b.action_id)).toContain(`r:${bobs.generationId}`);
  });

  it('answers an unknown or malformed id privately, its text shown harmlessly', async () => {
    const since = double.messages(CHANNEL).length;
    expect((await privately('/show', '0badcafe', ALICE)).text).toMatch(/no generation 0badcafe/);
    const malformed = await privately('/show', "<!channel>' OR 1=1 --", ALICE);
    expect(malformed.text).toMatch(/^"&lt;!channel&gt;' OR 1=1 --" is not a generation id/);
    expect(malformed.mentions).toEqual([]);
    expect(postsSince(since)).toEqual([]);
  });

  it('in a channel the bot was not invited to: asks to be invited', async () => {
    double.leaveChannel('C0ELSEWHERE');
    const note = await privately('/show', made[2]?.shortId ?? '', ALICE, 'C0ELSEWHERE');
    expect(note.text).toBe(INVITE_TEXT);
  });

  it('says privately that history is unavailable while the database is down', async () => {
    world.history.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const since = double.messages(CHANNEL).length;
    expect((await privately('/show', made[2]?.shortId ?? '', ALICE)).text).toMatch(/^History is unavailable right now/);
    expect(postsSince(since)).toEqual([]);
  });
});

describe('/forget on Slack', () => {
  it('asks first with a danger button; the press forgets, replacing the question with how much', async () => {
    const carols = [
      await world.finished(inGeneral(CAROL), { prompt: 'a kite over dunes', minutesAgo: 3 }),
      await world.finished(inGeneral(CAROL), { prompt: 'a kite at night', minutesAgo: 2 }),
    ];
    const note = await privately('/forget', '', CAROL);
    expect(note.text).toBe(forgetConfirmText('Slack'));
    const [confirm, ...others] = buttonsOf(note.blocks);
    expect(others).toEqual([]);
    expect(confirm).toMatchObject({ text: { text: 'Forget everything' }, action_id: 'f:confirm', style: 'danger' });
    expect(world.history.generation(carols[0]?.generationId ?? '')).toBeDefined();

    const { replaced } = await press(note, confirm, CAROL);
    expect(replaced).toEqual([
      expect.objectContaining({
        replace_original: true,
        text: 'Done: I forgot everything I kept about you here, 2 generations and 2 stored files included.',
      }),
    ]);
    expect(buttonsOf(replaced[0]?.blocks)).toEqual([]);
    for (const g of carols) {
      expect(world.history.generation(g.generationId)).toBeUndefined();
      expect(await world.media.exists(g.key)).toBe(false);
    }
    expect(world.history.generation(bobs.generationId)).toBeDefined();
    expect((await privately('/history', '', CAROL)).text).toMatch(/^Nothing yet/);
  });

  it('refuses a press of "Forget everything" by anyone else, deleting nothing', async () => {
    const note = await privately('/forget', '', ALICE);
    const { replaced, notes } = await press(note, buttonsOf(note.blocks)[0], BOB);
    expect(replaced).toEqual([]);
    expect(notes).toEqual([NOT_YOUR_LIST_TEXT]);
    expect(world.history.generation(bobs.generationId)).toBeDefined();
    expect(world.history.generation(made[0]?.generationId ?? '')).toBeDefined();
  });

  it('says that history is unavailable when the database is down at the press, and deletes nothing', async () => {
    const note = await privately('/forget', '', ALICE);
    world.history.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const { replaced } = await press(note, buttonsOf(note.blocks)[0], ALICE);
    expect(replaced[0]?.text).toMatch(/^History is unavailable right now/);
    world.history.recover();
    expect(world.history.generation(made[0]?.generationId ?? '')).toBeDefined();
  });
});

/**
 * The Slack adapter end to end, in the app as `higgsbot start` builds it: the real Bolt app over HTTP (Slack's
 * route mounted on our own server at /slack/events) receiving correctly signed requests, and in Socket Mode
 * over the double's WebSocket; the real Web API client against the local Slack double, the real pipeline on
 * Redis, the Higgsfield simulator and the Anthropic fake. The status messages these specs see are posted and
 * edited by Slack's publisher from the progress events, not by the handler of the press.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALREADY_QUEUED_TEXT } from '../../src/adapters/shared/message-text.js';
import { PROPOSE_OPTIONS } from '../../src/agent/agent-tools.js';
import type { App } from '../../src/app/container.js';
import { renderPng, type Simulator, startSimulator } from '../../src/higgsfield/simulator/index.js';
import { type AnthropicFake, startAnthropicFake, toolUse } from '../doubles/anthropic/anthropic-fake.js';
import {
  FILE_FETCH,
  type SlackApiDouble,
  type StoredMessage,
  startSlackApiDouble,
} from '../doubles/slack/slack-api-double.js';
import {
  appMentionEvent,
  messageEvent,
  sendBlockAction,
  sendEvent,
  sendSlashCommand,
} from '../doubles/slack/slack-requests.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';
import { expectRecorded, startPlatformApp } from './support/platform-app.js';
import { animateReply, failingReply, servePng } from './support/scripted-proposals.js';

const SECRET = 'test-signing-secret';
const CHANNEL = 'C0GENERAL';
const prefix = testPrefix('slack');
let double: SlackApiDouble;
let sim: Simulator;
let fake: AnthropicFake;
let app: App;
let mediaDir: string;
let events: string;

const proposal = {
  text: 'Two ways to show it:',
  options: [
    {
      model: 'higgsfield-ai/soul/v2/standard',
      prompt: 'Snowy peaks at sunset',
      label: 'Soul · Golden Hour still',
      reason: 'Warm.',
      style: 'Golden Hour',
    },
    {
      model: 'nano-banana',
      prompt: 'Snowy peaks poster with the title ALPS',
      label: 'Nano Banana poster',
      reason: 'Lettering.',
    },
  ],
};

beforeAll(async () => {
  double = await startSlackApiDouble({ uploadSizeLimitBytes: 48 * 1024 });
  double.addUser({ id: 'U0ALICE', name: 'alice' });
  double.addUser({ id: 'U0BOB', name: 'bob' });
  double.addUser({ id: 'U0ADMIN', name: 'admin', isAdmin: true });
  sim = await startSimulator({ queuedMs: 30, inProgressMs: 150, videoSizeBytes: 64 * 1024 });
  fake = await startAnthropicFake();
  fake.setDefault(toolUse(PROPOSE_OPTIONS, proposal));
  mediaDir = await mkdtemp(join(tmpdir(), 'higgsbot-slack-'));
  await startApp();
}, 30_000);

/** The app as `higgsbot start` runs it: HTTP mode with the signing secret, or Socket Mode with an app token. */
function startSlackBot(mode: 'http' | 'socket', queuePrefix: string): Promise<App> {
  return startPlatformApp({
    prefix: queuePrefix,
    simulatorUrl: sim.url,
    anthropicUrl: fake.url,
    mediaDir,
    platformEnv: {
      SLACK_BOT_TOKEN: double.botToken,
      ...(mode === 'http' ? { SLACK_SIGNING_SECRET: SECRET } : { SLACK_APP_TOKEN: double.appToken }),
      SLACK_API_URL: double.apiUrl,
    },
    http: mode === 'http',
  });
}

async function startApp(): Promise<void> {
  app = await startSlackBot('http', prefix);
  events = `${app.httpUrl}/slack/events`;
}

afterAll(async () => {
  for (const closer of app.closers) await closer.close();
  await double.close();
  await sim.close();
  await fake.close();
  await deleteKeys(redisUrl(), prefix);
  await rm(mediaDir, { recursive: true, force: true });
});

const actionIds = (m: StoredMessage): string[] =>
  (JSON.stringify(m.blocks ?? []).match(/"action_id":"([^"]+)"/g) ?? []).map((s) => s.slice(13, -1));
const botMessages = (thread: string) => double.messages(CHANNEL, thread).filter((m) => m.bot_id);

type CommandInput = Parameters<typeof sendSlashCommand>[2];

/**
 * The "<@user> asked: …" message a command started its thread with, found by what it is. Not by position:
 * the channel list holds thread replies too, and the options reply (or a late result of an earlier spec, from
 * either app) can land right after the starter.
 */
function starterOf(userId: string, known: ReadonlySet<string>): StoredMessage | undefined {
  return double
    .messages(CHANNEL)
    .find(
      (m) =>
        !known.has(m.ts) &&
        m.bot_id !== undefined &&
        (m.thread_ts === undefined || m.thread_ts === m.ts) &&
        m.text.startsWith(`<@${userId}> asked:`),
    );
}

/** A command in the channel, sent by `send`: its ack, its starter, its thread and the options posted there. */
async function ask<A>(send: (input: CommandInput) => Promise<A>, userId: string, text: string) {
  const known = new Set(double.messages(CHANNEL).map((m) => m.ts));
  const acked = await send({ command: '/imagine', text, userId, channelId: CHANNEL, teamId: double.teamId });
  await double.waitFor(() => starterOf(userId, known) !== undefined, 10_000);
  const starter = starterOf(userId, known)!;
  const hasOptions = (m: StoredMessage) => actionIds(m).some((id) => id.startsWith('o:'));
  await double.waitFor(() => botMessages(starter.ts).some(hasOptions), 10_000);
  const options = botMessages(starter.ts).find(hasOptions)!;
  return { acked, starter, thread: starter.ts, options };
}

/** /imagine over signed HTTP. */
const imagine = (userId: string, text: string) => ask((input) => sendSlashCommand(events, SECRET, input), userId, text);

/** A press of a button that is not ours (a link button of another app in the same message, say). */
const foreignButton = () => ({
  actionId: 'visit_website',
  value: 'https://example.com',
  userId: 'U0ALICE',
  channelId: CHANNEL,
  messageTs: '1700000000.000100',
  teamId: double.teamId,
});
const blocksOf = (m: StoredMessage | undefined) => JSON.stringify(m?.blocks ?? []);
const fileMessages = (thread: string) => double.files.filter((f) => f.threadTs === thread);
const uploadsAtSimulator = () => sim.stats().calls.filter((c) => c.path.includes('upload')).length;

const click = (userId: string, options: StoredMessage, index: number) => {
  const actionId = actionIds(options)[index]!;
  return sendBlockAction(events, SECRET, {
    actionId,
    value: actionId,
    userId,
    channelId: CHANNEL,
    messageTs: options.ts,
    threadTs: options.thread_ts!,
    teamId: double.teamId,
  });
};

describe('the Slack adapter', () => {
  it('/imagine: acked within 3 s, options in a thread, a click, status updates, the file in the thread', async () => {
    const { acked, thread, options } = await imagine('U0ALICE', 'cinematic sunset over mountains');
    expect(acked.status).toBe(200);
    expect(acked.elapsedMs).toBeLessThan(3_000);
    expect(actionIds(options)).toEqual([
      expect.stringMatching(/^o:[0-9A-Za-z]{10}:0$/),
      expect.stringMatching(/^o:[0-9A-Za-z]{10}:1$/),
    ]);

    const pressed = await click('U0ALICE', options, 0);
    expect(pressed.status).toBe(200);
    await double.waitFor(() => double.files.some((f) => f.threadTs === thread), 15_000);
    const file = double.files.find((f) => f.threadTs === thread)!;
    expect(file.altText).toBe('Snowy peaks at sunset');
    expect(file.sizeBytes).toBeGreaterThan(0);
    await double.waitFor(
      () => botMessages(thread).some((m) => m.text.includes('done') && actionIds(m).some((id) => id.startsWith('r:'))),
      10_000,
    );
    const status = botMessages(thread).find((m) => m.text.includes('Soul · Golden Hour still:'))!;
    // Edited as the generation moves (throttled to one edit per 3 s per message).
    await double.waitFor(() => double.calls.some((c) => c.method === 'chat.update' && c.args.ts === status.ts), 10_000);
    expect(double.calls.some((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('x:gen-'))).toBe(
      true,
    );

    // Recorded in the embedded history (PGlite) of this one-process app.
    const result = botMessages(thread).find((m) => actionIds(m).some((id) => id.startsWith('r:')))!;
    const generationId = actionIds(result)
      .find((id) => id.startsWith('r:'))!
      .slice(2);
    await expectRecorded(app, generationId, { platform: 'slack', userId: 'U0ALICE' });
  }, 40_000);

  it('rejects a bad signature and a stale timestamp, and does nothing for them', async () => {
    const before = double.calls.length;
    const input = { command: '/imagine', text: 'forged', userId: 'U0ALICE', channelId: CHANNEL, teamId: double.teamId };
    expect((await sendSlashCommand(events, SECRET, input, { signature: 'bad' })).status).toBe(401);
    expect((await sendSlashCommand(events, SECRET, input, { timestampSkewS: 600 })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(double.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
  });

  it('refuses a correctly signed request dated 10 minutes ahead, and a signed event sent as text/plain', async () => {
    const before = double.calls.length;
    const agentCalls = fake.requests.length;
    const input = {
      command: '/imagine',
      text: 'from the future',
      userId: 'U0ALICE',
      channelId: CHANNEL,
      teamId: double.teamId,
    };
    const future = await sendSlashCommand(events, SECRET, input, { timestampAheadS: 600 });
    expect(future.status).toBe(401);
    const mention = appMentionEvent({ userId: 'U0ALICE', channelId: CHANNEL, text: `<@${double.botUserId}> plain` });
    const plain = await sendEvent(events, SECRET, mention, { teamId: double.teamId }, { contentType: 'text/plain' });
    expect(plain.status).toBe(415);
    // A slash command's form labelled as JSON is refused too (Bolt cannot parse it).
    const mislabelled = await sendSlashCommand(events, SECRET, input, { contentType: 'application/json' });
    expect(mislabelled.status).toBe(400);
    await new Promise((r) => setTimeout(r, 300));
    expect(double.calls.slice(before).map((c) => c.method)).toEqual([]);
    expect(fake.requests.length).toBe(agentCalls);
    // A clock a little ahead of ours is still Slack: /help is answered.
    const help = { ...input, command: '/help', text: '' };
    expect((await sendSlashCommand(events, SECRET, help, { timestampAheadS: 60 })).status).toBe(200);
    await double.waitFor(() => double.calls.slice(before).some((c) => c.method === 'chat.postEphemeral'), 5_000);
  });

  it('acknowledges a button that is not ours at once, with an empty 200, and does nothing else', async () => {
    const before = double.calls.length;
    const pressed = await sendBlockAction(events, SECRET, foreignButton());
    expect(pressed).toMatchObject({ status: 200, body: '' });
    expect(pressed.elapsedMs).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(double.calls.slice(before)).toEqual([]);
  });

  it('a prompt full of mentions notifies no one: not the asked line, options, status, result, failure or notes', async () => {
    const words = '<!channel> <!here> <@U0BOB> <!subteam^S0TEAM|@artists> <!everyone> hi';
    fake.enqueue(
      toolUse(PROPOSE_OPTIONS, {
        text: `Three takes on ${words}:`,
        options: [
          {
            model: 'higgsfield-ai/soul/v2/standard',
            prompt: `${words} at dusk`,
            label: '<!here> Soul still',
            reason: '<@U0BOB> will like it',
            style: 'Golden Hour',
          },
          { model: 'nano-banana', prompt: `${words} sim:fail`, label: '<!channel> poster', reason: '<!everyone>' },
          {
            model: 'bytedance/seedream/v4/text-to-image',
            prompt: `${words} sim:stuck`,
            label: '<@U0BOB> still',
            reason: 'r',
          },
        ],
      }),
    );
    const { starter, thread, options } = await imagine('U0ALICE', words);
    expect(starter.text).toContain('&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOB&gt;');
    await click('U0ALICE', options, 0);
    await click('U0ALICE', options, 1);
    await click('U0ALICE', options, 2);
    await double.waitFor(() => botMessages(thread).some((m) => actionIds(m).some((id) => id.startsWith('r:'))), 15_000);
    await double.waitFor(() => botMessages(thread).some((m) => blocksOf(m).includes('Try again')), 15_000);
    // The stuck one is still running: /jobs lists it by its label, privately.
    const jobs = double.ephemerals.length;
    await sendSlashCommand(events, SECRET, {
      command: '/jobs',
      text: '',
      userId: 'U0ALICE',
      channelId: CHANNEL,
      teamId: double.teamId,
    });
    const jobsNote = () => double.ephemerals.slice(jobs).find((e) => e.text.startsWith('Your generations in progress'));
    await double.waitFor(() => jobsNote() !== undefined, 5_000);
    await click('U0ALICE', options, 0); // a duplicate: its note too
    await double.waitFor(() => double.ephemerals.slice(jobs).length >= 2, 5_000);

    const foreign = (mentions: readonly string[]) => mentions.filter((m) => m !== 'user:U0ALICE');
    const posted = double.messages(CHANNEL, thread);
    expect(posted.length).toBeGreaterThanOrEqual(6); // starter, options, 3 statuses, result, failure
    for (const message of posted)
      expect({ text: message.text, mentions: foreign(message.mentions) }).toMatchObject({ mentions: [] });
    for (const note of double.ephemerals.slice(jobs))
      expect({ text: note.text, mentions: foreign(note.mentions) }).toMatchObject({ mentions: [] });
    // Every status edit was escaped too.
    const updates = double.calls.filter((c) => c.method === 'chat.update' && posted.some((m) => m.ts === c.args.ts));
    expect(updates.length).toBeGreaterThan(0);
    for (const update of updates) expect(String(update.args.text)).not.toMatch(/<[!@]/);
    // The words still read as written: /jobs names the stuck one by its label.
    expect(jobsNote()?.text).toContain('&lt;@U0BOB&gt; still: ');
  }, 40_000);

  it('echoes a cleaned, shortened copy of a long request: no control or bidi characters, cut with an ellipsis', async () => {
    const request = `a fox\u0000 in\u001b[31m snow\u202e${' and more snow'.repeat(1_500)}`;
    expect(request.length).toBeGreaterThan(20_000);
    const known = new Set(double.messages(CHANNEL).map((m) => m.ts));
    await sendSlashCommand(events, SECRET, {
      command: '/imagine',
      text: request,
      userId: 'U0ALICE',
      channelId: CHANNEL,
      teamId: double.teamId,
    });
    await double.waitFor(() => starterOf('U0ALICE', known) !== undefined, 10_000);
    const asked = starterOf('U0ALICE', known)!.text;
    expect(asked.startsWith('<@U0ALICE> asked: a fox in [31m snow and more snow and more')).toBe(true);
    const hidden = (ch: string) => {
      const c = ch.codePointAt(0) ?? 0;
      return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    };
    expect([...asked].filter(hidden)).toEqual([]);
    expect(asked.endsWith('…')).toBe(true);
    expect(asked.length).toBeLessThanOrEqual('<@U0ALICE> asked: '.length + 300);
  });

  it('a storm of presses on one option queues it once and says "already queued" once', async () => {
    const { thread, options } = await imagine('U0ALICE', 'a storm in a teacup');
    const notes = () => double.ephemerals.filter((e) => e.user === 'U0ALICE' && e.thread_ts === thread);
    const presses = await Promise.all(Array.from({ length: 40 }, () => click('U0ALICE', options, 1)));
    expect(presses.map((p) => p.status)).toEqual(Array(40).fill(200));
    const statuses = () =>
      double.calls.filter(
        (c) => c.method === 'chat.postMessage' && c.args.thread_ts === thread && String(c.args.text).startsWith('⏳'),
      );
    await double.waitFor(() => statuses().length > 0 && notes().length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(statuses()).toHaveLength(1);
    expect(notes().map((n) => n.text)).toEqual([ALREADY_QUEUED_TEXT]);
  }, 30_000);

  it('refuses a click by someone else with an ephemeral note; a workspace admin may press it', async () => {
    const { thread, options } = await imagine('U0ALICE', 'a paper boat');
    const before = botMessages(thread).length;
    await click('U0BOB', options, 1);
    await double.waitFor(
      () => double.ephemerals.some((e) => e.user === 'U0BOB' && e.text.includes('Only the person who asked')),
      5_000,
    );
    expect(botMessages(thread)).toHaveLength(before);
    await click('U0ADMIN', options, 1);
    await double.waitFor(() => botMessages(thread).length > before, 5_000);
  }, 30_000);

  it('continues the conversation when mentioned in the thread, or replied to there', async () => {
    const { thread } = await imagine('U0ALICE', 'a lighthouse');
    const requests = fake.requests.length;
    const mention = appMentionEvent({
      userId: 'U0ALICE',
      channelId: CHANNEL,
      threadTs: thread,
      text: `<@${double.botUserId}> option 2 but vertical`,
    });
    expect((await sendEvent(events, SECRET, mention, { teamId: double.teamId })).status).toBe(200);
    const turn = () =>
      fake.requests.slice(requests).find((r) => JSON.stringify(r.body.messages[0]).includes('option 2 but vertical'));
    await double.waitFor(() => turn() !== undefined, 10_000);
    const context = JSON.stringify(turn()?.body.messages[0]);
    expect(context).toContain('Previous request: a lighthouse');
    expect(context).toContain('option 2 but vertical');
    const reply = messageEvent({ userId: 'U0ALICE', channelId: CHANNEL, threadTs: thread, text: 'warmer please' });
    await sendEvent(events, SECRET, reply, { teamId: double.teamId });
    await double.waitFor(() => fake.requests.length > requests + 1, 10_000);
    await double.waitFor(
      () => botMessages(thread).filter((m) => actionIds(m).some((id) => id.startsWith('o:'))).length >= 3,
      10_000,
    );
  }, 30_000);

  it('animates an image file in a mention: fetched with the bot token, re-hosted, options that use it', async () => {
    const png = renderPng('fox', 64);
    const file = double.addPrivateFile({ name: 'fox.png', mimetype: 'image/png', bytes: png, user: 'U0ALICE' });
    fake.enqueue(animateReply());
    const uploadsBefore = uploadsAtSimulator();
    const ts = (Date.now() / 1000).toFixed(6);
    const mention = appMentionEvent({
      userId: 'U0ALICE',
      channelId: CHANNEL,
      ts,
      text: `<@${double.botUserId}> make this move`,
      files: [{ ...file, name: 'fox.png', mimetype: 'image/png', size: png.length }],
    });
    expect((await sendEvent(events, SECRET, mention, { teamId: double.teamId })).status).toBe(200);
    await double.waitFor(() => botMessages(ts).some((m) => actionIds(m).some((id) => id.startsWith('o:'))), 10_000);
    const options = botMessages(ts).find((m) => actionIds(m).some((id) => id.startsWith('o:')))!;
    expect(options.thread_ts).toBe(ts);
    expect(blocksOf(options)).toContain('DoP zoom');
    // Fetched once with the bot token (without it Slack answers a sign-in page), then put in Higgsfield's
    // storage before the agent saw the request.
    const fetches = double.calls.filter((c) => c.method === FILE_FETCH && String(c.args.path).includes(file.id));
    expect(fetches.map((c) => c.args.withBotToken)).toEqual([true]);
    expect(uploadsAtSimulator()).toBeGreaterThan(uploadsBefore);
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages[0])).toContain('an image is attached');

    const submits = sim.stats().calls.filter((c) => c.path.includes('image-to-video')).length;
    await click('U0ALICE', options, 1);
    await double.waitFor(() => botMessages(ts).some((m) => actionIds(m).some((id) => id.startsWith('r:'))), 15_000);
    expect(sim.stats().calls.filter((c) => c.path.includes('image-to-video')).length).toBe(submits + 1);
  }, 40_000);

  it('refuses a file from outside Slack with a clear note, before fetching it and without sending the token', async () => {
    const outside = await servePng();
    try {
      const ts = (Date.now() / 1000).toFixed(6);
      const url = `http://localhost:${outside.port}/fox.png`;
      const mention = appMentionEvent({
        userId: 'U0ALICE',
        channelId: CHANNEL,
        ts,
        text: `<@${double.botUserId}> animate this`,
        files: [{ id: 'F0OUTSIDE', name: 'fox.png', mimetype: 'image/png', size: 100, url_private: url }],
      });
      await sendEvent(events, SECRET, mention, { teamId: double.teamId });
      await double.waitFor(
        () => double.ephemerals.some((e) => e.user === 'U0ALICE' && e.text.includes('only accepted from')),
        10_000,
      );
      expect(outside.seen).toEqual([]);
      expect(botMessages(ts)).toHaveLength(0);
    } finally {
      outside.close();
    }
  });

  it('refuses a file that is not an image, or too large, before fetching it', async () => {
    const pdf = double.addPrivateFile({ name: 'a.pdf', mimetype: 'application/pdf', bytes: Buffer.from('%PDF') });
    const big = double.addPrivateFile({ name: 'b.png', mimetype: 'image/png', bytes: renderPng('b', 8) });
    const calls = double.calls.length;
    for (const [file, mimetype, size, says] of [
      [pdf, 'application/pdf', 4, 'not an image'],
      [big, 'image/png', 50 * 1024 * 1024, 'the limit is'],
    ] as const) {
      const mention = appMentionEvent({
        userId: 'U0BOB',
        channelId: CHANNEL,
        text: `<@${double.botUserId}> animate`,
        files: [{ ...file, name: 'x', mimetype, size }],
      });
      await sendEvent(events, SECRET, mention, { teamId: double.teamId });
      await double.waitFor(() => double.ephemerals.some((e) => e.user === 'U0BOB' && e.text.includes(says)), 10_000);
    }
    expect(double.calls.slice(calls).some((c) => c.method === FILE_FETCH)).toBe(false);
  });

  it('posts a video Slack refuses as too large as a link, with the buttons', async () => {
    fake.enqueue(
      toolUse(PROPOSE_OPTIONS, {
        text: 'Two clips:',
        options: [
          {
            model: 'bytedance/seedance/v1/lite/text-to-video',
            prompt: 'Waves rolling in at night',
            label: 'Seedance waves',
            reason: 'Motion.',
            params: { duration: 5 },
          },
          { model: 'nano-banana', prompt: 'Waves poster', label: 'Nano Banana poster', reason: 'Still.' },
        ],
      }),
    );
    const { thread, options } = await imagine('U0ALICE', 'waves at night');
    await click('U0ALICE', options, 0);
    const linked = () => botMessages(thread).find((m) => blocksOf(m).includes('Watch the video'));
    await double.waitFor(() => linked() !== undefined, 15_000);
    expect(blocksOf(linked())).toContain('too large to upload here');
    expect(actionIds(linked()!)).toEqual([expect.stringMatching(/^r:/)]);
    expect(fileMessages(thread)).toHaveLength(0);
    // Slack answered file_too_large at completion: the bytes went up once, and were not retried.
    expect(
      double.calls.filter((c) => c.method === 'files.completeUploadExternal' && c.args.thread_ts === thread),
    ).toHaveLength(1);
  }, 40_000);

  it('posts a failed generation as a clear message in the thread, with Try again', async () => {
    fake.enqueue(failingReply());
    const { thread, options } = await imagine('U0ALICE', 'a robot');
    await click('U0ALICE', options, 0);
    const failed = () => botMessages(thread).find((m) => blocksOf(m).includes('⚠️ *Nano Banana robot*'));
    await double.waitFor(() => failed() !== undefined, 15_000);
    expect(blocksOf(failed())).toContain('Try again');
    expect(failed()?.text).toMatch(/^Nano Banana robot: [A-Z].+/);
    expect(failed()?.text).not.toMatch(/Error:|at \w+ \(/);
  }, 30_000);

  it('keeps buttons working after the app restarts', async () => {
    const { thread, options } = await imagine('U0ALICE', 'a koi pond');
    for (const closer of app.closers) await closer.close();
    await startApp();
    await click('U0ALICE', options, 0);
    await double.waitFor(() => fileMessages(thread).length > 0, 15_000);
  }, 40_000);

  it('answers a DM with options, and /help privately', async () => {
    const dm = messageEvent({ userId: 'U0BOB', channelId: 'D0BOB', text: 'a fox in the snow' });
    await sendEvent(events, SECRET, dm, { teamId: double.teamId });
    await double.waitFor(() => double.messages('D0BOB').some((m) => m.bot_id && actionIds(m).length > 0), 10_000);
    await sendSlashCommand(events, SECRET, {
      command: '/help',
      text: '',
      userId: 'U0BOB',
      channelId: CHANNEL,
      teamId: double.teamId,
    });
    await double.waitFor(() => double.ephemerals.some((e) => e.user === 'U0BOB' && e.text.includes('/imagine')), 5_000);
  }, 20_000);
});

describe('the Slack adapter in Socket Mode', () => {
  let socketApp: App;
  beforeAll(async () => {
    socketApp = await startSlackBot('socket', `${prefix}-socket`);
    await double.waitForSocket(10_000);
  }, 30_000);
  afterAll(async () => {
    for (const closer of socketApp.closers) await closer.close();
    await double.waitFor(() => double.socketConnections() === 0, 5_000);
    await deleteKeys(redisUrl(), `${prefix}-socket`);
  });

  it('/imagine over the socket: acked, options in a thread, a click, the file in the thread', async () => {
    const { acked, thread, options } = await ask(
      (input) => double.socketSlashCommand(input),
      'U0ALICE',
      'a heron at dawn',
    );
    expect(acked.ackedInMs).toBeLessThan(3_000);
    const actionId = actionIds(options)[0]!;
    const clicked = await double.socketBlockAction({
      actionId,
      value: actionId,
      userId: 'U0ALICE',
      channelId: CHANNEL,
      messageTs: options.ts,
      threadTs: thread,
      teamId: double.teamId,
    });
    expect(clicked.ackedInMs).toBeLessThan(3_000);
    await double.waitFor(() => fileMessages(thread).length > 0, 15_000);
    expect(fileMessages(thread)[0]?.altText).toBe('Snowy peaks at sunset');
  }, 40_000);

  it('acknowledges a button that is not ours over the socket too', async () => {
    const clicked = await double.socketBlockAction(foreignButton());
    expect(clicked.ackedInMs).toBeLessThan(1_000);
    expect(clicked.ackPayload).toEqual({});
  });

  it('answers a mention in a thread over the socket', async () => {
    const ts = (Date.now() / 1000).toFixed(6);
    const mention = appMentionEvent({
      userId: 'U0BOB',
      channelId: CHANNEL,
      ts,
      text: `<@${double.botUserId}> a paper crane`,
    });
    await double.socketEvent(mention, { teamId: double.teamId, botUserId: double.botUserId });
    await double.waitFor(() => botMessages(ts).some((m) => actionIds(m).some((id) => id.startsWith('o:'))), 10_000);
  }, 20_000);
});

/**
 * What a person is told when handling their command, event or button press fails, when they press the same
 * button over and over, and what Slack's commands answer: Slack's platform (createSlackPlatform) started in
 * HTTP mode, its route mounted on our own HTTP server as the composition root mounts it, the real Bolt app
 * behind it over signed HTTP, and the Slack double, with an assistant whose answers each spec scripts, so an
 * outage of our Redis or a bug can be played exactly. The log is captured to check that the reference a
 * person is given finds its one log line.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACK_PRIORITY_MAX_WAIT_MS } from '../../src/ack-backlog.js';
import { ALREADY_QUEUED_TEXT } from '../../src/adapters/shared/message-text.js';
import { SLACK_EVENTS_PATH } from '../../src/adapters/slack/slack-app.js';
import { createSlackPlatform } from '../../src/adapters/slack/slack-platform.js';
import type { Assistant, ChoiceOutcome } from '../../src/core/assistant.js';
import type { PlatformAdapter } from '../../src/core/platform.js';
import { BRIEFLY_UNAVAILABLE_TEXT } from '../../src/errors.js';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { type SlackApiDouble, startSlackApiDouble } from '../doubles/slack/slack-api-double.js';
import { messageEvent, sendBlockAction, sendEvent, sendSlashCommand } from '../doubles/slack/slack-requests.js';

const SECRET = 'test-signing-secret';
const CHANNEL = 'C0GENERAL';
const OPTION_BUTTON = 'o:AbCdEfGh12:0';
const GENERATION = 'gen-00000000-0000-4000-8000-000000000000';

/** The assistant's answers, scripted per spec; anything unscripted is a bug in the spec. */
const script: Partial<Record<keyof Assistant, (...args: never[]) => Promise<unknown>>> = {};
const assistant = new Proxy({} as Assistant, {
  get: (_target, name) => {
    if (typeof name !== 'string' || name === 'then') return undefined;
    return script[name as keyof Assistant] ?? (() => Promise.reject(new Error(`unscripted assistant.${name}`)));
  },
});
/** What Slack's handlers must not need in these specs. */
const unused = (what: string) => () => Promise.reject(new Error(`Slack's handlers used ${what}`));

const logLines: Array<Record<string, unknown>> = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  }),
});

let double: SlackApiDouble;
let slack: PlatformAdapter;
let server: HttpServer;
let events: string;

beforeAll(async () => {
  double = await startSlackApiDouble();
  slack = createSlackPlatform(
    { botToken: double.botToken, signingSecret: SECRET, apiUrl: double.apiUrl },
    {
      store: createLocalMediaStore({ dir: join(tmpdir(), 'higgsbot-slack-handlers-unused') }),
      logger: silentLogger(),
      console: { output: new PassThrough() },
    },
  );
  server = await startHttpServer({ port: 0, host: '127.0.0.1', logger: silentLogger(), routes: [...slack.routes] });
  await slack.start({
    assistant,
    searchStyles: unused('searchStyles'),
    rehost: unused('rehost'),
    progress: { publish: unused('progress.publish'), subscribe: unused('progress.subscribe') },
    afterAcks: () => server.backlog.drained(ACK_PRIORITY_MAX_WAIT_MS),
    logger,
  });
  events = `${server.url}${SLACK_EVENTS_PATH}`;
});

afterEach(() => {
  for (const name of Object.keys(script)) delete script[name as keyof Assistant];
});

afterAll(async () => {
  await server.close();
  await slack.stop();
  await double.close();
});

/** ioredis's error while our Redis is down. */
const redisDown = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', errno: -111 });

const notesTo = (user: string, since: number) => double.ephemerals.slice(since).filter((e) => e.user === user);

async function noteAfter(user: string, act: () => Promise<unknown>): Promise<string> {
  const since = double.ephemerals.length;
  await act();
  await double.waitFor(() => notesTo(user, since).length > 0, 5_000);
  await new Promise((r) => setTimeout(r, 100));
  const notes = notesTo(user, since);
  expect(notes).toHaveLength(1);
  return notes[0]?.text ?? '';
}

const press = (actionId = OPTION_BUTTON, userId = 'U0ALICE') =>
  sendBlockAction(events, SECRET, {
    actionId,
    value: actionId,
    userId,
    channelId: CHANNEL,
    messageTs: '1700000000.000200',
    threadTs: '1700000000.000100',
    teamId: double.teamId,
  });

const command = (name: string, text = '', userId = 'U0ALICE') =>
  sendSlashCommand(events, SECRET, { command: name, text, userId, channelId: CHANNEL, teamId: double.teamId });

/** Log lines since `since` that carry this reference id. */
const linesWith = (reference: string, since: number) => logLines.slice(since).filter((l) => l.reference === reference);

describe('Slack: what a person hears when handling fails', () => {
  it('a bug while handling a press: a fresh reference that finds its one log line, not the button id', async () => {
    script.choose = () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'label')"));
    const since = logLines.length;
    const text = await noteAfter('U0ALICE', () => press());
    const reference = /\(reference ([^)]+)\)/.exec(text)?.[1];
    expect(text).toMatch(/^Something went wrong on our side \(reference [0-9a-f]{10}\)\. Please try again\.$/);
    expect(reference).not.toBe(OPTION_BUTTON);
    expect(linesWith(reference ?? '', since)).toEqual([
      expect.objectContaining({
        level: 50,
        actionId: OPTION_BUTTON,
        err: expect.objectContaining({ type: 'TypeError' }),
      }),
    ]);
  });

  it('our Redis down while handling a press: "briefly unavailable", logged as an outage, not as a bug', async () => {
    script.choose = () => Promise.reject(redisDown());
    const since = logLines.length;
    expect(await noteAfter('U0ALICE', () => press())).toBe(BRIEFLY_UNAVAILABLE_TEXT);
    expect(logLines.slice(since).filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it('a bug while answering /imagine: a fresh reference, not the channel id, in the thread it started', async () => {
    script.handleMessage = () => Promise.reject(new RangeError('Invalid time value'));
    const since = logLines.length;
    const text = await noteAfter('U0ALICE', () => command('/imagine', 'a lighthouse'));
    const reference = /\(reference ([^)]+)\)/.exec(text)?.[1] ?? '';
    expect(reference).toMatch(/^[0-9a-f]{10}$/);
    expect(linesWith(reference, since)).toHaveLength(1);
    const starter = double.messages(CHANNEL).find((m) => m.text === '<@U0ALICE> asked: a lighthouse');
    expect(double.ephemerals.at(-1)?.thread_ts).toBe(starter?.ts);
  });

  it('/jobs while our Redis is down: "briefly unavailable" rather than silence', async () => {
    script.activeJobs = () => Promise.reject(redisDown());
    expect(await noteAfter('U0ALICE', () => command('/jobs'))).toBe(BRIEFLY_UNAVAILABLE_TEXT);
  });

  it('a reply in a thread while our Redis is down: "briefly unavailable" in that thread', async () => {
    script.hasHistory = () => Promise.reject(redisDown());
    const thread = '1700000000.000300';
    const reply = messageEvent({ userId: 'U0BOB', channelId: CHANNEL, threadTs: thread, text: 'warmer please' });
    const text = await noteAfter('U0BOB', () => sendEvent(events, SECRET, reply, { teamId: double.teamId }));
    expect(text).toBe(BRIEFLY_UNAVAILABLE_TEXT);
    expect(double.ephemerals.at(-1)?.thread_ts).toBe(thread);
  });
});

describe('Slack: presses of an option already queued', () => {
  const queued = (extra: Partial<Extract<ChoiceOutcome, { kind: 'queued' }>>): ChoiceOutcome => ({
    kind: 'queued',
    option: {
      kind: 'text-to-image',
      modelId: 'nano-banana',
      prompt: 'p',
      params: {},
      label: 'Nano Banana poster',
      reason: 'r',
    },
    conversation: {
      platform: 'slack',
      workspaceId: double.teamId,
      channelId: CHANNEL,
      threadId: '1700000000.000100',
      userId: 'U0ALICE',
    },
    generationId: GENERATION,
    duplicate: true,
    position: 1,
    estimatedWaitMs: 1_000,
    ...extra,
  });

  /** Web API calls made since `since`, once `settled` holds and a moment has passed for stragglers. */
  async function callsAfter(since: number, settled: () => boolean): Promise<string[]> {
    await double.waitFor(settled, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    return double.calls.slice(since).map((c) => c.method);
  }

  it('a press that queues the option: acknowledged, and nothing posted by the adapter (the status message is the publisher’s)', async () => {
    let chosen = 0;
    script.choose = () => {
      chosen += 1;
      return Promise.resolve(queued({ duplicate: false }));
    };
    const since = double.calls.length;
    expect((await press()).status).toBe(200);
    expect(await callsAfter(since, () => chosen === 1)).toEqual([]);
  });

  it('a Re-roll that queues: nothing posted by the adapter either', async () => {
    let rerolled = 0;
    script.reroll = () => {
      rerolled += 1;
      return Promise.resolve(queued({ duplicate: false }));
    };
    const since = double.calls.length;
    expect((await press(`r:${GENERATION}`)).status).toBe(200);
    expect(await callsAfter(since, () => rerolled === 1)).toEqual([]);
  });

  it('a duplicate the person was not told about yet: one "already queued" note, and no second status', async () => {
    script.choose = () => Promise.resolve(queued({}));
    const posts = double.calls.filter((c) => c.method === 'chat.postMessage').length;
    expect(await noteAfter('U0ALICE', () => press())).toBe(ALREADY_QUEUED_TEXT);
    expect(double.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(posts);
  });

  it('a duplicate they were told about a moment ago (quiet): nothing at all', async () => {
    let pressed = 0;
    script.choose = () => {
      pressed += 1;
      return Promise.resolve(queued({ quiet: true }));
    };
    const since = double.calls.length;
    const presses = await Promise.all(Array.from({ length: 20 }, () => press()));
    expect(presses.map((p) => p.status)).toEqual(Array(20).fill(200));
    expect(await callsAfter(since, () => pressed === 20)).toEqual([]);
  });
});

describe('Slack: what the slash commands answer', () => {
  it('/help: a private note listing exactly Slack’s commands, in Slack’s markup', async () => {
    const text = await noteAfter('U0ALICE', () => command('/help'));
    const listed = text.split('\n').filter((line) => line.startsWith('• `/'));
    expect(listed.map((line) => /^• `(\/\w+)/.exec(line)?.[1])).toEqual(slack.commands.map((c) => `/${c.name}`));
    expect(listed[0]).toBe(
      '• `/imagine prompt [aspect]` — Get a few image ideas for your prompt, then pick one to generate',
    );
    expect(text).toContain('*Re-roll*');
    expect(text).not.toContain('/animate');
  });

  it('/jobs: the person’s generations in progress, privately, one line each', async () => {
    script.activeJobs = () =>
      Promise.resolve([
        { generationId: GENERATION, modelId: 'nano-banana', label: 'Nano Banana <poster>', state: 'rendering' },
        { generationId: GENERATION, modelId: 'soul', label: 'Soul still', state: 'queued', position: 2 },
      ]);
    expect(await noteAfter('U0ALICE', () => command('/jobs'))).toBe(
      'Your generations in progress:\n• Nano Banana &lt;poster&gt;: rendering\n• Soul still: queued (position 2)',
    );
  });

  it('/video: a thread started in the channel, and a turn with the video hint in it', async () => {
    const turns: unknown[] = [];
    script.handleMessage = (request: never) => {
      turns.push(request);
      return Promise.resolve({ kind: 'hint', text: 'Tell me more about the clip.' });
    };
    expect((await command('/video', 'waves at night')).status).toBe(200);
    await double.waitFor(() => turns.length === 1, 5_000);
    const starter = double.messages(CHANNEL).find((m) => m.text === '<@U0ALICE> asked: waves at night');
    expect(turns[0]).toMatchObject({
      text: 'waves at night',
      intent: 'video',
      conversation: { channelId: CHANNEL, threadId: starter?.ts, userId: 'U0ALICE' },
    });
    await double.waitFor(() => double.messages(CHANNEL, starter?.ts).some((m) => m.text.includes('Tell me more')));
  });
});

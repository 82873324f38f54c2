/**
 * Slack on the platform contract, as the composition root sees it: what it serves on the bot's HTTP port
 * (POST /slack/events in HTTP mode, answering 503 until started and verifying signatures once it is; nothing
 * in Socket Mode, which connects out), the commands it offers against the manifest Slack is set up from,
 * and what `higgsbot doctor` prints about it. The real Bolt app and Web API client against the Slack double,
 * the route on our own HTTP server.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackConfig } from '../../src/adapters/slack/slack-config.js';
import { createSlackPlatform } from '../../src/adapters/slack/slack-platform.js';
import type { Assistant } from '../../src/core/assistant.js';
import type { PlatformAdapter, PlatformServices } from '../../src/core/platform.js';
import { type HttpServer, startHttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';
import { type SlackApiDouble, startSlackApiDouble } from '../doubles/slack/slack-api-double.js';
import { sendSlashCommand } from '../doubles/slack/slack-requests.js';

const SECRET = 'test-signing-secret';
const CHANNEL = 'C0GENERAL';

let double: SlackApiDouble;

beforeAll(async () => {
  double = await startSlackApiDouble();
});

afterAll(async () => {
  await double.close();
});

const platformDeps = () => ({
  store: createLocalMediaStore({ dir: join(tmpdir(), 'higgsbot-slack-platform-unused') }),
  logger: silentLogger(),
  console: { output: new PassThrough() },
});

const httpConfig = (): SlackConfig => ({ botToken: double.botToken, signingSecret: SECRET, apiUrl: double.apiUrl });
const socketConfig = (): SlackConfig => ({
  botToken: double.botToken,
  appToken: double.appToken,
  apiUrl: double.apiUrl,
});

/** What these specs' Slack must not need: each use is a bug in the adapter or the spec. */
const unused = (what: string) => () => Promise.reject(new Error(`Slack used ${what} in a spec that gives none`));
const services = (afterAcks: () => Promise<void> = () => Promise.resolve()): PlatformServices => ({
  assistant: new Proxy({} as Assistant, {
    get: (_target, name) => (typeof name === 'string' && name !== 'then' ? unused(`assistant.${name}`) : undefined),
  }),
  searchStyles: unused('searchStyles'),
  rehost: unused('rehost'),
  progress: { publish: unused('progress.publish'), subscribe: unused('progress.subscribe') },
  afterAcks,
  logger: silentLogger(),
});

const help = (userId: string) => ({ command: '/help', text: '', userId, channelId: CHANNEL, teamId: double.teamId });

describe('Slack in HTTP mode', () => {
  let slack: PlatformAdapter;
  let server: HttpServer;
  let events: string;

  beforeAll(async () => {
    slack = createSlackPlatform(httpConfig(), platformDeps());
    server = await startHttpServer({ port: 0, host: '127.0.0.1', logger: silentLogger(), routes: [...slack.routes] });
    events = `${server.url}/slack/events`;
  });
  afterAll(async () => {
    await slack.stop();
    await server.close();
  });

  it('serves one route, POST /slack/events, and publishes as slack', () => {
    expect(slack.id).toBe('slack');
    expect(slack.publisher.platform).toBe('slack');
    expect(slack.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /slack/events']);
  });

  it('answers 503 "starting" before it is started, so Slack retries, and does nothing for the request', async () => {
    const before = double.calls.length;
    const early = await sendSlashCommand(events, SECRET, help('U0EARLY'));
    expect(early.status).toBe(503);
    expect(JSON.parse(early.body)).toEqual({ error: 'starting' });
    expect(double.calls.slice(before)).toEqual([]);
  });

  it('once started: refuses a bad signature with 401, and answers a signed /help privately', async () => {
    let waits = 0;
    await slack.start(
      services(async () => {
        waits += 1;
      }),
    );
    const before = double.calls.length;
    expect((await sendSlashCommand(events, SECRET, help('U0FORGER'), { signature: 'bad' })).status).toBe(401);
    const answered = await sendSlashCommand(events, SECRET, help('U0ALICE'));
    expect(answered.status).toBe(200);
    await double.waitFor(() => double.ephemerals.some((e) => e.user === 'U0ALICE' && e.text.includes('/imagine')));
    expect(double.ephemerals.some((e) => e.user === 'U0FORGER')).toBe(false);
    expect(double.calls.slice(before).map((c) => c.method)).toEqual(['chat.postEphemeral']);
    // The work after the acknowledgement waited for the server's backlog, once.
    expect(waits).toBe(1);
  });

  it('after stop, answers 503 again', async () => {
    await slack.stop();
    expect((await sendSlashCommand(events, SECRET, help('U0LATE'))).status).toBe(503);
  });

  it('doctor: authorized in the workspace as the bot, in HTTP mode at its route', async () => {
    expect(await slack.check()).toEqual([
      {
        name: 'Slack',
        status: 'ok',
        detail: 'authorized in Higgs Test as higgsbot; HTTP mode (Events API at /slack/events)',
      },
    ]);
  });
});

describe('Slack in Socket Mode', () => {
  it('serves no route, connects out when started, and disconnects when stopped', async () => {
    const slack = createSlackPlatform(socketConfig(), platformDeps());
    expect(slack.routes).toEqual([]);
    let waits = 0;
    await slack.start(
      services(async () => {
        waits += 1;
      }),
    );
    try {
      await double.waitForSocket(10_000);
      const acked = await double.socketSlashCommand(help('U0SOCKET'));
      expect(acked.ackedInMs).toBeLessThan(3_000);
      await double.waitFor(() => double.ephemerals.some((e) => e.user === 'U0SOCKET'));
      // No HTTP server's backlog to wait for: acknowledgements go out on the socket.
      expect(waits).toBe(0);
    } finally {
      await slack.stop();
    }
    await double.waitFor(() => double.socketConnections() === 0, 5_000);
  }, 20_000);

  it('doctor: authorized, in Socket Mode', async () => {
    const checks = await createSlackPlatform(socketConfig(), platformDeps()).check();
    expect(checks).toEqual([
      { name: 'Slack', status: 'ok', detail: 'authorized in Higgs Test as higgsbot; Socket Mode' },
    ]);
  });
});

describe('Slack’s commands and doctor check', () => {
  it('offers exactly the slash commands the manifest declares', () => {
    const manifest = readFileSync(new URL('../../commands/slack-manifest.yml', import.meta.url), 'utf8');
    const declared = [...manifest.matchAll(/^\s*- command:\s*["']?(\/[\w-]+)/gm)].map((m) => m[1]);
    const offered = createSlackPlatform(httpConfig(), platformDeps()).commands.map((c) => `/${c.name}`);
    expect(offered).toEqual(['/imagine', '/video', '/jobs', '/history', '/show', '/forget', '/help']);
    expect([...declared].sort()).toEqual([...offered].sort());
  });

  it('doctor: a token Slack refuses fails, with Slack’s reason', async () => {
    const slack = createSlackPlatform({ ...httpConfig(), botToken: 'xoxb-revoked' }, platformDeps());
    expect(await slack.check()).toEqual([
      { name: 'Slack', status: 'fail', detail: expect.stringMatching(/^token not usable: .*invalid_auth/) },
    ]);
  });
});

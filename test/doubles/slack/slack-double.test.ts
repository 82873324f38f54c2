/**
 * Spec for the local Slack double, driven by the real @slack/web-api WebClient and a real Bolt App over HTTP and
 * over Socket Mode.
 * Non-obvious: Bolt is started with `{ port: 0, host: '127.0.0.1' }` and the URL read from the returned server,
 * which avoids the free-port race; its constructor already calls auth.test, so the double starts first. The Socket
 * Mode receiver gets a 1 s clientPingTimeout because socket-mode waits that long before every reconnect (5 s default).
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import {
  type Logger,
  type WebAPIPlatformError,
  WebClient,
  WebClientEvent,
  type WebClientOptions,
} from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { findBlockViolations, SLACK_LIMITS } from './limits.js';
import { startResponseUrlSink } from './response-url-sink.js';
import { type SlackApiDouble, SOCKET_ACK, SOCKET_SEND, startSlackApiDouble, UPLOAD_STEP } from './slack-api-double.js';
import {
  appMentionEvent,
  FORM_CONTENT_TYPE,
  messageEvent,
  postSigned,
  sendBlockAction,
  sendEvent,
  sendSlashCommand,
} from './slack-requests.js';

const SECRET = 'test-signing-secret';
const CHANNEL = 'C0GEN';
const noop = (): void => {};
const quiet: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  setLevel: noop,
  setName: noop,
  getLevel: () => LogLevel.ERROR,
};

let double: SlackApiDouble;
let cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  double = await startSlackApiDouble();
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  await double.close();
});

function client(extra: WebClientOptions = {}, target: SlackApiDouble = double, token = target.botToken): WebClient {
  return new WebClient(token, { slackApiUrl: target.apiUrl, logger: quiet, retryConfig: { retries: 0 }, ...extra });
}

function platformError(promise: Promise<unknown>): Promise<WebAPIPlatformError['data']> {
  const unexpected = () => Promise.reject(new Error('expected the call to fail'));
  return promise.then(unexpected, (error: WebAPIPlatformError) => error.data);
}

describe('Slack Web API double with the real WebClient', () => {
  it('records chat.postMessage into a thread and applies chat.update to it', async () => {
    const parent = double.addUserMessage({ channel: CHANNEL, user: 'U0ALICE', text: '<@U0BOT> a cat' });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Pick one' } }];
    const posted = await client().chat.postMessage({
      channel: CHANNEL,
      thread_ts: parent.ts,
      text: 'Pick one',
      blocks,
    });
    expect(posted).toMatchObject({ ok: true, channel: CHANNEL, message: { thread_ts: parent.ts, user: 'U0BOT' } });
    expect(double.calls[0]).toMatchObject({ method: 'chat.postMessage', args: { blocks, thread_ts: parent.ts } });

    await client().chat.update({ channel: CHANNEL, ts: posted.ts ?? '', text: 'Picked option 2', blocks: [] });
    const thread = double.messages(CHANNEL, parent.ts);
    expect(thread.map((m) => m.text)).toEqual(['<@U0BOT> a cat', 'Picked option 2']);
    expect(thread[0]).toMatchObject({ reply_count: 1, thread_ts: parent.ts });
    expect(thread[1]).toMatchObject({ ts: posted.ts, bot_id: 'B0BOT', blocks: [], edited: { user: 'U0BOT' } });

    const missing = await platformError(client().chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' }));
    expect(missing.error).toBe('message_not_found');
  });

  it('completes filesUploadV2 (URL, byte POST, completion) and shares the file into the thread', async () => {
    const parent = double.addUserMessage({ channel: CHANNEL, user: 'U0ALICE', text: 'draw' });
    const bytes = Buffer.alloc(1234, 7);
    const result = await client().filesUploadV2({
      channel_id: CHANNEL,
      thread_ts: parent.ts,
      file: bytes,
      filename: 'cat.png',
      title: 'A cat',
      alt_text: 'a cat on a mat',
      initial_comment: 'Here you go',
    });
    expect(double.calls.map((c) => c.method)).toEqual([
      'files.getUploadURLExternal',
      UPLOAD_STEP,
      'files.completeUploadExternal',
    ]);
    expect(double.calls[1]?.args.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(double.files).toEqual([
      expect.objectContaining({
        name: 'cat.png',
        title: 'A cat',
        altText: 'a cat on a mat',
        sizeBytes: 1234,
        mimetype: 'image/png',
        channel: CHANNEL,
        threadTs: parent.ts,
        initialComment: 'Here you go',
      }),
    ]);
    expect(double.files[0]?.bytes.equals(bytes)).toBe(true);
    const share = double.messages(CHANNEL, parent.ts).at(-1);
    expect(share).toMatchObject({ text: 'Here you go', thread_ts: parent.ts, files: [{ id: double.files[0]?.id }] });
    expect(JSON.stringify(result.files)).toContain(double.files[0]?.id ?? 'missing');
  });

  it('refuses an upload over uploadSizeLimitBytes at completion with file_too_large', async () => {
    const small = await startSlackApiDouble({ uploadSizeLimitBytes: 100 });
    cleanups.push(() => small.close());
    const web = client({}, small);
    const data = await platformError(
      web.filesUploadV2({ channel_id: CHANNEL, file: Buffer.alloc(101), filename: 'a.png' }),
    );
    expect(data.error).toBe('file_too_large');
    expect(small.files).toEqual([]);
  });

  it('rejects a 256-char action_id with invalid_blocks naming the violation, and over-long text', async () => {
    const blocks = [
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'a'.repeat(256), text: { type: 'plain_text', text: 'Go' } }],
      },
    ];
    const data = await platformError(client().chat.postMessage({ channel: CHANNEL, text: 'x', blocks }));
    expect(data.error).toBe('invalid_blocks');
    expect(data.response_metadata?.messages).toEqual([
      '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
    ]);
    const tooLong = await platformError(client().chat.postMessage({ channel: CHANNEL, text: 'x'.repeat(40_001) }));
    expect(tooLong.error).toBe('msg_too_long');
    expect(double.messages(CHANNEL)).toEqual([]);
  });

  it('checks every Block Kit limit it enforces', () => {
    const go = { type: 'plain_text', text: 'Go' };
    const actions = (over: Record<string, unknown>) => [
      { type: 'actions', elements: [{ type: 'button', text: go, ...over }] },
    ];
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    const cases: Array<[unknown, string[]]> = [
      [Array.from({ length: SLACK_LIMITS.blocksPerMessage + 1 }, () => section('ok')), ['/blocks']],
      [[{ type: 'actions', elements: Array(26).fill({ type: 'button', text: go }) }], ['/blocks/0/elements']],
      [[{ ...actions({})[0], block_id: 'b'.repeat(256) }], ['/blocks/0/block_id']],
      [actions({ text: { type: 'plain_text', text: 'x'.repeat(76) } }), ['/blocks/0/elements/0/text/text']],
      [actions({ value: 'v'.repeat(2001) }), ['/blocks/0/elements/0/value']],
      [[section('s'.repeat(3001))], ['/blocks/0/text/text']],
      [[section('s'.repeat(3000)), ...actions({ value: 'v'.repeat(2000), action_id: 'a'.repeat(255) })], []],
    ];
    for (const [blocks, expected] of cases) expect(findBlockViolations(blocks).map((v) => v.pointer)).toEqual(expected);
  });

  it('lets web-api retry a 429 after its Retry-After', async () => {
    const rateLimited = vi.fn();
    const web = client({ retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 20 } });
    web.on(WebClientEvent.RATE_LIMITED, rateLimited);
    double.failNext('chat.postMessage', { status: 429, retryAfterS: 1 });
    const started = Date.now();
    await web.chat.postMessage({ channel: CHANNEL, text: 'hello' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rateLimited).toHaveBeenCalledWith(1, expect.anything());
    expect(double.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage']);
    expect(double.messages(CHANNEL)).toHaveLength(1);
  });

  it('serves a private file only with the bot token', async () => {
    const bytes = Buffer.from('\x89PNG fake');
    const file = double.addPrivateFile({ name: 'input.png', mimetype: 'image/png', bytes });
    const authorized = await fetch(file.url_private, { headers: { authorization: `Bearer ${double.botToken}` } });
    expect(authorized.status).toBe(200);
    expect(authorized.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await authorized.arrayBuffer()).equals(bytes)).toBe(true);

    const anonymous = await fetch(file.url_private_download, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    const followed = await fetch(file.url_private);
    expect([followed.status, followed.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const wrongToken = await fetch(file.url_private, { headers: { authorization: 'Bearer xoxb-other' } });
    expect(wrongToken.status).toBe(403);

    const info = await client().files.info({ file: file.id });
    expect(info.file?.url_private).toBe(file.url_private);
  });

  it('answers bad tokens, unknown methods, users.info and conversations.open like Slack', async () => {
    const stranger = client({}, double, 'xoxb-wrong');
    expect((await platformError(stranger.auth.test())).error).toBe('invalid_auth');
    expect((await platformError(client().apiCall('nope.method'))).error).toBe('unknown_method');
    double.addUser({ id: 'U0ADMIN', isAdmin: true, name: 'ada' });
    expect((await client().users.info({ user: 'U0ADMIN' })).user).toMatchObject({ is_admin: true, is_owner: false });
    expect((await client().conversations.open({ users: 'U0ALICE' })).channel?.id).toBe('D0ALICE');
    double.failNext('reactions.add', { error: 'ratelimited' });
    expect((await platformError(client().reactions.add({ channel: CHANNEL, timestamp: '1.0', name: 'x' }))).error).toBe(
      'ratelimited',
    );
  });
});

describe('Slack double: whom a message notifies', () => {
  const mrkdwn = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

  it('records the mentions a post would trigger in its text and mrkdwn blocks, and none for escaped or plain text', async () => {
    const text = '<!channel> <!here|here> <@U0BOB> <@W0CAROL|carol> <!subteam^S0ART|@artists> <!everyone> <!group>';
    const posted = await client().chat.postMessage({
      channel: CHANNEL,
      text,
      blocks: [
        mrkdwn('&lt;!channel&gt; shown, not sent; <@U0DAN> is'),
        {
          type: 'section',
          text: { type: 'plain_text', text: '<!here> in plain text' },
          fields: [{ type: 'mrkdwn', text: '<@U0ERIN>' }],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '<!subteam^S0OPS>' }] },
        { type: 'header', text: { type: 'plain_text', text: '<!everyone>' } },
      ],
    });
    const stored = double.messages(CHANNEL).find((m) => m.ts === posted.ts);
    expect(stored?.mentions).toEqual([
      'channel',
      'here',
      'user:U0BOB',
      'user:W0CAROL',
      'usergroup:S0ART',
      'everyone',
      'user:U0DAN',
      'user:U0ERIN',
      'usergroup:S0OPS',
    ]);
    // The reply Slack sends carries no such field: it is the double's record, not the API's.
    expect(posted.message).not.toHaveProperty('mentions');
  });

  it('counts rich text broadcasts, users and user groups; bare @channel only with link_names', async () => {
    const richText = {
      type: 'rich_text',
      elements: [
        {
          type: 'rich_text_section',
          elements: [
            { type: 'text', text: '<!channel> as literal text' },
            { type: 'broadcast', range: 'here' },
            { type: 'user', user_id: 'U0BOB' },
            { type: 'usergroup', usergroup_id: 'S0ART' },
          ],
        },
      ],
    };
    const rich = await client().chat.postMessage({ channel: CHANNEL, text: 'hi', blocks: [richText] as never });
    const bare = await client().chat.postMessage({ channel: CHANNEL, text: 'hey @channel and @here' });
    const linked = await client().chat.postMessage({
      channel: CHANNEL,
      text: 'hey @channel and email@here',
      link_names: true,
    });
    const mentionsOf = (ts: string | undefined) => double.messages(CHANNEL).find((m) => m.ts === ts)?.mentions;
    expect(mentionsOf(rich.ts)).toEqual(['here', 'user:U0BOB', 'usergroup:S0ART']);
    expect(mentionsOf(bare.ts)).toEqual([]);
    expect(mentionsOf(linked.ts)).toEqual(['channel']);
  });

  it('recomputes them on chat.update, and records them for ephemerals', async () => {
    const posted = await client().chat.postMessage({ channel: CHANNEL, text: 'calm' });
    await client().chat.update({ channel: CHANNEL, ts: posted.ts ?? '', text: '<!here> now' });
    expect(double.messages(CHANNEL).find((m) => m.ts === posted.ts)?.mentions).toEqual(['here']);
    await client().chat.postEphemeral({ channel: CHANNEL, user: 'U0ALICE', text: 'psst <@U0BOB>' });
    expect(double.ephemerals.at(-1)?.mentions).toEqual(['user:U0BOB']);
  });
});

describe('Bolt HTTP receiver with signed requests', () => {
  async function startBolt(register: (app: App) => void): Promise<string> {
    const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
    const app = new App({
      token: double.botToken,
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: double.apiUrl, retryConfig: { retries: 0 } },
    });
    register(app);
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.stop());
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  }

  it('delivers a signed slash command to app.command, acked with 200', async () => {
    const sink = await startResponseUrlSink();
    cleanups.push(() => sink.close());
    const seen: Array<Record<string, unknown>> = [];
    const url = await startBolt((app) => {
      app.command('/imagine', async ({ ack, command, respond }) => {
        await ack();
        seen.push(command);
        await respond({ text: 'queued' });
      });
    });
    const input = {
      command: '/imagine',
      text: 'a red fox',
      userId: 'U0ALICE',
      channelId: CHANNEL,
      teamId: double.teamId,
    };
    const result = await sendSlashCommand(url, SECRET, { ...input, responseUrl: sink.url() });
    expect([result.status, result.body]).toEqual([200, '']);
    expect(result.elapsedMs).toBeLessThan(3000);
    expect(seen[0]).toMatchObject({ text: 'a red fox', user_id: 'U0ALICE', channel_id: CHANNEL, team_id: 'T0001' });
    await double.waitFor(() => sink.posts.length === 1);
    expect(sink.posts[0]?.body).toEqual({ text: 'queued' });
    expect(double.calls.filter((c) => c.method === 'auth.test')).toHaveLength(1);
  });

  it('delivers a signed block action to app.action', async () => {
    const seen: Array<{ action: unknown; body: unknown }> = [];
    const url = await startBolt((app) => {
      app.action('pick_option', async ({ ack, action, body }) => {
        await ack();
        seen.push({ action, body });
      });
    });
    const result = await sendBlockAction(url, SECRET, {
      actionId: 'pick_option',
      value: 'opt-2',
      blockId: 'options',
      userId: 'U0ALICE',
      channelId: CHANNEL,
      messageTs: '1700000000.000100',
      threadTs: '1700000000.000001',
      teamId: double.teamId,
    });
    expect(result.status).toBe(200);
    expect(seen[0]).toMatchObject({
      action: { action_id: 'pick_option', value: 'opt-2', block_id: 'options', type: 'button' },
      body: {
        type: 'block_actions',
        user: { id: 'U0ALICE' },
        channel: { id: CHANNEL },
        message: { ts: '1700000000.000100' },
      },
    });
  });

  it('delivers app_mention and DM message events to app.event', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const url = await startBolt((app) => {
      app.event('app_mention', async ({ event }) => {
        seen.push(event as unknown as Record<string, unknown>);
      });
      app.event('message', async ({ event }) => {
        seen.push(event as unknown as Record<string, unknown>);
      });
    });
    const mention = appMentionEvent({ userId: 'U0ALICE', channelId: CHANNEL, text: '<@U0BOT> draw a cat' });
    expect((await sendEvent(url, SECRET, mention, { teamId: double.teamId })).status).toBe(200);
    const dm = messageEvent({ userId: 'U0ALICE', channelId: 'D0ALICE', text: 'hi', threadTs: '1700000000.000001' });
    expect((await sendEvent(url, SECRET, dm, { teamId: double.teamId, eventId: 'Ev0DM' })).status).toBe(200);
    await double.waitFor(() => seen.length === 2);
    expect(seen).toMatchObject([
      { type: 'app_mention', text: '<@U0BOT> draw a cat', channel: CHANNEL },
      { type: 'message', channel_type: 'im', thread_ts: '1700000000.000001' },
    ]);
  });

  it('answers 401 to a bad signature or a 10-minute-old timestamp without calling the handler', async () => {
    const handler = vi.fn(async ({ ack }: { ack: () => Promise<void> }) => ack());
    const url = await startBolt((app) => {
      app.command('/imagine', handler);
    });
    const input = { command: '/imagine', text: 'x', userId: 'U0ALICE', channelId: CHANNEL, teamId: double.teamId };
    expect((await sendSlashCommand(url, SECRET, input, { signature: 'bad' })).status).toBe(401);
    expect((await sendSlashCommand(url, SECRET, input, { timestampSkewS: 600 })).status).toBe(401);
    const mention = appMentionEvent({ userId: 'U0ALICE', channelId: CHANNEL, text: 'x' });
    expect((await sendEvent(url, SECRET, mention, { teamId: double.teamId }, { timestampSkewS: 600 })).status).toBe(
      401,
    );
    // Bolt compares the form content type exactly: a charset suffix makes it parse the form as JSON.
    const form = new URLSearchParams({ command: '/imagine', text: 'x' }).toString();
    expect((await postSigned(url, SECRET, form, `${FORM_CONTENT_TYPE}; charset=utf-8`)).status).toBe(400);
    expect(handler).not.toHaveBeenCalled();
  });

  it('sends what Bolt alone lets through: a signed request from 10 minutes ahead, a JSON event as text/plain', async () => {
    const seen: string[] = [];
    const url = await startBolt((app) => {
      app.command('/imagine', async ({ ack, command }) => {
        await ack();
        seen.push(command.text);
      });
      app.event('app_mention', async ({ event }) => {
        seen.push(event.text);
      });
    });
    const input = { command: '/imagine', text: 'ahead', userId: 'U0ALICE', channelId: CHANNEL, teamId: double.teamId };
    expect((await sendSlashCommand(url, SECRET, input, { timestampAheadS: 600 })).status).toBe(200);
    const mention = appMentionEvent({ userId: 'U0ALICE', channelId: CHANNEL, text: 'plain' });
    const plain = await sendEvent(url, SECRET, mention, { teamId: double.teamId }, { contentType: 'text/plain' });
    expect(plain.status).toBe(200);
    await double.waitFor(() => seen.length === 2);
    expect(seen.sort()).toEqual(['ahead', 'plain']);
  });
});

describe('Socket Mode', () => {
  let sm: SlackApiDouble;
  let app: App;
  const commands: Array<Record<string, unknown>> = [];
  const actions: Array<{ action: unknown; body: unknown }> = [];
  const events: Array<Record<string, unknown>> = [];
  const slash = (text: string) => ({
    command: '/imagine',
    text,
    userId: 'U0ALICE',
    channelId: CHANNEL,
    teamId: 'T0001',
  });

  beforeAll(async () => {
    sm = await startSlackApiDouble();
    const receiver = new SocketModeReceiver({
      appToken: sm.appToken,
      logLevel: LogLevel.ERROR,
      clientPingTimeout: 1000,
      installerOptions: { clientOptions: { slackApiUrl: sm.apiUrl } },
    });
    app = new App({
      token: sm.botToken,
      appToken: sm.appToken,
      socketMode: true,
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: sm.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/imagine', async ({ ack, command }) => {
      commands.push(command);
      await ack({ text: `queued: ${command.text}` });
    });
    app.action('pick_option', async ({ ack, action, body }) => {
      actions.push({ action, body });
      await ack();
    });
    app.event('app_mention', async ({ event }) => {
      events.push(event as unknown as Record<string, unknown>);
    });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
    // The receiver's stop() does not wait for the close handshake; let it finish before closing the double.
    await sm.waitFor(() => sm.socketConnections() === 0);
    await sm.close();
  });

  it('connects with the app token and gets its hello', async () => {
    await sm.waitForSocket();
    expect(sm.socketConnections()).toBe(1);
    const open = sm.calls.filter((c) => c.method === 'apps.connections.open');
    expect(open).toHaveLength(1);
  });

  it('delivers a slash command to app.command and returns its ack payload', async () => {
    const ack = await sm.socketSlashCommand(slash('a red fox'));
    expect(commands.at(-1)).toMatchObject({
      command: '/imagine',
      text: 'a red fox',
      user_id: 'U0ALICE',
      team_id: 'T0001',
    });
    expect(ack.ackPayload).toEqual({ text: 'queued: a red fox' });
    expect(ack.ackedInMs).toBeLessThan(3000);
    const traffic = sm.calls.filter((c) => c.args.envelope_id === ack.envelopeId);
    expect(traffic).toMatchObject([
      { method: SOCKET_SEND, args: { type: 'slash_commands', payload: { command: '/imagine' } } },
      { method: SOCKET_ACK, args: { type: 'slash_commands', payload: { text: 'queued: a red fox' } } },
    ]);
  });

  it('delivers a block action to app.action', async () => {
    const ack = await sm.socketBlockAction({
      actionId: 'pick_option',
      value: 'opt-2',
      userId: 'U0ALICE',
      channelId: CHANNEL,
      messageTs: '1700000000.000100',
      teamId: sm.teamId,
    });
    expect(ack.ackPayload).toEqual({});
    expect(actions.at(-1)).toMatchObject({
      action: { action_id: 'pick_option', value: 'opt-2', type: 'button' },
      body: { type: 'block_actions', user: { id: 'U0ALICE' }, message: { ts: '1700000000.000100' } },
    });
  });

  it('delivers an app_mention event to app.event (Bolt acks events before its listeners run)', async () => {
    const mention = appMentionEvent({ userId: 'U0ALICE', channelId: CHANNEL, text: '<@U0BOT> draw a cat' });
    const ack = await sm.socketEvent(mention, { teamId: sm.teamId, eventId: 'Ev0SOCKET' });
    expect(ack.ackPayload).toEqual({});
    await sm.waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({ type: 'app_mention', text: '<@U0BOT> draw a cat', channel: CHANNEL });
  });

  it('refuses the bot token at apps.connections.open, the app token elsewhere, and unissued socket URLs', async () => {
    expect((await platformError(client({}, sm).apps.connections.open())).error).toBe('invalid_auth');
    const appTokenClient = client({}, sm, sm.appToken);
    expect((await platformError(appTokenClient.auth.test())).error).toBe('invalid_auth');
    const { url } = await appTokenClient.apps.connections.open();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\/\w+$/);

    const botAsAppToken = new SocketModeReceiver({
      appToken: sm.botToken,
      logger: quiet,
      installerOptions: { clientOptions: { slackApiUrl: sm.apiUrl } },
    });
    await expect(botAsAppToken.start()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });

    const connects = (target: string) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(target);
        ws.on('open', () => {
          ws.terminate();
          resolve(true);
        });
        ws.on('error', () => resolve(false));
      });
    expect(await connects(`${sm.origin.replace('http', 'ws')}/socket-mode/not-issued`)).toBe(false);
    expect(await connects(url ?? '')).toBe(true);
    expect(await connects(url ?? '')).toBe(false);
    await sm.waitFor(() => sm.socketConnections() === 1);
  });

  it('rejects an envelope nobody acks after its timeout, naming it', async () => {
    const unacked = sm.socketSlashCommand({ ...slash('x'), command: '/nobody' }, { timeoutMs: 300 });
    await expect(unacked).rejects.toThrow(
      /^Socket Mode envelope [0-9a-f-]{36} \(slash_commands\) was not acked within 300 ms$/,
    );
  });

  it("also connects with Bolt's default receiver: App passes its clientOptions on to socket-mode", async () => {
    // Bolt 5 builds installerOptions as { clientOptions: app clientOptions, ...installerOptions }, and the default
    // SocketModeReceiver hands installerOptions.clientOptions to its SocketModeClient (so slackApiUrl reaches it).
    const plain = new App({
      token: double.botToken,
      appToken: double.appToken,
      socketMode: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: double.apiUrl, retryConfig: { retries: 0 } },
    });
    await plain.start();
    cleanups.push(async () => {
      await plain.stop();
      await double.waitFor(() => double.socketConnections() === 0);
    });
    expect(double.socketConnections()).toBe(1);
    expect(double.calls.map((c) => c.method)).toEqual(['auth.test', 'apps.connections.open']);
  });

  it('reconnects after a disconnect message and keeps delivering', async () => {
    const opened = () => sm.calls.filter((c) => c.method === 'apps.connections.open').length;
    const before = opened();
    sm.socketDisconnect();
    await sm.waitForSocket();
    expect(opened()).toBe(before + 1);
    await sm.waitFor(() => sm.socketConnections() === 1);
    const ack = await sm.socketSlashCommand(slash('after reconnect'));
    expect(ack.ackPayload).toEqual({ text: 'queued: after reconnect' });
    expect(commands.at(-1)).toMatchObject({ text: 'after reconnect' });
  });
});

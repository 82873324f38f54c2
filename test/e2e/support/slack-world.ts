/**
 * Slack as a person uses it, against the built bot and worker processes: the Slack double (Web API, uploads,
 * Socket Mode) behind a holding proxy that every Web API call of the children passes, and a person's actions —
 * a signed request to the bot's /slack/events in HTTP mode, an envelope on the bot's WebSocket in Socket Mode.
 */

import type { SimulatorOptions } from '../../../src/higgsfield/simulator/index.js';
import {
  type SlackApiDouble,
  type StoredEphemeral,
  type StoredMessage,
  startSlackApiDouble,
} from '../../doubles/slack/slack-api-double.js';
import { postSigned, sendBlockAction, sendSlashCommand } from '../../doubles/slack/slack-requests.js';
import type { CliChild } from './cli-process.js';
import { startWorld, type World } from './e2e-world.js';
import { type HoldingProxy, startHoldingProxy } from './holding-proxy.js';
import { waitUntil } from './wait.js';

export const SIGNING_SECRET = 'e2e-signing-secret';
export const CHANNEL = 'C0GENERAL';

export type SlackMode = 'http' | 'socket';

export interface SlackOptions {
  thread: string;
  message: StoredMessage;
}

export interface SlackWorld extends World {
  mode: SlackMode;
  double: SlackApiDouble;
  /** Between the children and the double's Web API (SLACK_API_URL points here). */
  slackProxy: HoldingProxy;
  /** `http://127.0.0.1:<bot port>/slack/events` once a bot runs in HTTP mode. */
  eventsUrl: string;
  /** Starts a bot and waits until it is connected to Slack (socket open, or /slack/events answering). */
  startBot(extraEnv?: Record<string, string>): Promise<void>;
  startWorker(extraEnv?: Record<string, string>): Promise<CliChild>;
  /** `/imagine <text>` by `user` in #general; resolves with the thread and the options message in it. */
  imagine(user: string, text: string): Promise<SlackOptions>;
  /** `user` presses option `index` of an options message. */
  press(user: string, options: SlackOptions, index: number): Promise<{ status: number }>;
  /** Files shared into a thread. */
  filesIn(thread: string): SlackApiDouble['files'];
  /** The result messages (with Re-roll) in a thread. */
  resultsIn(thread: string): StoredMessage[];
  ephemeralsFor(user: string): StoredEphemeral[];
  /** The status message of the generation of `label` in a thread (edited as it moves), once posted. */
  statusIn(thread: string, label: string): StoredMessage | undefined;
  /** Bot messages in a thread that tell of a failure (⚠️). */
  failuresIn(thread: string): StoredMessage[];
}

export const actionIds = (m: StoredMessage): string[] =>
  (JSON.stringify(m.blocks ?? []).match(/"action_id":"([^"]+)"/g) ?? []).map((s) => s.slice(13, -1));

export async function startSlackWorld(options: {
  name: string;
  mode: SlackMode;
  sim?: SimulatorOptions;
  redisUrl?: string;
}): Promise<SlackWorld> {
  const double = await startSlackApiDouble();
  for (const [id, name] of [
    ['U0ALICE', 'alice'],
    ['U0BOB', 'bob'],
    ['U0CAROL', 'carol'],
    ['U0DAVE', 'dave'],
  ] as const)
    double.addUser({ id, name });
  const slackProxy = await startHoldingProxy(double.apiUrl);
  const platformEnv = () => ({
    SLACK_BOT_TOKEN: double.botToken,
    SLACK_API_URL: slackProxy.url,
    ...(options.mode === 'http' ? { SLACK_SIGNING_SECRET: SIGNING_SECRET } : { SLACK_APP_TOKEN: double.appToken }),
  });
  const world = await startWorld({
    name: options.name,
    platformEnv,
    ...(options.sim ? { sim: options.sim } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
  });
  const botMessages = (thread: string) =>
    double.messages(CHANNEL, thread).filter((m) => m.bot_id || m.user === double.botUserId);

  const slack: SlackWorld = {
    ...world,
    mode: options.mode,
    double,
    slackProxy,
    eventsUrl: '',
    async startBot(extraEnv) {
      const { child, port } = await world.start('bot', extraEnv);
      if (options.mode === 'http') {
        slack.eventsUrl = `http://127.0.0.1:${port}/slack/events`;
        // Until Bolt is connected the route answers 503 (retry later). Probed as Slack checks a Request URL:
        // a signed url_verification, answered with its challenge.
        const probe = JSON.stringify({ token: 'verification-token', challenge: 'e2e-ready', type: 'url_verification' });
        await waitUntil(
          async () => {
            if (child.exitCode !== undefined) throw new Error(`${child.name} exited (${child.exitCode})`);
            const answer = await postSigned(slack.eventsUrl, SIGNING_SECRET, probe, 'application/json').catch(
              () => undefined,
            );
            return answer?.status === 200 && answer.body.includes('e2e-ready');
          },
          { timeoutMs: 30_000, what: 'the bot serves /slack/events' },
        );
      } else {
        await double.waitForSocket(30_000);
      }
    },
    async startWorker(extraEnv) {
      return (await world.start('worker', extraEnv)).child;
    },
    async imagine(user, text) {
      const input = { command: '/imagine', text, userId: user, channelId: CHANNEL, teamId: double.teamId };
      if (options.mode === 'http') {
        const acked = await sendSlashCommand(slack.eventsUrl, SIGNING_SECRET, input);
        if (acked.status !== 200) throw new Error(`/imagine answered ${acked.status}: ${acked.body}`);
      } else {
        await double.socketSlashCommand(input, { timeoutMs: 10_000 });
      }
      const starterOf = () =>
        double
          .messages(CHANNEL)
          .find((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && m.text.endsWith(`asked: ${text}`));
      let message: StoredMessage | undefined;
      await waitUntil(
        () => {
          const starter = starterOf();
          message = starter && botMessages(starter.ts).find((m) => actionIds(m).some((id) => id.startsWith('o:')));
          return message !== undefined;
        },
        {
          timeoutMs: 20_000,
          what: `the options for "${text}" in a thread`,
          detail: () => `ephemerals: ${JSON.stringify(slack.ephemeralsFor(user).map((e) => e.text))}`,
        },
      );
      const found = message!;
      return { thread: found.thread_ts ?? found.ts, message: found };
    },
    async press(user, opts, index) {
      const actionId = actionIds(opts.message).filter((id) => id.startsWith('o:'))[index];
      if (!actionId) throw new Error(`no option ${index} on the options message`);
      const input = {
        actionId,
        value: actionId,
        userId: user,
        channelId: CHANNEL,
        messageTs: opts.message.ts,
        threadTs: opts.thread,
        teamId: double.teamId,
      };
      if (options.mode === 'http')
        return { status: (await sendBlockAction(slack.eventsUrl, SIGNING_SECRET, input)).status };
      await double.socketBlockAction(input, { timeoutMs: 10_000 });
      return { status: 200 };
    },
    filesIn: (thread) => double.files.filter((f) => f.threadTs === thread),
    resultsIn: (thread) => botMessages(thread).filter((m) => actionIds(m).some((id) => id.startsWith('r:'))),
    ephemeralsFor: (user) => double.ephemerals.filter((e) => e.user === user),
    statusIn: (thread, label) =>
      botMessages(thread).find(
        (m) => m.text.includes(`${label}:`) && !actionIds(m).some((id) => /^[ora]:/.test(id)) && !m.files?.length,
      ),
    failuresIn: (thread) => botMessages(thread).filter((m) => m.text.includes('⚠️')),
    async close() {
      await world.close();
      await slackProxy.close();
      await double.close();
    },
  };
  return slack;
}

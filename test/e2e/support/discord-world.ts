/**
 * Discord as a person uses it, against the built bot and worker processes: the Discord double (REST and the
 * gateway on one port) with every REST call of the children passing a holding proxy (DISCORD_API_URL points
 * there; the gateway URL the double hands out stays direct), and a person's slash commands and clicks
 * dispatched on the bot's gateway session.
 */
import type { SimulatorOptions } from '../../../src/higgsfield/simulator/index.js';
import { type DiscordDouble, type StoredMessage, startDiscordDouble } from '../../doubles/discord/discord-double.js';
import type { CliChild } from './cli-process.js';
import { startWorld, type World } from './e2e-world.js';
import { type HoldingProxy, startHoldingProxy } from './holding-proxy.js';
import { waitUntil } from './wait.js';

export interface DiscordOptions {
  threadId: string;
  starter: StoredMessage;
}

export interface DiscordWorld extends World {
  double: DiscordDouble;
  discordProxy: HoldingProxy;
  alice: string;
  /** Starts a bot and waits until its gateway session identified. */
  startBot(extraEnv?: Record<string, string>): Promise<CliChild>;
  startWorker(extraEnv?: Record<string, string>): Promise<CliChild>;
  /** `/imagine prompt:<text>` in #general; resolves with the thread the answer opened and its options message. */
  imagine(userId: string, text: string): Promise<DiscordOptions>;
  click(userId: string, options: DiscordOptions, index: number): Promise<void>;
  /** Messages in the thread that carry a file. */
  attachmentsIn(threadId: string): StoredMessage[];
  /** The status message of the generation of `label` in a thread (edited as it moves), once posted. */
  statusIn(threadId: string, label: string): StoredMessage | undefined;
}

export const customIds = (message: StoredMessage): string[] =>
  (JSON.stringify(message.components).match(/"custom_id":"([^"]+)"/g) ?? []).map((s) => s.slice(13, -1));

/** The multipart `POST /channels/:id/messages` that carries a result's file. */
export const RESULT_UPLOAD = {
  method: 'POST',
  path: /^\/api\/v10\/channels\/\d+\/messages$/,
  where: (r: { headers: Record<string, unknown> }) => String(r.headers['content-type'] ?? '').startsWith('multipart/'),
};

export async function startDiscordWorld(options: {
  name: string;
  sim?: SimulatorOptions;
  redisUrl?: string;
}): Promise<DiscordWorld> {
  const double = await startDiscordDouble({ members: [{ username: 'alice' }] });
  const alice = double.guild.members.find((m) => m.username === 'alice')!.id;
  const discordProxy = await startHoldingProxy(double.apiUrl);
  const world = await startWorld({
    name: options.name,
    ...(options.sim ? { sim: options.sim } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    platformEnv: () => ({
      DISCORD_TOKEN: double.token,
      DISCORD_APPLICATION_ID: double.applicationId,
      DISCORD_API_URL: discordProxy.url,
    }),
  });

  const discord: DiscordWorld = {
    ...world,
    double,
    discordProxy,
    alice,
    async startBot(extraEnv) {
      const before = double.gatewayStats().identifies;
      const { child } = await world.start('bot', extraEnv);
      await waitUntil(
        () => {
          if (child.exitCode !== undefined) throw new Error(`${child.name} exited (${child.exitCode})`);
          return double.gatewayStats().identifies > before;
        },
        { timeoutMs: 30_000, what: 'the bot identified on the gateway' },
      );
      return child;
    },
    async startWorker(extraEnv) {
      return (await world.start('worker', extraEnv)).child;
    },
    async imagine(userId, text) {
      const sent = await double.sendSlashCommand({
        name: 'imagine',
        userId,
        options: [{ name: 'prompt', type: 3, value: text }],
      });
      let found: DiscordOptions | undefined;
      await waitUntil(
        () => {
          const thread = double.threads.find((t) => double.message(t.id)?.interactionId === sent.interactionId);
          const starter = thread && double.message(thread.id);
          if (thread && starter && customIds(starter).some((id) => id.startsWith('o:')))
            found = { threadId: thread.id, starter };
          return found !== undefined;
        },
        {
          timeoutMs: 20_000,
          what: `the options for "${text}" in a thread`,
          detail: () => JSON.stringify(double.interactionResponses(sent.interactionId)),
        },
      );
      return found!;
    },
    async click(userId, opts, index) {
      const customId = customIds(double.message(opts.starter.id)!).filter((id) => id.startsWith('o:'))[index];
      if (!customId) throw new Error(`no option ${index} on the options message`);
      const click = await double.clickButton({
        customId,
        messageId: opts.starter.id,
        channelId: opts.starter.channelId,
        userId,
      });
      await waitUntil(() => double.interactionResponses(click.interactionId).length > 0, {
        timeoutMs: 10_000,
        what: 'the click acknowledged',
      });
    },
    attachmentsIn: (threadId) => double.messages(threadId).filter((m) => m.attachments.length > 0),
    statusIn: (threadId, label) =>
      double
        .messages(threadId)
        .find(
          (m) =>
            m.author.id === double.botUser.id &&
            m.attachments.length === 0 &&
            m.content.includes(`${label}:`) &&
            !customIds(m).some((id) => /^[ora]:/.test(id)),
        ),
    async close() {
      await world.close();
      await discordProxy.close();
      await double.close();
    },
  };
  return discord;
}

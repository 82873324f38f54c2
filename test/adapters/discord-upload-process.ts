/**
 * Child process of discord-upload.test.ts, run with `node --import tsx`: the composition `higgsbot start` has,
 * in a fresh process. It first talks to Higgsfield the way the product does (the project's undici 7, through
 * src/higgsfield/transport.ts), which puts undici 7's Agent into the global-dispatcher slot that the undici 6
 * inside @discordjs/rest also reads; only then does it load the Discord adapter and post files, once with
 * the publisher's REST (`createDiscordRest`, a real `postResult`) and once with the bot's discord.js Client.
 * Writes one JSON line per step to stdout; the spec reads what the Discord double stored.
 *
 * Env: DISCORD_API_URL, DISCORD_TOKEN, CHANNEL_ID, USER_ID, UPLOAD_BASE64 (the file's bytes).
 */
import { Readable } from 'node:stream';
import { Agent, getGlobalDispatcher } from 'undici';
import { createTransport } from '../../src/higgsfield/transport.js';
import { silentLogger } from '../../src/log.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const apiUrl = env('DISCORD_API_URL');
const token = env('DISCORD_TOKEN');
const channelId = env('CHANNEL_ID');
const userId = env('USER_ID');
const report = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const failure = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

const PNG_BYTES = Buffer.from(env('UPLOAD_BASE64'), 'base64');

const logger = silentLogger();
// 1. A request through the project's undici 7, as the Higgsfield transport makes one.
const call = createTransport({ baseUrl: apiUrl, credentials: { keyId: 'k', keySecret: 's' }, logger });
await call({ method: 'GET', path: '/v10/gateway', authenticated: false, timeoutMs: 5_000 });
report({ step: 'undici7-global', value: getGlobalDispatcher() instanceof Agent });

// 2. Only now the Discord adapter (and with it discord.js, @discordjs/rest and its undici 6).
const { createDiscordPublisher, createDiscordRest } = await import('../../src/adapters/discord/discord-publisher.js');
const publisher = createDiscordPublisher({
  rest: createDiscordRest({ token, apiUrl }),
  store: {
    kind: 'local',
    put: () => Promise.reject(new Error('not used')),
    open: async () => Readable.from([PNG_BYTES]),
    exists: async () => true,
    link: () => Promise.reject(new Error('not used')),
    remove: () => Promise.reject(new Error('not used')),
  },
  logger,
});
try {
  await publisher.postResult(
    {
      generationId: 'gen-upload-1',
      option: { kind: 'text-to-image', modelId: 'soul', prompt: 'a fox', params: {}, label: 'Soul fox', reason: 'r' },
      conversation: { platform: 'discord', workspaceId: 'g', channelId, threadId: channelId, userId },
      assets: [
        {
          key: '2026/01/01/gen-upload-1-0.png',
          contentType: 'image/png',
          sizeBytes: PNG_BYTES.length,
          url: 'http://127.0.0.1/none.png',
          providerUrl: 'http://127.0.0.1/none.png',
        },
      ],
      durationMs: 1_000,
    },
    'delivery-upload-1',
  );
  report({ step: 'publisher', ok: true });
} catch (error) {
  report({ step: 'publisher', ok: false, error: failure(error) });
}

// 3. The bot's own client (discord.js), logged in through the double's gateway, sending a file.
const { startDiscordBot } = await import('../../src/adapters/discord/discord-bot.js');
const unused = () => Promise.reject(new Error('not used'));
const bot = await startDiscordBot({
  token,
  apiUrl,
  logger,
  // No interaction reaches this bot: the handlers' dependencies are never called.
  assistant: {} as Parameters<typeof startDiscordBot>[0]['assistant'],
  publisher,
  rehost: unused,
  searchStyles: unused,
  imageHosts: [],
});
try {
  const channel = await bot.client.channels.fetch(channelId);
  if (!channel?.isSendable()) throw new Error('channel not sendable');
  await channel.send({ content: 'bot upload', files: [{ attachment: PNG_BYTES, name: 'bot-upload.png' }] });
  report({ step: 'bot', ok: true });
} catch (error) {
  report({ step: 'bot', ok: false, error: failure(error) });
} finally {
  await bot.close();
}
process.exit(0);

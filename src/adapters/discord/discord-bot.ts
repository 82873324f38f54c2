/**
 * The Discord gateway adapter: a discord.js client with the intents Higgsbot needs (no privileged ones),
 * routing slash commands, autocomplete, buttons and messages to their handlers. `DISCORD_API_URL` sets the
 * REST base; discord.js discovers the gateway through it, which is how the tests reach the local double.
 */

import { Client, Events, GatewayIntentBits, type Interaction, Partials } from 'discord.js';
import { createAckBacklog } from '../../ack-backlog.js';
import { handleButton } from './discord-buttons.js';
import { handleAutocomplete, handleCommand } from './discord-commands.js';
import type { DiscordBotDeps } from './discord-context.js';
import { discordRestOptions } from './discord-http.js';
import { handleMessage, isForUs } from './discord-messages.js';

export interface DiscordBot {
  client: Client<true>;
  close(): Promise<void>;
}

export interface DiscordBotOptions extends DiscordBotDeps {
  token: string;
  apiUrl: string;
}

export async function startDiscordBot(botOptions: DiscordBotOptions): Promise<DiscordBot> {
  const { logger } = botOptions;
  const acks = createAckBacklog();
  const options: DiscordBotDeps = { ...botOptions, acks };
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    // Our own HTTP (never undici's shared global dispatcher) and a timeout long enough for uploads.
    rest: discordRestOptions(botOptions.apiUrl),
    // Everything the client sends (replies, edits, follow-ups, channel posts) pings nobody unless it says so:
    // the texts repeat people's and the model's words, and Discord would otherwise parse their mentions.
    allowedMentions: { parse: [], repliedUser: false },
  });
  const guard =
    <T>(what: string, run: (item: T) => Promise<void>) =>
    (item: T) => {
      run(item).catch((err: unknown) => logger.error({ err }, `discord ${what} handler failed`));
    };
  client.on(
    Events.InteractionCreate,
    guard('interaction', async (interaction: Interaction) => {
      if (interaction.isChatInputCommand()) await handleCommand(interaction, options);
      else if (interaction.isAutocomplete()) await handleAutocomplete(interaction, options);
      else if (interaction.isButton()) await handleButton(interaction, options);
    }),
  );
  client.on(
    Events.MessageCreate,
    guard('message', async (message) => {
      if (isForUs(message, client.user?.id ?? '')) await handleMessage(message, options);
    }),
  );
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(botOptions.token);
    await ready;
  } catch (error) {
    // A refused token or an unreachable gateway: leave no client behind trying again.
    await client.destroy();
    throw error;
  }
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord connected');
  return {
    client: client as Client<true>,
    close: async () => {
      acks.releaseAll();
      await client.destroy();
    },
  };
}

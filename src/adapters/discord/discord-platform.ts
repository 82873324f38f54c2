/**
 * Discord on the platform contract (src/core/platform.ts): the REST publisher every process posts with (a
 * worker has no gateway), no HTTP routes (interactions arrive on the gateway), the slash commands of
 * discord-command-list.ts, the gateway bot that `start` logs in and `stop` destroys, and doctor's check of the
 * token. Only this folder imports discord.js.
 */
import type { PlatformAdapter, PlatformFactory } from '../../core/platform.js';
import { type DiscordBot, startDiscordBot } from './discord-bot.js';
import { DISCORD_COMMANDS } from './discord-command-list.js';
import type { DiscordConfig } from './discord-config.js';
import { imageHostsFor } from './discord-context.js';
import { checkDiscord } from './discord-doctor.js';
import { createDiscordPublisher, createDiscordRest } from './discord-publisher.js';

/** Styles offered by /styles and its autocomplete (Discord shows at most 25 autocomplete choices). */
const STYLES_LIMIT = 25;

export const createDiscordPlatform: PlatformFactory<DiscordConfig> = (config, deps): PlatformAdapter => {
  const publisher = createDiscordPublisher({ rest: createDiscordRest(config), store: deps.store, logger: deps.logger });
  let bot: DiscordBot | undefined;
  return {
    id: 'discord',
    publisher,
    routes: [],
    commands: DISCORD_COMMANDS,
    async start(services) {
      if (bot) return;
      bot = await startDiscordBot({
        token: config.token,
        apiUrl: config.apiUrl,
        assistant: services.assistant,
        publisher,
        logger: services.logger.child({ module: 'discord' }),
        rehost: (image) => services.rehost(image),
        searchStyles: (query) => services.searchStyles(query, STYLES_LIMIT),
        imageHosts: imageHostsFor(config.apiUrl),
      });
    },
    async stop() {
      const running = bot;
      bot = undefined;
      await running?.close();
    },
    check: () => checkDiscord(config),
  };
};

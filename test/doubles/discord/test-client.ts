/**
 * Spec helper: a real discord.js Client pointed at a Discord double, logged in and waited for `clientReady`
 * (not `login()`'s promise, which settles on the gateway READY before GUILD_CREATE filled the caches).
 * `destroyAll` destroys clients before the double closes, so no client sees a dropped socket and reconnects.
 */
import { Client, type ClientOptions, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { DiscordDouble } from './discord-double.js';

export class TestClients {
  private readonly clients: Client[] = [];

  create(double: DiscordDouble, extra: Partial<ClientOptions> = {}): Client {
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel],
      rest: { api: double.apiUrl, version: '10' },
      ...extra,
    });
    this.clients.push(client);
    return client;
  }

  async login(double: DiscordDouble, extra: Partial<ClientOptions> = {}): Promise<Client<true>> {
    const client = this.create(double, extra);
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(double.token);
    await ready;
    return client as Client<true>;
  }

  async destroyAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.destroy()));
  }
}

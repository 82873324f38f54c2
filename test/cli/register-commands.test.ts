import type { APIApplicationCommandBasicOption, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDefinition } from '../../commands/index.js';
import { toDiscordCommands } from '../../src/adapters/discord/command-payloads.js';
import { DISCORD_COMMANDS } from '../../src/adapters/discord/discord-command-list.js';
import { runCli } from '../../src/cli/run-cli.js';
import { type DiscordDouble, startDiscordDouble } from '../doubles/discord/discord-double.js';
import { captureIo } from '../support/capture.js';

const NAMES = ['imagine', 'video', 'animate', 'styles', 'jobs', 'history', 'show', 'forget', 'help'];

let double: DiscordDouble;

beforeAll(async () => {
  double = await startDiscordDouble();
});
afterAll(async () => {
  await double.close();
});

function env(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DISCORD_TOKEN: double.token,
    DISCORD_APPLICATION_ID: double.applicationId,
    DISCORD_API_URL: double.apiUrl,
    DISCORD_GUILD_ID: double.guild.id,
    ...overrides,
  };
}

type StoredOption = { name: string; type: number; required?: boolean; autocomplete?: boolean };
const optionsOf = (body: Record<string, unknown>) => (body.options ?? []) as StoredOption[];

describe('higgsbot register-commands', () => {
  it('registers all the commands to DISCORD_GUILD_ID and says where', async () => {
    const io = captureIo(env());
    expect(await runCli(['register-commands'], io)).toBe(0);
    expect(io.stderr.text).toBe('');
    const stored = double.commands(double.guild.id);
    expect(stored.map((c) => c.name)).toEqual(NAMES);
    const animate = stored.find((c) => c.name === 'animate');
    expect(optionsOf(animate?.body ?? {})).toContainEqual(
      expect.objectContaining({ name: 'image', type: 11, required: true }),
    );
    const styles = stored.find((c) => c.name === 'styles');
    expect(optionsOf(styles?.body ?? {})).toContainEqual(
      expect.objectContaining({ name: 'query', type: 3, autocomplete: true }),
    );
    expect(double.commands()).toEqual([]);
    expect(io.stdout.text).toContain(
      `Registered ${NAMES.length} slash commands to guild ${double.guild.id} (instant):`,
    );
    expect(io.stdout.text).toContain('/imagine — Get a few image ideas for your prompt, then pick one to generate');
    for (const name of NAMES) expect(io.stdout.text).toContain(`  /${name} — `);
    const put = double.calls.filter((c) => c.method === 'PUT');
    expect(put.at(-1)?.path).toBe(`/applications/${double.applicationId}/guilds/${double.guild.id}/commands`);
  });

  it('registers globally when DISCORD_GUILD_ID is unset, and re-running replaces rather than duplicates', async () => {
    for (let run = 0; run < 2; run++) {
      const io = captureIo(env({ DISCORD_GUILD_ID: undefined }));
      expect(await runCli(['register-commands'], io)).toBe(0);
      expect(io.stdout.text).toContain(`Registered ${NAMES.length} slash commands globally:`);
      expect(io.stdout.text).not.toContain('(instant)');
    }
    expect(double.commands().map((c) => c.name)).toEqual(NAMES);
    expect(double.calls.at(-1)).toMatchObject({
      method: 'PUT',
      path: `/applications/${double.applicationId}/commands`,
    });
  });

  it('refuses with exit code 2 naming DISCORD_TOKEN and DISCORD_APPLICATION_ID when Discord is not configured', async () => {
    const before = double.calls.length;
    const io = captureIo({ DISCORD_API_URL: double.apiUrl, DISCORD_GUILD_ID: double.guild.id });
    expect(await runCli(['register-commands'], io)).toBe(2);
    expect(io.stderr.text).toContain('DISCORD_TOKEN');
    expect(io.stderr.text).toContain('DISCORD_APPLICATION_ID');
    expect(io.stdout.text).toBe('');
    expect(double.calls.length).toBe(before);
  });

  it('reports a Discord refusal with its code and message, and exits 1', async () => {
    double.failNext(/^PUT \/applications\/\d+\/guilds\/\d+\/commands$/, { status: 403, code: 50001 });
    const io = captureIo(env());
    expect(await runCli(['register-commands'], io)).toBe(1);
    expect(io.stderr.text).toContain('Discord refused the commands (HTTP 403, code 50001): Missing Access');
    expect(io.stderr.text).toContain(`invited to guild ${double.guild.id} with the applications.commands scope`);
    expect(io.stdout.text).toBe('');

    double.failNext(/^PUT /, { status: 400, code: 50035 });
    const invalid = captureIo(env());
    expect(await runCli(['register-commands'], invalid)).toBe(1);
    expect(invalid.stderr.text).toContain('(HTTP 400, code 50035): Invalid Form Body');
  });

  it('names the variable to check when the token or application id is wrong', async () => {
    const badToken = captureIo(env({ DISCORD_TOKEN: 'not-the-token' }));
    expect(await runCli(['register-commands'], badToken)).toBe(1);
    expect(badToken.stderr.text).toContain('HTTP 401');
    expect(badToken.stderr.text).toContain('Check DISCORD_TOKEN');
    expect(badToken.stderr.text).not.toContain('not-the-token');

    const otherApp = captureIo(env({ DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_GUILD_ID: undefined }));
    expect(await runCli(['register-commands'], otherApp)).toBe(1);
    expect(otherApp.stderr.text).toContain('(HTTP 403, code 50001): Missing Access');
    expect(otherApp.stderr.text).toContain(
      'DISCORD_APPLICATION_ID is the application id that belongs to DISCORD_TOKEN',
    );
  });

  it('reports an unreachable Discord', async () => {
    const io = captureIo(env({ DISCORD_API_URL: 'http://127.0.0.1:9/api' }));
    expect(await runCli(['register-commands'], io)).toBe(1);
    expect(io.stderr.text).toContain('Could not reach Discord at http://127.0.0.1:9/api');
  });

  it('--dry-run prints the JSON and calls nothing, with or without Discord configured', async () => {
    const before = double.calls.length;
    const io = captureIo(env());
    expect(await runCli(['register-commands', '--dry-run'], io)).toBe(0);
    expect(JSON.parse(io.stdout.text)).toEqual(toDiscordCommands(DISCORD_COMMANDS));
    expect(io.stderr.text).toContain(
      `would register ${NAMES.length} commands to guild ${double.guild.id}; nothing was sent`,
    );

    const bare = captureIo({});
    expect(await runCli(['register-commands', '--dry-run'], bare)).toBe(0);
    expect(JSON.parse(bare.stdout.text)).toHaveLength(NAMES.length);
    expect(bare.stderr.text).toContain('DISCORD_TOKEN and DISCORD_APPLICATION_ID are needed for a real run');
    expect(double.calls.length).toBe(before);
  });

  it('refuses an unknown option with exit code 2', async () => {
    expect(await runCli(['register-commands', '--force'], captureIo(env()))).toBe(2);
  });
});

describe('toDiscordCommands', () => {
  const payload = toDiscordCommands(DISCORD_COMMANDS) as RESTPostAPIChatInputApplicationCommandsJSONBody[];
  const byName = (name: string) => payload.find((c) => c.name === name);
  const option = (command: string, name: string) =>
    byName(command)?.options?.find((o) => o.name === name) as APIApplicationCommandBasicOption | undefined;

  it('maps every command to a chat-input command usable in guilds and DMs with the bot', () => {
    expect(payload.map((c) => c.name)).toEqual(NAMES);
    for (const c of payload) {
      expect(c).toMatchObject({ type: 1, contexts: [0, 1, 2], integration_types: [0] });
    }
  });

  it('maps option types, required, choices, autocomplete and max_length', () => {
    expect(option('imagine', 'prompt')).toEqual({
      name: 'prompt',
      description: 'What you want to see',
      type: 3,
      required: true,
      max_length: 2000,
    });
    expect(option('imagine', 'aspect')).toMatchObject({ type: 3, required: false });
    expect(option('imagine', 'aspect')).toHaveProperty(
      'choices',
      expect.arrayContaining([{ name: '16:9', value: '16:9' }]),
    );
    expect(option('video', 'duration')).toHaveProperty('choices', [
      { name: '5', value: '5' },
      { name: '10', value: '10' },
    ]);
    expect(option('animate', 'image')).toEqual({
      name: 'image',
      description: 'The image to animate (PNG, JPEG, WebP or GIF)',
      type: 11,
      required: true,
    });
    expect(option('styles', 'query')).toMatchObject({ type: 3, required: false, autocomplete: true });
    expect(option('styles', 'query')).not.toHaveProperty('choices');
    expect(byName('jobs')?.options).toEqual([]);

    const extra: CommandDefinition = {
      name: 'count',
      description: 'Integers and booleans',
      intent: 'help',
      options: [
        { name: 'n', description: 'How many', type: 'integer', required: true, choices: [{ name: 'one', value: '1' }] },
        { name: 'loud', description: 'Shout', type: 'boolean', required: false },
      ],
    };
    expect(toDiscordCommands([extra])[0]).toMatchObject({
      options: [
        { name: 'n', type: 4, required: true, choices: [{ name: 'one', value: 1 }] },
        { name: 'loud', type: 5, required: false },
      ],
    });
  });

  it('puts required options before optional ones, otherwise keeping their order', () => {
    const def: CommandDefinition = {
      name: 'mixed',
      description: 'Options out of order',
      intent: 'help',
      options: [
        { name: 'a', description: 'a', type: 'string', required: false },
        { name: 'b', description: 'b', type: 'attachment', required: true },
        { name: 'c', description: 'c', type: 'boolean', required: false },
        { name: 'd', description: 'd', type: 'string', required: true },
      ],
    };
    const [mapped] = toDiscordCommands([def]) as RESTPostAPIChatInputApplicationCommandsJSONBody[];
    expect(mapped?.options?.map((o) => o.name)).toEqual(['b', 'd', 'a', 'c']);
    for (const c of payload) {
      const required = (c.options ?? []).map((o) => o.required === true);
      expect(required).toEqual([...required].sort((x, y) => Number(y) - Number(x)));
    }
  });

  it('refuses option combinations Discord rejects', () => {
    const def = (extra: Partial<CommandDefinition['options'][number]>): CommandDefinition => ({
      name: 'bad',
      description: 'bad',
      intent: 'help',
      options: [{ name: 'x', description: 'x', type: 'string', required: false, ...extra }],
    });
    expect(() => toDiscordCommands([def({ autocomplete: true, choices: [{ name: 'a', value: 'a' }] })])).toThrow(
      /choices or autocomplete/,
    );
    expect(() => toDiscordCommands([def({ type: 'attachment', maxLength: 10 })])).toThrow(/string options only/);
    expect(() => toDiscordCommands([def({ type: 'integer', choices: [{ name: 'a', value: 'a' }] })])).toThrow(
      /not a whole number/,
    );
  });

  it("keeps every name, description and choice within Discord's limits", () => {
    const nameRule = /^[-_'\p{L}\p{N}]{1,32}$/u;
    expect(new Set(payload.map((c) => c.name)).size).toBe(payload.length);
    for (const c of payload) {
      expect(c.name).toMatch(nameRule);
      expect(c.name).toBe(c.name.toLowerCase());
      expect(c.description.length).toBeGreaterThanOrEqual(1);
      expect(c.description.length).toBeLessThanOrEqual(100);
      const options = (c.options ?? []) as APIApplicationCommandBasicOption[];
      expect(options.length).toBeLessThanOrEqual(25);
      expect(new Set(options.map((o) => o.name)).size).toBe(options.length);
      let chars = c.name.length + c.description.length;
      for (const o of options) {
        expect(o.name).toMatch(nameRule);
        expect(o.name).toBe(o.name.toLowerCase());
        expect(o.description.length).toBeGreaterThanOrEqual(1);
        expect(o.description.length).toBeLessThanOrEqual(100);
        chars += o.name.length + o.description.length;
        const choices =
          'choices' in o && Array.isArray(o.choices) ? (o.choices as Array<{ name: string; value: unknown }>) : [];
        expect(choices.length).toBeLessThanOrEqual(25);
        for (const choice of choices) {
          expect(choice.name.length).toBeGreaterThanOrEqual(1);
          expect(choice.name.length).toBeLessThanOrEqual(100);
          expect(String(choice.value).length).toBeLessThanOrEqual(100);
          chars += choice.name.length + String(choice.value).length;
        }
        if ('max_length' in o && o.max_length !== undefined) {
          expect(o.max_length).toBeGreaterThanOrEqual(1);
          expect(o.max_length).toBeLessThanOrEqual(6000);
        }
      }
      // Discord caps the combined name/description/value characters of a command (4000 when this was written).
      expect(chars).toBeLessThanOrEqual(4000);
    }
  });
});

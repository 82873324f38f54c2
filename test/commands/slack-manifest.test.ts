/**
 * commands/slack-manifest.yml against the code: the slash commands are exactly those Slack's adapter offers
 * (its `commands`, picked from commands/index.ts), the scopes and events cover what the adapter calls and listens to, and every URL is Bolt's one route.
 * No YAML library is installed, so the manifest is read line by line: enough for its plain block style.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../src/adapters/slack/slack-app.js';
import { createSlackPlatform } from '../../src/adapters/slack/slack-platform.js';
import { silentLogger } from '../../src/log.js';
import { createLocalMediaStore } from '../../src/media/local-media-store.js';

interface Line {
  indent: number;
  text: string;
}

/** Non-blank, non-comment lines with their indentation and without trailing comments. */
function linesOf(source: string): Line[] {
  return source
    .split('\n')
    .map((raw) => raw.replace(/\s+#.*$/, '').trimEnd())
    .filter((raw) => raw.trim() !== '' && !raw.trimStart().startsWith('#'))
    .map((raw) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim() }));
}

/** The lines nested under a path of mapping keys, e.g. ['settings', 'interactivity']. */
function block(lines: readonly Line[], path: readonly string[]): readonly Line[] {
  let range = lines;
  let parentIndent = -1;
  for (const key of path) {
    const at = range.findIndex((l) => l.indent > parentIndent && l.text.startsWith(`${key}:`));
    if (at < 0) throw new Error(`manifest has no ${path.join('.')}`);
    const indent = range[at]!.indent;
    const end = range.findIndex((l, i) => i > at && l.indent <= indent);
    range = range.slice(at + 1, end < 0 ? undefined : end);
    parentIndent = indent;
  }
  return range;
}

const unquote = (value: string) => value.replace(/^(["'])(.*)\1$/, '$2');

/** `- item` entries of a block sequence. */
const items = (lines: readonly Line[]) =>
  lines.filter((l) => l.text.startsWith('- ')).map((l) => unquote(l.text.slice(2).trim()));

/** `key: value` pairs directly in a block (a leading `- ` is dropped, so it works for one sequence item too). */
function fields(lines: readonly Line[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const m = /^(?:- )?([\w.-]+):\s*(.+)$/.exec(l.text);
    if (m?.[1] && m[2]) out[m[1]] = unquote(m[2].trim());
  }
  return out;
}

/** Splits a sequence of mappings into one field record per `- ` item. */
function records(lines: readonly Line[]): Record<string, string>[] {
  const groups: Line[][] = [];
  for (const l of lines) {
    if (l.text.startsWith('- ')) groups.push([l]);
    else groups.at(-1)?.push(l);
  }
  return groups.map(fields);
}

const source = readFileSync(new URL('../../commands/slack-manifest.yml', import.meta.url), 'utf8');
const manifest = linesOf(source);
const slashCommands = records(block(manifest, ['features', 'slash_commands']));
const botScopes = items(block(manifest, ['oauth_config', 'scopes', 'bot']));
const botEvents = items(block(manifest, ['settings', 'event_subscriptions', 'bot_events']));
const settingsBlock = block(manifest, ['settings']);
const settings = fields(settingsBlock.filter((l) => l.indent === settingsBlock[0]?.indent));

/** What Slack's adapter offers, as the composition root sees it (nothing is started or called). */
const offered = createSlackPlatform(
  { botToken: 'xoxb-manifest', signingSecret: 'manifest-secret', apiUrl: 'http://127.0.0.1:9/api/' },
  {
    store: createLocalMediaStore({ dir: join(tmpdir(), 'higgsbot-manifest-unused') }),
    logger: silentLogger(),
    console: { output: new PassThrough() },
  },
).commands;

describe('commands/slack-manifest.yml', () => {
  it('declares exactly the slash commands Slack’s adapter offers, with their descriptions', () => {
    expect(offered.length).toBeGreaterThan(0);
    expect(slashCommands.map((c) => c.command).sort()).toEqual(offered.map((c) => `/${c.name}`).sort());
    for (const definition of offered) {
      const declared = slashCommands.find((c) => c.command === `/${definition.name}`);
      expect(declared?.description).toBe(definition.description);
      expect(declared?.should_escape).toBe('false');
    }
  });

  it('asks for the bot scopes the adapter uses', () => {
    for (const scope of [
      'chat:write',
      'commands',
      'files:write',
      'files:read',
      'users:read',
      'app_mentions:read',
      'im:history',
    ]) {
      expect(botScopes).toContain(scope);
    }
    expect(new Set(botScopes).size).toBe(botScopes.length);
  });

  it('subscribes to mentions and DMs, with the read scope each message event needs', () => {
    expect(botEvents).toEqual(expect.arrayContaining(['app_mention', 'message.im']));
    const scopeOf = (event: string) =>
      event === 'app_mention' ? 'app_mentions:read' : `${event.replace(/^message\./, '')}:history`;
    for (const event of botEvents) expect(botScopes).toContain(scopeOf(event));
  });

  it('enables interactivity for the Block Kit buttons', () => {
    expect(fields(block(manifest, ['settings', 'interactivity'])).is_enabled).toBe('true');
  });

  it('points every url and request_url at Bolt’s /slack/events route', () => {
    const urls = manifest
      .map((l) => /^(?:- )?(?:url|request_url):\s*(\S+)$/.exec(l.text)?.[1])
      .filter((u): u is string => u !== undefined)
      .map(unquote);
    // One per slash command, plus event subscriptions and interactivity.
    expect(urls).toHaveLength(slashCommands.length + 2);
    for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
    for (const command of slashCommands) expect(command.url).toBeDefined();
  });

  it('leaves Socket Mode, org-wide deployment and token rotation as explicit switches', () => {
    expect(settings.socket_mode_enabled).toMatch(/^(true|false)$/);
    expect(settings.org_deploy_enabled).toBe('false');
    expect(settings.token_rotation_enabled).toBe('false');
  });
});

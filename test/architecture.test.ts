/**
 * The shape of src/, kept by a spec: core depends on nothing but zod, types of node:stream / node:http,
 * src/errors.ts, src/retry.ts and commands/; a platform's folder does not reach into another's; the queue does
 * not know the provider's client; each platform SDK stays in its own folder (src/cli/ and src/app/ too). The
 * rules live in test/support/architecture-rules.ts; a failure lists every offending import with its line.
 * The second half runs the same checker over made-up files, so a rule that stopped biting would show here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkArchitecture,
  formatOffences,
  importsOf,
  type Offence,
  type RuleName,
} from './support/architecture-rules.js';

const ROOT = resolve(import.meta.dirname, '..');

function sourcesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(ROOT, path).split('\\').join('/')] = readFileSync(path, 'utf8');
  }
  return files;
}

const RULES: ReadonlyArray<[RuleName, string]> = [
  ['core', 'core imports only zod, types of node:stream and node:http, src/errors.ts, src/retry.ts and commands/'],
  ['adapters', 'a platform folder under src/adapters/ imports no other platform folder (shared/ is open to all)'],
  ['queue', 'src/queue/ does not import src/higgsfield/'],
  ['sdk', 'discord.js / @discordjs/* only in src/adapters/discord/, @slack/* only in src/adapters/slack/'],
  ['unreadable', 'every dynamic import names its module literally, so the rules can check it'],
];

describe('the shape of src/', () => {
  const tree = sourcesUnder('src');
  const offences = checkArchitecture(tree);

  it('reads every source file under src/', () => {
    expect(Object.keys(tree)).toContain('src/core/ports.ts');
    expect(Object.keys(tree).length).toBeGreaterThan(50);
  });

  it.each(RULES)('%s rule: %s', (rule) => {
    expect(formatOffences(offences.filter((o) => o.rule === rule))).toBe('');
  });
});

/** The rules over a few made-up files: what is reported, as `file:line rule 'specifier'`. */
function reported(files: Record<string, string>): string[] {
  return checkArchitecture(files).map((o: Offence) => `${o.file}:${o.line} ${o.rule} '${o.specifier}'`);
}

describe('the shape rules themselves', () => {
  it("report `import 'discord.js'` in a file under src/core/ (core and SDK rules both)", () => {
    expect(reported({ 'src/core/x.ts': "import 'discord.js';\n" })).toEqual([
      "src/core/x.ts:1 core 'discord.js'",
      "src/core/x.ts:1 sdk 'discord.js'",
    ]);
  });

  it("let core import zod, types of node:stream and node:http, errors, retry, commands/ and core's own files", () => {
    const core = [
      "import { z } from 'zod';",
      "import type { Readable } from 'node:stream';",
      "import type { IncomingMessage } from 'node:http';",
      "import { AppError } from '../errors.js';",
      "import { withRetry } from '../retry.js';",
      "import type { CommandDefinition } from '../../commands/command-definition.js';",
      "import type { Publisher } from './ports.js';",
      "export { isEnded } from './types.js';",
    ].join('\n');
    expect(reported({ 'src/core/x.ts': core })).toEqual([]);
  });

  it('report what core may not import: other packages, node: at run time or other node modules, the rest of src/', () => {
    const core = [
      "import { Readable } from 'node:stream';",
      "import type { Stats } from 'node:fs';",
      "import { readFile } from 'fs/promises';",
      "import type { Redis } from 'ioredis';",
      "import { jobs } from '../queue/jobs.js';",
      "export { createLogger } from '../log.js';",
      "const pino = await import('pino');",
      "type Client = import('../higgsfield/client.js').HiggsfieldClient;",
      "import { type Readable as R } from 'node:stream';",
    ].join('\n');
    expect(reported({ 'src/core/x.ts': core })).toEqual([
      "src/core/x.ts:1 core 'node:stream'",
      "src/core/x.ts:2 core 'node:fs'",
      "src/core/x.ts:3 core 'fs/promises'",
      "src/core/x.ts:4 core 'ioredis'",
      "src/core/x.ts:5 core '../queue/jobs.js'",
      "src/core/x.ts:6 core '../log.js'",
      "src/core/x.ts:7 core 'pino'",
      "src/core/x.ts:8 core '../higgsfield/client.js'",
      // Under verbatimModuleSyntax an inline `type` still loads the module at run time.
      "src/core/x.ts:9 core 'node:stream'",
    ]);
  });

  it('report a platform folder importing another one, but not one importing shared/ or itself', () => {
    expect(
      reported({
        'src/adapters/slack/a.ts': [
          "import { statusPayload } from '../discord/discord-render.js';",
          "import { encodeButton } from '../shared/button-ids.js';",
          "import { threadTs } from './slack-publisher.js';",
        ].join('\n'),
        'src/adapters/shared/b.ts': "import type { SlackMessage } from '../slack/slack-render.js';",
        'src/adapters/terminal/c.ts': "export * from '../slack/slack-render.js';",
      }),
    ).toEqual([
      "src/adapters/shared/b.ts:1 adapters '../slack/slack-render.js'",
      "src/adapters/slack/a.ts:1 adapters '../discord/discord-render.js'",
      "src/adapters/terminal/c.ts:1 adapters '../slack/slack-render.js'",
    ]);
  });

  it('report the queue importing the Higgsfield client, even for types', () => {
    expect(
      reported({
        'src/queue/a.ts': "import type { HfRequest } from '../higgsfield/wire.js';\nimport { x } from './jobs.js';",
        'src/app/b.ts': "import { createHiggsfieldClient } from '../higgsfield/client.js';",
      }),
    ).toEqual(["src/queue/a.ts:1 queue '../higgsfield/wire.js'"]);
  });

  it('report a platform SDK anywhere but its own folder, types included (cli/ and app/ too)', () => {
    expect(
      reported({
        'src/adapters/discord/a.ts': "import { REST } from 'discord.js';\nimport { Routes } from '@discordjs/rest';",
        'src/adapters/slack/b.ts': "import type { App } from '@slack/bolt';\nimport { REST } from 'discord.js';",
        'src/cli/doctor-checks.ts': "const { WebClient } = await import('@slack/web-api');",
        'src/app/c.ts': "import type { Client } from 'discord.js';",
        'src/adapters/shared/d.ts': "import { ButtonStyle } from '@discordjs/builders';",
      }),
    ).toEqual([
      "src/adapters/shared/d.ts:1 sdk '@discordjs/builders'",
      "src/adapters/slack/b.ts:2 sdk 'discord.js'",
      "src/app/c.ts:1 sdk 'discord.js'",
      "src/cli/doctor-checks.ts:1 sdk '@slack/web-api'",
    ]);
  });

  it('read the syntax, not the text: an import in a comment or a string is none, a computed one is reported', () => {
    const text = [
      "// import 'discord.js';",
      'const example = "import { App } from \'@slack/bolt\'";',
      'const which = example;',
      'await import(which);',
    ].join('\n');
    expect(reported({ 'src/core/x.ts': text })).toEqual(["src/core/x.ts:4 unreadable ''"]);
  });

  it('find every kind of import with whether it is erased at compile time', () => {
    const text = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "export { c } from 'c';",
      "export type { D } from 'd';",
      "import e = require('e');",
      "const f = await import('f');",
      "let g: typeof import('g');",
      "import 'h';",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { specifier: 'a', typeOnly: false, line: 1 },
      { specifier: 'b', typeOnly: true, line: 2 },
      { specifier: 'c', typeOnly: false, line: 3 },
      { specifier: 'd', typeOnly: true, line: 4 },
      { specifier: 'e', typeOnly: false, line: 5 },
      { specifier: 'f', typeOnly: false, line: 6 },
      { specifier: 'g', typeOnly: true, line: 7 },
      { specifier: 'h', typeOnly: false, line: 8 },
    ]);
  });

  it('print offences grouped by rule, one line each with file, line and why', () => {
    const text = formatOffences(checkArchitecture({ 'src/core/x.ts': "import 'discord.js';" }));
    expect(text).toContain('core rule:\n  src/core/x.ts:1');
    expect(text).toContain("sdk rule:\n  src/core/x.ts:1 'discord.js': the Discord SDK discord.js is imported outside");
  });
});

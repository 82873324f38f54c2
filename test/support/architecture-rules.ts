/**
 * The shape rules of src/, as a checker over file texts (repo-relative path → source), so a spec can run it
 * on the real tree and, to prove it bites, on a few made-up files. Imports are read with the TypeScript
 * parser, not a regex: static imports, `export … from`, `import x = require(…)`, dynamic `import()` and type
 * positions `import('…').T` are all found, and whether one is type-only is what the syntax says. Only
 * `import type` / `export type` (and `import('…')` in a type) count as type-only: under verbatimModuleSyntax
 * `import { type A } from 'x'` still loads 'x' at run time.
 *
 * The rules:
 * - core: a file under src/core/ imports no npm package but zod, no node: module except type-only
 *   node:stream and node:http, and nothing outside src/core/ except src/errors.ts, src/retry.ts and commands/;
 * - adapters: a file under src/adapters/<p>/ imports no other src/adapters/<q>/ (src/adapters/shared/ is open
 *   to all, and itself imports no platform's folder);
 * - queue: no file under src/queue/ imports src/higgsfield/;
 * - sdk: discord.js and @discordjs/* are imported only under src/adapters/discord/, @slack/* only under
 *   src/adapters/slack/ — anywhere else in src/ (cli/ and app/ included) is an offence.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

export interface ImportRef {
  specifier: string;
  /** Erased at compile time: `import type`, `export type … from`, or `import('…')` in a type. */
  typeOnly: boolean;
  /** 1-based line of the import. */
  line: number;
}

export type RuleName = 'core' | 'adapters' | 'queue' | 'sdk' | 'unreadable';

export interface Offence {
  rule: RuleName;
  file: string;
  line: number;
  specifier: string;
  why: string;
}

const BUILTINS = new Set(builtinModules);
const CORE_MAY_IMPORT_PACKAGES = new Set(['zod']);
const CORE_MAY_IMPORT_NODE_TYPES = new Set(['node:stream', 'node:http']);
const CORE_MAY_IMPORT_FILES = new Set(['src/errors.ts', 'src/retry.ts']);
const SDKS: ReadonlyArray<{ matches: (pkg: string) => boolean; home: string; name: string }> = [
  { matches: (p) => p === 'discord.js' || p.startsWith('@discordjs/'), home: 'src/adapters/discord/', name: 'Discord' },
  { matches: (p) => p.startsWith('@slack/'), home: 'src/adapters/slack/', name: 'Slack' },
];

/** Every module specifier `text` names; a dynamic import of a non-literal comes back with specifier ''. */
export function importsOf(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ImportRef[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier: specifier && ts.isStringLiteralLike(specifier) ? specifier.text : '', typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

type Target =
  | { kind: 'file'; path: string }
  | { kind: 'node'; name: string }
  | { kind: 'package'; name: string }
  | { kind: 'unknown' };

/** What a specifier in `file` names: a repo file (`.js` read as its `.ts`), a node: builtin or an npm package. */
function resolve(file: string, specifier: string): Target {
  if (specifier === '') return { kind: 'unknown' };
  if (specifier.startsWith('.')) {
    const path = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
    return { kind: 'file', path };
  }
  if (specifier.startsWith('node:')) return { kind: 'node', name: specifier.split('/')[0] ?? specifier };
  const [first = '', second = ''] = specifier.split('/');
  if (BUILTINS.has(first)) return { kind: 'node', name: `node:${first}` };
  return { kind: 'package', name: first.startsWith('@') ? `${first}/${second}` : first };
}

/** The platform folder a file is in (`src/adapters/<p>/`), if any. */
function adapterOf(path: string): string | undefined {
  return /^src\/adapters\/([^/]+)\//.exec(path)?.[1];
}

function offencesOf(file: string, ref: ImportRef): Offence[] {
  const out: Offence[] = [];
  const offence = (rule: RuleName, why: string) =>
    out.push({ rule, file, line: ref.line, specifier: ref.specifier, why });
  const target = resolve(file, ref.specifier);
  if (target.kind === 'unknown') {
    offence('unreadable', 'a dynamic import of a computed specifier: the shape rules cannot check it');
    return out;
  }

  if (file.startsWith('src/core/')) {
    if (target.kind === 'package' && !CORE_MAY_IMPORT_PACKAGES.has(target.name)) {
      offence('core', `core imports the npm package ${target.name} (only zod is allowed)`);
    }
    if (target.kind === 'node' && !(ref.typeOnly && CORE_MAY_IMPORT_NODE_TYPES.has(target.name))) {
      offence(
        'core',
        `core imports ${target.name}${ref.typeOnly ? '' : ' at run time'} (only types of node:stream and node:http)`,
      );
    }
    if (
      target.kind === 'file' &&
      !target.path.startsWith('src/core/') &&
      !target.path.startsWith('commands/') &&
      !CORE_MAY_IMPORT_FILES.has(target.path)
    ) {
      offence('core', `core imports ${target.path} (outside core only src/errors.ts, src/retry.ts and commands/)`);
    }
  }

  const from = adapterOf(file);
  if (target.kind === 'file' && from !== undefined) {
    const to = adapterOf(target.path);
    if (to !== undefined && to !== 'shared' && to !== from) {
      offence(
        'adapters',
        `the ${from} adapter imports the ${to} adapter (${target.path}); share through src/adapters/shared/`,
      );
    }
  }

  if (file.startsWith('src/queue/') && target.kind === 'file' && target.path.startsWith('src/higgsfield/')) {
    offence('queue', `the queue imports ${target.path} (it talks to the provider through core's GenerationProvider)`);
  }

  if (target.kind === 'package') {
    const sdk = SDKS.find((s) => s.matches(target.name));
    if (sdk && !file.startsWith(sdk.home)) {
      offence('sdk', `the ${sdk.name} SDK ${target.name} is imported outside ${sdk.home}`);
    }
  }
  return out;
}

/** Every offence in `files` (repo-relative path → source text); only files under src/ are checked. */
export function checkArchitecture(files: Readonly<Record<string, string>>): Offence[] {
  return Object.entries(files)
    .filter(([path]) => path.startsWith('src/') && path.endsWith('.ts') && !path.endsWith('.d.ts'))
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([path, text]) => importsOf(path, text).flatMap((ref) => offencesOf(path, ref)));
}

/** One line per offence, grouped by rule: what a failing spec prints. */
export function formatOffences(offences: readonly Offence[]): string {
  const rules = [...new Set(offences.map((o) => o.rule))];
  return rules
    .map((rule) => {
      const lines = offences
        .filter((o) => o.rule === rule)
        .map((o) => `  ${o.file}:${o.line} '${o.specifier}': ${o.why}`);
      return `${rule} rule:\n${lines.join('\n')}`;
    })
    .join('\n');
}

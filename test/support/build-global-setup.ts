/**
 * Keeps dist/ fresh for the specs that run the built CLI (test/e2e and test/browser: `node bin/higgsbot.js …`
 * loads dist/, and the bot serves the web chat from dist/web): when the run includes them and any .ts under
 * src/ or commands/ is newer than its compiled .js (or has none), it runs `tsc -p tsconfig.build.json` once;
 * when any file under web/ (or scripts/build-web.mjs) is newer than dist/web/index.html (or that is missing), it
 * runs `node scripts/build-web.mjs` once. Both under one lock, so two test runs never write dist/ at the same
 * time. Runs that select no e2e or browser file skip it. Type errors in the tree are reported but do not stop
 * the run: tsc still emits, and the e2e specs then exercise the code as it is; a failed web build is reported,
 * and the browser specs then fail on the page that is missing or old.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type Dirent, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = ['src', 'commands'];
const LOCK_STALE_MS = 180_000;
/** The browser app's sources and its build script; their output's marker is dist/web/index.html. */
const WEB_SOURCES = ['web', 'scripts/build-web.mjs'];
const WEB_BUILT = 'dist/web/index.html';
const BUILT_DIRS = new Set(['node_modules', 'dist']);

function tsFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The first source whose compiled file is missing or older, or undefined when dist/ is up to date. */
export function staleSource(root = ROOT): string | undefined {
  for (const source of SOURCES.flatMap((dir) => tsFiles(join(root, dir)))) {
    const built = join(root, 'dist', relative(root, source)).replace(/\.ts$/, '.js');
    const builtAt = mtimeMs(built);
    if (builtAt === undefined || (mtimeMs(source) ?? 0) > builtAt) return relative(root, source);
  }
  return undefined;
}

function allFiles(path: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return mtimeMs(path) === undefined ? [] : [path]; // a file, or nothing
  }
  return entries.flatMap((entry) => {
    if (entry.isDirectory()) return BUILT_DIRS.has(entry.name) ? [] : allFiles(join(path, entry.name));
    return [join(path, entry.name)];
  });
}

/**
 * The first web source newer than dist/web/index.html (or any, when that is missing); undefined when the page
 * is up to date, or when there is no web/ to build.
 */
export function staleWebSource(root = ROOT): string | undefined {
  const sources = WEB_SOURCES.flatMap((path) => allFiles(join(root, path)));
  if (
    !sources.some((path) => path.startsWith(join(root, 'web/'))) ||
    mtimeMs(join(root, 'scripts/build-web.mjs')) === undefined
  ) {
    return undefined;
  }
  const builtAt = mtimeMs(join(root, WEB_BUILT));
  const stale = sources.find((path) => builtAt === undefined || (mtimeMs(path) ?? 0) > builtAt);
  return stale === undefined ? undefined : relative(root, stale);
}

async function runsEndToEnd(project: TestProject): Promise<boolean> {
  // The CLI's file filters (internal field, absent for a whole-suite run). Unknown shape: build to be safe.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!filters || filters.length === 0) return true;
  try {
    const specs = await project.vitest.globTestSpecifications(filters);
    return specs.some((spec) => spec.moduleId.includes('/test/e2e/') || spec.moduleId.includes('/test/browser/'));
  } catch {
    return true;
  }
}

async function withLock<T>(run: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `higgsbot-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (mtimeMs(lock) ?? Date.now());
      if (age > LOCK_STALE_MS || Date.now() > deadline) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function run(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, output: `${stdout}${stderr}` });
    });
  });
}

export default async function setup(project: TestProject): Promise<void> {
  if (!(await runsEndToEnd(project))) return;
  if (staleSource() === undefined && staleWebSource() === undefined) return;
  await withLock(async () => {
    // Another run may have built either while we waited.
    await buildServer(staleSource());
    await buildWeb(staleWebSource());
  });
}

async function buildServer(stale: string | undefined): Promise<void> {
  if (stale === undefined) return;
  const started = performance.now();
  const { code, output } = await run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  const took = Math.round(performance.now() - started);
  if (code !== 0) {
    console.warn(
      `build-global-setup: tsc -p tsconfig.build.json exited ${code} after ${took} ms (it still emits; the e2e specs ` +
        `run the code as it is):\n${output.trim().split('\n').slice(0, 20).join('\n')}`,
    );
  } else {
    console.info(`build-global-setup: rebuilt dist/ (${stale} was newer) in ${took} ms`);
  }
  if (mtimeMs(join(ROOT, 'dist/src/cli.js')) === undefined) {
    throw new Error(`build-global-setup: dist/src/cli.js is missing after the build:\n${output}`);
  }
}

async function buildWeb(stale: string | undefined): Promise<void> {
  if (stale === undefined) return;
  const started = performance.now();
  const { code, output } = await run([join(ROOT, 'scripts/build-web.mjs')]);
  const took = Math.round(performance.now() - started);
  if (code !== 0) {
    console.warn(
      `build-global-setup: node scripts/build-web.mjs exited ${code} after ${took} ms (the browser specs see the ` +
        `page as it was):\n${output.trim().split('\n').slice(0, 20).join('\n')}`,
    );
  } else {
    console.info(`build-global-setup: rebuilt dist/web (${stale} was newer) in ${took} ms`);
  }
}

/**
 * The `higgsbot` bin as people run it: `node bin/higgsbot.js …` on the compiled dist/. Specs that spawn it
 * call `ensureBuilt()` first, which rebuilds (`tsc -p tsconfig.build.json`, as `npm run build` does) only
 * when a source file is newer than the compiled entry, so a fresh checkout or an edit is never tested stale.
 */
import { execFile, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/higgsbot.js');
const ENTRY = join(ROOT, 'dist/src/cli.js');

async function newestMtimeMs(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

export async function ensureBuilt(): Promise<void> {
  const built = await stat(ENTRY).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = Math.max(await newestMtimeMs(join(ROOT, 'src')), await newestMtimeMs(join(ROOT, 'commands')));
  if (built > sources) return;
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? String(error);
    throw new Error(`npm run build failed, so the bin cannot be tested:\n${out}`);
  }
}

export interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/higgsbot.js <args>`; `readStdout` decides when the reader leaves: it gets the text so far
 * and returns true to close the pipe, as `head` does once it has its lines.
 */
export function runBin(args: readonly string[], readStdout: (soFar: string) => boolean = () => false): Promise<BinRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const leave = () => {
    if (!child.stdout.destroyed && readStdout(stdout)) child.stdout.destroy();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    leave();
  });
  leave();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * One process at a time on an embedded history folder: PGlite is a single-process database, and two
 * processes writing the same files would corrupt it. The lock is a file (`history.lock`, created with O_EXCL)
 * holding the owner's pid and host. Non-obvious: a lock left by a process that died is taken over — its pid is
 * gone, or it is our own pid while this process holds no such lock (a container restarted as pid 1 again);
 * a lock from another host cannot be checked, so it is respected; an unreadable one is taken over once it is
 * older than a few seconds (its owner died while writing it).
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/** Locks this process holds, by path: a second open of the same folder in the same process is refused too. */
const held = new Set<string>();

export interface DataDirLock {
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
}

function inUse(dir: string, owner: Owner | undefined): ConfigError {
  const who = owner ? `process ${owner.pid} on ${owner.host}` : 'another process';
  return new ConfigError([
    {
      variable: 'DATABASE_URL',
      problem: `is not set, and the embedded history database in ${dir} is already open in ${who}; the embedded database (PGlite) serves one process only`,
      expected:
        'a postgres:// URL of a PostgreSQL server every Higgsbot process shares (needed to run several processes), or stop the other process',
    },
  ]);
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Owner>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string'
      ? { pid: parsed.pid, host: parsed.host }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An unreadable lock older than this was left half-written by a process that died while taking it. */
const HALF_WRITTEN_MS = 10_000;

async function isStale(path: string, owner: Owner | undefined): Promise<boolean> {
  if (owner === undefined) {
    const modified = await stat(path).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    return Date.now() - modified > HALF_WRITTEN_MS;
  }
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !held.has(path);
  return !isAlive(owner.pid);
}

async function create(path: string): Promise<boolean> {
  try {
    const file = await open(path, 'wx');
    await file.writeFile(JSON.stringify({ pid: process.pid, host: hostname() }));
    await file.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Takes `<dir>/history.lock` or fails at once with a ConfigError saying to set DATABASE_URL. */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const path = join(dir, 'history.lock');
  if (held.has(path)) throw inUse(dir, { pid: process.pid, host: hostname() });
  if (!(await create(path))) {
    const owner = await readOwner(path);
    if (!(await isStale(path, owner))) throw inUse(dir, owner);
    await unlink(path).catch(() => undefined);
    if (!(await create(path))) throw inUse(dir, await readOwner(path));
  }
  held.add(path);
  return {
    async release() {
      if (!held.delete(path)) return;
      await unlink(path).catch(() => undefined);
    },
  };
}

/**
 * The committed lockfile is complete: `npm ci` refuses a lockfile that lacks any optional dependency a
 * locked package declares (the platform builds of Biome and msgpackr-extract), even ones this machine
 * would never install, so every declared optional dependency must have its own entry at its version range.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};

/** Where npm would find `name` from the package at `path`: its own node_modules, then each parent's. */
function resolve(path: string, name: string): LockEntry | undefined {
  let base = path;
  for (;;) {
    const found = lock.packages[`${base ? `${base}/` : ''}node_modules/${name}`];
    if (found) return found;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

describe('package-lock.json', () => {
  it('has an entry for every optional dependency of every locked package, so `npm ci` accepts it', () => {
    expect(lock.lockfileVersion).toBe(3);
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
        const found = resolve(path, name);
        if (!found || (/^\d+\.\d+\.\d+$/.test(range) && found.version !== range)) missing.push(`${name}@${range}`);
      }
    }
    expect(missing, 'run `npm install --package-lock-only` and commit package-lock.json').toEqual([]);
  });
});

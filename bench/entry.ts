/**
 * Whether a module is the script node was started with, so a benchmark runs only from its command line
 * (`npx tsx bench/<name>.bench.ts`, `node --import tsx bench/...`) and importing it only defines things.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** `isEntry(import.meta.url)`: true when this module is the one on node's command line. */
export function isEntry(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && real(script) === real(fileURLToPath(moduleUrl));
}

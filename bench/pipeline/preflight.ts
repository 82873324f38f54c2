/**
 * Before the pipeline benchmark starts a scenario: the Redis version (for the report), and a compiled dist/
 * no older than src/, since the worker under test runs as `node bin/higgsbot.js` from dist/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRedis } from '../../src/queue/redis.js';
import { sec } from '../format.js';

export async function redisVersion(redisUrl: string): Promise<string> {
  const redis = createRedis(redisUrl, 'probe');
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

/** Newest mtime of the .ts files under `dir` (bounded walk). */
function newestMtime(dir: string): number {
  let newest = 0;
  const stack = [dir];
  for (let guard = 0; stack.length > 0 && guard < 10_000; guard++) {
    const current = stack.pop()!;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Runs `npm run build` when forced or when dist/ is older than src/; returns a note for the report. */
export function ensureBuilt(root: string, force: boolean, log: (message: string) => void): string {
  const entry = join(root, 'dist/src/cli.js');
  const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(join(root, 'src'));
  if (!force && !stale) return 'dist/ up to date (not rebuilt)';
  log('building dist/ (npm run build)…');
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', timeout: 180_000 });
  if (result.status !== 0) throw new Error(`npm run build failed (status ${result.status})`);
  return `built with npm run build in ${sec(Date.now() - started)}`;
}

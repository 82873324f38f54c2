/**
 * A private, throw-away `redis-server` on a free loopback port (no persistence), for the terminal demo and
 * the test suite on machines where no Redis answers. Resolves undefined when no redis-server binary runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { pingRedis } from './redis.js';

export interface PrivateRedis {
  url: string;
  stop(): void;
}

export const HOW_TO_GET_REDIS =
  'Start one (`redis-server`), set REDIS_URL to a running one, or install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`).';

export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    await pingRedis(url, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

export async function startPrivateRedis(startTimeoutMs = 5_000): Promise<PrivateRedis | undefined> {
  const port = await freeLoopbackPort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(false));
    const deadline = Date.now() + startTimeoutMs;
    const poll = async () => {
      if (await redisAnswers(url, 500)) return resolve(true);
      if (Date.now() > deadline) return resolve(false);
      setTimeout(poll, 50);
    };
    void poll();
  });
  if (!started) {
    child.kill('SIGKILL');
    return undefined;
  }
  child.unref();
  const stop = () => void child.kill('SIGTERM');
  // Never outlive the process that started it, however that process ends.
  process.once('exit', stop);
  return { url, stop };
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

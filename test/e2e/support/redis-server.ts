/**
 * A private `redis-server` the spec owns, so it can stop and start it: durable (AOF, fsync on every write, no
 * RDB snapshots) in a temp folder, on a free loopback port. `stop` sends SIGTERM, on which Redis flushes its AOF
 * and exits; `start` brings it back on the same port and folder, with the same data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port.js';
import { waitUntil } from './wait.js';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** What redis-server printed, across restarts. */
  readonly log: string;
  start(): Promise<void>;
  /** SIGTERM (Redis flushes its AOF), and wait until it exited and the port refuses. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** PING over a raw socket: true on +PONG. */
export function pings(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'higgsbot-e2e-redis-'));
  let child: ChildProcess | undefined;
  let alive = false;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get log() {
      return log;
    },
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
      args.push('--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'no');
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      proc.stdout?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
      });
      proc.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
      });
      alive = true;
      const killOnExit = () => proc.kill('SIGKILL');
      process.once('exit', killOnExit);
      proc.once('exit', () => process.off('exit', killOnExit));
      exited = new Promise((resolve) =>
        proc.once('exit', () => {
          alive = false;
          resolve();
        }),
      );
      await waitUntil(() => pings(port), {
        timeoutMs: 15_000,
        what: `redis-server on port ${port} answers PING`,
        intervalMs: 50,
        detail: () => log.slice(-2_000),
      });
    },
    async stop() {
      if (!child || !alive) return;
      child.kill('SIGTERM');
      await exited;
      await waitUntil(async () => !(await pings(port, 300)), { timeoutMs: 5_000, what: 'the Redis port refuses' });
    },
    async close() {
      if (child && alive) {
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

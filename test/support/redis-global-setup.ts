/**
 * Makes a real Redis available to the suite: REDIS_URL (default 127.0.0.1:6379) when it answers,
 * otherwise a private `redis-server` on a free loopback port, stopped at the end. Tests read the URL
 * with `inject('redisUrl')`; `null` means none could be had, and tests that need Redis say how to get one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { pingRedis } from '../../src/queue/redis.js';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string | null;
  }
}

let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(wanted)) {
    project.provide('redisUrl', wanted);
    return async () => {};
  }
  const port = await freePort();
  child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const started = await new Promise<boolean>((resolve) => {
    child?.once('error', () => resolve(false));
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 5_000;
    const poll = async () => {
      if (await answers(url)) return resolve(true);
      if (Date.now() > deadline) return resolve(false);
      setTimeout(poll, 50);
    };
    void poll();
  });
  project.provide('redisUrl', started ? `redis://127.0.0.1:${port}` : null);
  return async () => {
    child?.kill('SIGTERM');
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    await pingRedis(url, 1_000);
    return true;
  } catch {
    return false;
  }
}

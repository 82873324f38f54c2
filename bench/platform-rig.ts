/**
 * What the Discord and Slack benchmarks share: the bot run as in production (`higgsbot start --role all`
 * from a fresh build, in its own process) against the simulator and the Anthropic fake in this process, an
 * observer of `queued` events keyed by thread and option, latency summaries, and one clean-up for all of it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROPOSE_OPTIONS } from '../src/agent/agent-tools.js';
import type { ProgressEvent } from '../src/core/types.js';
import { HiggsfieldClient } from '../src/higgsfield/client.js';
import { SIMULATOR_CREDENTIALS, type Simulator, startSimulator } from '../src/higgsfield/simulator/index.js';
import { silentLogger } from '../src/log.js';
import { createPipeline } from '../src/queue/create-pipeline.js';
import { type AnthropicFake, startAnthropicFake, toolUse } from '../test/doubles/anthropic/anthropic-fake.js';
import { deleteKeys } from '../test/support/redis.js';
import { type Child, freePort, spawnChild } from './support.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What Claude (the fake) proposes for every request: option 1 Nano Banana, option 2 Soul. */
const PROPOSAL = {
  text: 'Two ideas:',
  options: [
    { model: 'nano-banana', prompt: 'a red fox in snow', label: 'Nano Banana still', reason: 'Fast.' },
    {
      model: 'higgsfield-ai/soul/v2/standard',
      prompt: 'a red fox, golden light',
      label: 'Soul still',
      reason: 'Photoreal.',
      style: 'General',
    },
  ],
};

export interface PlatformRig {
  sim: Simulator;
  fake: AnthropicFake;
  bot: Child;
  httpPort: number;
  /**
   * When each generation was queued, as the bot stamped its `queued` event (wall clock, free of this
   * process's delays), by `${threadId}:${optionIndex}`.
   */
  queuedStampedAt: Map<string, number>;
  close(): Promise<void>;
}

/** Starts everything but the platform double, which the caller starts first to know its env. */
export async function startPlatformRig(options: {
  name: string;
  platformEnv: Record<string, string>;
}): Promise<PlatformRig> {
  const prefix = `bench-${options.name}-${process.pid}`;
  const sim = await startSimulator({ queuedMs: 0, inProgressMs: 60_000 });
  const fake = await startAnthropicFake();
  fake.setDefault(toolUse(PROPOSE_OPTIONS, PROPOSAL));
  const mediaDir = await mkdtemp(`${tmpdir()}/higgsbot-bench-${options.name}-`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 180_000 });
  if (build.status !== 0) throw new Error('npm run build failed');
  const httpPort = await freePort();
  const bot = spawnChild(
    'bot',
    // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the bot.
    [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/higgsbot.js', 'start', '--role', 'all'],
    {
      PATH: process.env.PATH,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      HF_CREDENTIALS: `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`,
      HIGGSFIELD_BASE_URL: sim.url,
      ANTHROPIC_API_KEY: 'bench',
      ANTHROPIC_BASE_URL: fake.url,
      MEDIA_DIR: mediaDir,
      USER_MAX_ACTIVE: '5',
      HTTP_PORT: String(httpPort),
      LOG_LEVEL: 'warn',
      ...options.platformEnv,
    },
    ROOT,
  );
  const observer = createPipeline({
    redisUrl: REDIS_URL,
    client: new HiggsfieldClient({ baseUrl: sim.url, credentials: SIMULATOR_CREDENTIALS, logger: silentLogger() }),
    logger: silentLogger(),
    settings: { prefix },
  });
  await observer.ready();
  const queuedStampedAt = new Map<string, number>();
  const unsubscribe = await observer.bus.subscribe((e: ProgressEvent) => {
    const key = `${e.conversation.threadId}:${e.label?.startsWith('Soul') ? 1 : 0}`;
    if (e.state === 'queued' && !queuedStampedAt.has(key)) queuedStampedAt.set(key, e.atMs);
  });
  return {
    sim,
    fake,
    bot,
    httpPort,
    queuedStampedAt,
    async close() {
      await unsubscribe();
      await bot.stop();
      await observer.close();
      await sim.close();
      await fake.close();
      await deleteKeys(REDIS_URL, prefix);
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latency(values: readonly number[]): Latency {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return { p50: at(50), p95: at(95), p99: at(99), max: s[s.length - 1]! };
}

/** One markdown table row: name, p50, p95, **p99**, max, target. */
export function latencyRow(name: string, l: Latency, target: string): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  return `| ${name} | ${ms(l.p50)} | ${ms(l.p95)} | **${ms(l.p99)}** | ${ms(l.max)} | ${target} |`;
}

/**
 * What the Discord and Slack benchmarks share: the bot run as in production (`higgsbot start --role all`
 * from a fresh build, in its own process) against the simulator and the Anthropic fake in this process, an
 * observer of `queued` events keyed by thread and option, the latency table row, and one clean-up for all of it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PROPOSE_OPTIONS } from '../src/agent/agent-tools.js';
import type { ProgressEvent } from '../src/core/types.js';
import { type Simulator, startSimulator } from '../src/higgsfield/simulator/index.js';
import { type AnthropicFake, freePort, startAnthropicFake, toolUse } from '../test/doubles/index.js';
import { deleteBenchKeys } from './bench-keys.js';
import { type Child, spawnChild } from './child-process.js';
import { REDIS_URL, ROOT } from './environment.js';
import { ms } from './format.js';
import { Scope } from './scope.js';
import { simulatorCredentialsEnv, simulatorPipeline } from './simulator-pipeline.js';
import type { Latency } from './stats.js';

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

/**
 * Starts everything but the platform double, which the caller starts first to know its env. Whatever was
 * started is stopped again by `close()`, or at once when a later step fails.
 */
export async function startPlatformRig(options: {
  name: string;
  platformEnv: Record<string, string>;
}): Promise<PlatformRig> {
  const prefix = `bench-${options.name}-${process.pid}`;
  const scope = new Scope();
  const close = async () => {
    const problems = await scope.close();
    if (problems.length > 0) console.error(`clean-up (${options.name}): ${problems.join('; ')}`);
  };
  scope.defer('redis keys', async () => void (await deleteBenchKeys(REDIS_URL, prefix)));
  try {
    const sim = await startSimulator({ queuedMs: 0, inProgressMs: 60_000 });
    scope.defer('simulator', () => sim.close());
    const fake = await startAnthropicFake();
    scope.defer('anthropic fake', () => fake.close());
    fake.setDefault(toolUse(PROPOSE_OPTIONS, PROPOSAL));
    const mediaDir = await mkdtemp(`${tmpdir()}/higgsbot-bench-${options.name}-`);
    scope.defer('media dir', () => rm(mediaDir, { recursive: true, force: true }));
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 180_000 });
    if (build.status !== 0) throw new Error('npm run build failed');
    const observer = simulatorPipeline({ sim, redisUrl: REDIS_URL, settings: { prefix } });
    scope.defer('observer pipeline', () => observer.close());
    await observer.ready();
    const httpPort = await freePort();
    const bot = spawnChild(
      'bot',
      // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the bot.
      [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/higgsbot.js', 'start', '--role', 'all'],
      {
        PATH: process.env.PATH,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        HF_CREDENTIALS: simulatorCredentialsEnv(),
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
    scope.defer('bot process', () => bot.stop());
    const queuedStampedAt = new Map<string, number>();
    const unsubscribe = await observer.bus.subscribe((e: ProgressEvent) => {
      const key = `${e.conversation.threadId}:${e.label?.startsWith('Soul') ? 1 : 0}`;
      if (e.state === 'queued' && !queuedStampedAt.has(key)) queuedStampedAt.set(key, e.atMs);
    });
    scope.defer('progress subscription', unsubscribe);
    return { sim, fake, bot, httpPort, queuedStampedAt, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One markdown table row: name, p50, p95, **p99**, max, target. */
export function latencyRow(name: string, l: Latency, target: string): string {
  return `| ${name} | ${ms(l.p50)} | ${ms(l.p95)} | **${ms(l.p99)}** | ${ms(l.max)} | ${target} |`;
}

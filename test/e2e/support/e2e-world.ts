/**
 * What every end-to-end spec runs the product against, all on 127.0.0.1 in the test process: the Higgsfield
 * simulator (behind a holding proxy, which also tells which prompts were submitted), the Anthropic fake
 * proposing two options built from the person's words, a media folder and a queue prefix of its own. `role`
 * starts `higgsbot start --role <bot|worker>` as a child process with exactly the environment a person would
 * set, plus the platform's variables; `close` ends the children, the servers and the keys.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROPOSE_OPTIONS } from '../../../src/agent/agent-tools.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../../src/higgsfield/simulator/index.js';
import {
  type AnthropicFake,
  type RecordedRequest,
  startAnthropicFake,
  toolUse,
} from '../../doubles/anthropic/anthropic-fake.js';
import { freePort } from '../../support/free-port.js';
import { createTestDatabase } from '../../support/postgres.js';
import { deleteKeys, redisUrl, testPrefix } from '../../support/redis.js';
import { type CliChild, spawnCli, stopAll, waitReady } from './cli-process.js';
import { type HoldingProxy, startHoldingProxy } from './holding-proxy.js';

export type Role = 'bot' | 'worker';

/** The two options the fake proposes for a request: a Soul still and a Nano Banana poster of the same words. */
export const OPTION_LABELS = ['Soul · Golden Hour still', 'Nano Banana poster'] as const;
export const promptsFor = (request: string): [string, string] => [
  `${request}, warm rim light`,
  `${request} as a poster with bold lettering`,
];

export function requestText(req: RecordedRequest): string {
  const first = req.body.messages[0]?.content;
  const text =
    typeof first === 'string'
      ? first
      : (first ?? []).map((block) => (block.type === 'text' ? block.text : '')).join('');
  return /<request>\n?([\s\S]*?)\n?<\/request>/.exec(text)?.[1]?.trim() ?? text.trim();
}

export function proposalFor(request: string) {
  const [still, poster] = promptsFor(request);
  return {
    text: 'Two ways to show it:',
    options: [
      {
        model: 'higgsfield-ai/soul/v2/standard',
        prompt: still,
        label: OPTION_LABELS[0],
        reason: 'A warm photoreal still.',
        style: 'Golden Hour',
      },
      { model: 'nano-banana', prompt: poster, label: OPTION_LABELS[1], reason: 'Lettering.' },
    ],
  };
}

export interface WorldOptions {
  name: string;
  sim?: SimulatorOptions;
  /** REDIS_URL for the children (default: the suite's Redis). */
  redisUrl?: string;
  /** Variables every child gets on top of the common ones (the platform's). */
  platformEnv: () => Record<string, string>;
}

export interface World {
  sim: Simulator;
  /** Between the children and the simulator: every submit passes here. */
  simProxy: HoldingProxy;
  fake: AnthropicFake;
  prefix: string;
  mediaDir: string;
  redisUrl: string;
  children: CliChild[];
  /**
   * Spawns `higgsbot start --role <role>` and resolves once its /readyz answers 200. `extraEnv` may be a
   * function of the port the child will listen on (PUBLIC_URL = its own URL, say).
   */
  start(
    role: Role,
    extraEnv?: Record<string, string> | ((port: number) => Record<string, string>),
  ): Promise<{ child: CliChild; port: number }>;
  /** Generations Higgsfield was asked for with exactly this prompt (distinct idempotency keys). */
  /** This world's history database (bot and worker share it). */
  databaseUrl: string;
  generationsOf(prompt: string): number;
  close(): Promise<void>;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const sim = await startSimulator({ queuedMs: 100, inProgressMs: 300, maxConcurrent: 200, ...options.sim });
  const simProxy = await startHoldingProxy(sim.url);
  const fake = await startAnthropicFake();
  fake.setDefault((req) => toolUse(PROPOSE_OPTIONS, proposalFor(requestText(req))));
  const prefix = testPrefix(`e2e-${options.name}`);
  const mediaDir = await mkdtemp(join(tmpdir(), `higgsbot-e2e-${options.name}-`));
  const url = options.redisUrl ?? redisUrl();
  // Bot and worker processes share history, so it is a real PostgreSQL database of this world's own.
  const database = await createTestDatabase(`e2e_${options.name}`);
  const children: CliChild[] = [];
  let count = 0;

  const world: World = {
    sim,
    simProxy,
    fake,
    prefix,
    mediaDir,
    redisUrl: url,
    databaseUrl: database.url,
    children,
    async start(role, extraEnv = {}) {
      count += 1;
      const port = await freePort();
      const child = spawnCli(`${role}-${count}`, ['start', '--role', role], {
        REDIS_URL: url,
        QUEUE_PREFIX: prefix,
        HTTP_PORT: String(port),
        MEDIA_DIR: mediaDir,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'warn',
        HF_CREDENTIALS: 'sim-key:sim-secret',
        HIGGSFIELD_BASE_URL: simProxy.url,
        ANTHROPIC_API_KEY: 'sk-ant-e2e-fake',
        ANTHROPIC_BASE_URL: fake.url,
        ...options.platformEnv(),
        ...(typeof extraEnv === 'function' ? extraEnv(port) : extraEnv),
      });
      children.push(child);
      await waitReady(child, port);
      return { child, port };
    },
    generationsOf(prompt) {
      const needle = JSON.stringify(prompt);
      const keys = new Set<string>();
      for (const exchange of simProxy.exchanges) {
        const submit = exchange.method === 'POST' && !/^\/(estimate|requests|files)\//.test(exchange.path);
        if (!submit || !exchange.body.toString('utf8').includes(needle)) continue;
        keys.add(String(exchange.headers['idempotency-key'] ?? `no-key-${exchange.seq}`));
      }
      return keys.size;
    },
    async close() {
      await stopAll();
      await simProxy.close();
      await sim.close();
      await fake.close();
      await deleteKeys(url, prefix).catch(() => 0);
      await rm(mediaDir, { recursive: true, force: true });
      await database.drop().catch(() => undefined);
    },
  };
  return world;
}

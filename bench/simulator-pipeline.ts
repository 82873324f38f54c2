/**
 * The one place the benchmarks build the product's generation pipeline (`createPipeline`): on the given Redis,
 * with the Higgsfield provider (src/higgsfield/higgsfield-provider.ts) talking to a simulator, logging nothing. The pipeline benchmark's runner uses it as the producer
 * (it enqueues and listens to progress; the worker under test runs in its own process), the platform rig as
 * an observer of `queued` events. When the pipeline's construction changes, this file is the only one to follow.
 */
import { HiggsfieldClient } from '../src/higgsfield/client.js';
import { createHiggsfieldProvider } from '../src/higgsfield/higgsfield-provider.js';
import { SIMULATOR_CREDENTIALS, type Simulator } from '../src/higgsfield/simulator/index.js';
import { silentLogger } from '../src/log.js';
import { createPipeline, type Pipeline } from '../src/queue/create-pipeline.js';
import type { PipelineSettings } from '../src/queue/pipeline-settings.js';

export function simulatorPipeline(options: {
  sim: Simulator;
  redisUrl: string;
  settings: Partial<PipelineSettings>;
}): Pipeline {
  const client = new HiggsfieldClient({
    baseUrl: options.sim.url,
    credentials: SIMULATOR_CREDENTIALS,
    logger: silentLogger(),
  });
  return createPipeline({
    redisUrl: options.redisUrl,
    provider: createHiggsfieldProvider(client),
    logger: silentLogger(),
    settings: options.settings,
  });
}

/** The simulator's credentials as the worker's HF_CREDENTIALS environment variable (`keyId:keySecret`). */
export function simulatorCredentialsEnv(): string {
  return `${SIMULATOR_CREDENTIALS.keyId}:${SIMULATOR_CREDENTIALS.keySecret}`;
}

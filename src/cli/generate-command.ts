/**
 * `higgsbot generate`: one generation through the real queue and worker, with progress printed as it
 * moves. Everything a person can get wrong is checked before anything is queued (exit 2); the result is
 * read from the progress events, so it prints the same whichever worker process ran it.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createApp } from '../app/container.js';
import { loadConfig } from '../config.js';
import { type GenerationSpec, isEnded, type ProgressEvent } from '../core/types.js';
import { AppError } from '../errors.js';
import { createLogger } from '../log.js';
import { fetchImage, IMAGE_INPUT_MAX_BYTES, readImageFile } from '../media/image-input.js';
import { checkGenerateInput } from './generate-args.js';
import { type CliIo, discard, ExitCode, line } from './io.js';

const PROVIDER_REASONS = new Set(['nsfw', 'failed', 'canceled', 'refused', 'deadline']);

export async function generateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      prompt: { type: 'string' },
      image: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
    },
  });
  const input = checkGenerateInput(values.model, values.prompt, values.set, values.image !== undefined);
  const image = values.image
    ? /^https?:\/\//i.test(values.image)
      ? await fetchImage({ url: values.image, maxBytes: IMAGE_INPUT_MAX_BYTES })
      : await readImageFile(values.image, IMAGE_INPUT_MAX_BYTES)
    : undefined;

  const config = loadConfig(io.env, { require: ['higgsfield'] });
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: io.stderr,
    format: 'line',
  });
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    // One generation, not a conversation: no history store (its events wait in Redis for a bot's feed).
    app = await createApp({ config, logger, role: 'all', console: { output: discard() }, history: false });
  } catch (error) {
    if (error instanceof AppError) throw error;
    line(io.stderr, `Redis is not reachable at ${config.redisUrl}: start one (e.g. redis-server) or set REDIS_URL.`);
    return ExitCode.Error;
  }

  try {
    const params = { ...input.params };
    if (image) {
      line(io.stdout, `uploading the input image (${image.contentType}, ${(image.sizeBytes / 1024).toFixed(0)} KB)…`);
      params.image_url = await app.provider.upload(image);
    }
    const spec: GenerationSpec = {
      option: {
        kind: input.model.kind,
        modelId: input.model.id,
        prompt: input.prompt,
        params,
        label: `${input.model.title}: ${input.prompt.slice(0, 50)}`,
        reason: 'Requested from the command line',
      },
      conversation: {
        platform: 'terminal',
        workspaceId: 'local',
        channelId: 'cli',
        threadId: 'cli',
        userId: `cli-${userInfo().username}`,
      },
    };
    const events: ProgressEvent[] = [];
    let wake: () => void = () => {};
    const unsubscribe = await app.pipeline.bus.subscribe((event) => {
      events.push(event);
      wake();
    });
    try {
      const queued = await app.pipeline.service.enqueue(spec);
      const mine = (e: ProgressEvent) => e.generationId === queued.generationId;
      for (;;) {
        const event = events.shift();
        if (!event) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        if (!mine(event)) continue;
        line(io.stdout, describe(event));
        if (event.state === 'done') {
          for (const asset of event.assets ?? []) {
            line(
              io.stdout,
              `  saved: ${asset.path ?? asset.key}  (${asset.contentType}, ${(asset.sizeBytes / 1_048_576).toFixed(2)} MB)`,
            );
            line(io.stdout, `  url:   ${asset.url}`);
          }
        }
        if (isEnded(event.state)) {
          if (event.state === 'done') return ExitCode.Ok;
          return event.reason && PROVIDER_REASONS.has(event.reason) ? ExitCode.ProviderRefused : ExitCode.Error;
        }
      }
    } finally {
      await unsubscribe();
    }
  } finally {
    for (const closer of app.closers) await closer.close();
  }
}

function describe(event: ProgressEvent): string {
  const seconds = (ms: number | undefined) =>
    ms === undefined ? '' : `, about ${Math.max(1, Math.round(ms / 1_000))} s`;
  switch (event.state) {
    case 'queued':
      return `queued (position ${event.position ?? 1}${seconds(event.estimatedWaitMs)}) — ${event.generationId}`;
    case 'submitted':
      return 'submitted to Higgsfield';
    case 'rendering':
      return `rendering${seconds(event.estimatedWaitMs)}…`;
    case 'delivering':
      return 'saving the result…';
    case 'done':
      return '✔ done';
    case 'canceled':
      return `✖ canceled: ${event.message ?? ''}`;
    case 'failed':
      return `✖ ${event.message ?? 'failed'}`;
  }
}

/**
 * `higgsbot start [--role all|bot|worker]`: the long-running process. Workers run generations; every role
 * serves /healthz, /readyz and (when configured) the Higgsfield webhook route. Runs until SIGINT/SIGTERM,
 * then shuts down gracefully: HTTP first, then workers drain, then connections close.
 */
import { parseArgs } from 'node:util';
import { createApp, type Role } from '../app/container.js';
import { loadConfig } from '../config.js';
import { BadInputError } from '../errors.js';
import { createLogger } from '../log.js';
import { onShutdown } from '../shutdown.js';
import type { CliIo } from './io.js';

const ROLES: readonly Role[] = ['all', 'bot', 'worker'];

export async function startCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { role: { type: 'string', default: 'all' } } });
  const role = values.role as Role;
  if (!ROLES.includes(role))
    throw new BadInputError(`--role must be one of ${ROLES.join(', ')} (got "${values.role}")`);
  // A bot and its workers in separate processes share one history: the embedded database cannot be shared.
  const config = loadConfig(io.env, { require: role === 'all' ? ['higgsfield'] : ['higgsfield', 'shared-history'] });
  const logger = createLogger({ level: config.logLevel });
  const app = await createApp({
    startPlatforms: 'all',
    config,
    logger,
    role,
    console: { output: io.stdout },
    http: true,
  });
  logger.info(
    {
      role,
      http: app.httpUrl,
      platforms: app.platforms.map((p) => p.id),
      webhooks: Boolean(config.higgsfield.webhook),
      prefix: config.queue.prefix,
    },
    'higgsbot started',
  );
  return new Promise<number>((resolve) => {
    onShutdown(app.closers, { logger, exit: resolve });
  });
}

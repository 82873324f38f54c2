/**
 * `higgsbot simulator`: the built-in Higgsfield simulator as a standalone server, for trying the bot's
 * commands (doctor, generate) against it from another terminal. Runs until interrupted.
 */
import { parseArgs } from 'node:util';
import { BadInputError } from '../errors.js';
import { SIMULATOR_CREDENTIALS, startSimulator } from '../higgsfield/simulator/index.js';
import { type CliIo, ExitCode, line } from './io.js';

export async function simulatorCommand(args: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8787' },
      'queued-ms': { type: 'string', default: '1000' },
      'render-ms': { type: 'string', default: '4000' },
    },
  });
  const number = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new BadInputError(`--${name} must be a whole number (got "${raw}")`);
    return n;
  };
  const sim = await startSimulator({
    port: number('port', values.port),
    queuedMs: number('queued-ms', values['queued-ms']),
    inProgressMs: number('render-ms', values['render-ms']),
  });
  const { keyId, keySecret } = SIMULATOR_CREDENTIALS;
  line(io.stdout, `Higgsfield simulator listening on ${sim.url}`);
  line(io.stdout, `Use it with:  HIGGSFIELD_BASE_URL=${sim.url} HF_CREDENTIALS=${keyId}:${keySecret}`);
  line(io.stdout, 'Prompts containing sim:fail, sim:nsfw or sim:stuck script those outcomes. Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sim.close();
  return ExitCode.Ok;
}

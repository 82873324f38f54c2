/**
 * `higgsbot chat [--simulate] [--log-file path]`: the terminal chat. With `--simulate` it needs no account and
 * no setup: it starts the built-in Higgsfield simulator, uses the offline recommender, keeps its queue apart
 * from a real bot's (its own key prefix), and starts a private Redis when none answers and `redis-server` is
 * installed (demo-setup.ts, shared with the web chat). stdout carries the conversation only; logs (warn and
 * up) go to stderr as one readable line each, or to `--log-file` as pino JSON, never as JSON into the terminal.
 *
 * `higgsbot chat --web [--simulate] [--port N] [--render-ms N]`: the same, as the web chat in a browser
 * (web-demo.ts).
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { type App, createApp } from '../app/container.js';
import { BadInputError } from '../errors.js';
import { closeAll } from '../shutdown.js';
import { closeLogFile, demoLogger, openLogFile, parseRenderMs, prepareDemo } from './demo-setup.js';
import { type CliIo, discard, ExitCode } from './io.js';
import { webDemo } from './web-demo.js';

/** Longest the chat waits for its connections to close once the conversation is over. */
const CLOSE_GRACE_MS = 5_000;

export async function chatCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      simulate: { type: 'boolean', default: false },
      'render-ms': { type: 'string', default: '3000' },
      'log-file': { type: 'string' },
      web: { type: 'boolean', default: false },
      port: { type: 'string' },
    },
  });
  const renderMs = parseRenderMs(values['render-ms']);
  const simulate = values.simulate ?? false;
  const logPath = values['log-file'];
  if (values.web) {
    return webDemo(io, {
      simulate,
      renderMs,
      ...(values.port !== undefined ? { port: values.port } : {}),
      ...(logPath !== undefined ? { logFile: logPath } : {}),
    });
  }
  if (values.port !== undefined) throw new BadInputError('--port is for the web chat: add --web');
  const demo = await prepareDemo(io, { simulate, renderMs });
  if (!demo) return ExitCode.Error;
  const { config } = demo;
  let logFile: Awaited<ReturnType<typeof openLogFile>> | undefined;
  try {
    if (logPath !== undefined) logFile = await openLogFile(logPath);
    // A file is for whoever runs it (the configured level); the terminal shows a person warnings and worse.
    const logger = demoLogger(config, io, logFile);
    const stdin = io.stdin ?? process.stdin;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    // The reader of our output has gone (`higgsbot chat | head`): leave as Ctrl-C would.
    io.signal?.addEventListener('abort', onSignal, { once: true });
    let app: App | undefined;
    try {
      app = await createApp({
        config,
        logger,
        role: 'all',
        startPlatforms: ['terminal'],
        console: {
          // The chat shows results from the progress events; the publisher's own lines would repeat them.
          output: discard(),
          chat: {
            input: stdin,
            output: io.stdout,
            interactive: stdin.isTTY === true,
            signal: stop.signal,
            conversation: {
              platform: 'terminal',
              workspaceId: 'local',
              channelId: 'chat',
              threadId: `chat-${process.pid}-${Date.now()}`,
              userId: `cli-${userInfo().username}`,
            },
            banner: [
              `higgsbot chat — ${demo.mode}. Results are saved under ${config.media.s3 ? `s3://${config.media.s3.bucket}` : config.media.dir}.`,
              'Describe what you would like to see; "help" lists the commands.',
            ],
          },
        },
        ...demo.appOptions,
      });
      await app.platforms.find((p) => p.id === 'terminal')?.finished;
    } finally {
      process.off('SIGINT', onSignal);
      io.signal?.removeEventListener('abort', onSignal);
      if (app) await closeAll(app.closers, logger, CLOSE_GRACE_MS);
    }
    return ExitCode.Ok;
  } finally {
    await demo.close();
    await closeLogFile(logFile);
  }
}

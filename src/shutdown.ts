/**
 * One graceful-shutdown routine for every process role. Closers run once, in the order given (stop
 * intake first, then drain, then close connections), under a deadline; a second signal exits at once.
 */
import type { Logger } from './log.js';

export interface Closer {
  name: string;
  close: () => Promise<void> | void;
}

export interface ShutdownOptions {
  logger: Logger;
  graceMs?: number;
  /** Called with the exit code; injectable so tests do not end the test runner. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

export interface ShutdownHandle {
  /** Run the closers now (also what a signal triggers). Resolves with the exit code. */
  shutdown: (reason: string) => Promise<number>;
  /** Remove the signal listeners (for tests and for commands that finish on their own). */
  dispose: () => void;
}

/**
 * Runs the closers in order under a deadline: 0 when all closed, 1 when one failed or the deadline passed
 * (a connection stuck mid-reconnect must not keep a finished command waiting forever).
 */
export async function closeAll(closers: readonly Closer[], logger: ShutdownOptions['logger'], graceMs: number) {
  let code = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, graceMs, 'timeout');
    timer.unref();
  });
  const work = (async () => {
    for (const closer of closers) {
      try {
        await closer.close();
        logger.debug({ closer: closer.name }, 'closed');
      } catch (err) {
        code = 1;
        logger.error({ err, closer: closer.name }, 'close failed');
      }
    }
    return 'done' as const;
  })();
  const outcome = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.error({ graceMs }, 'shutdown deadline passed; exiting with work unfinished');
    return 1;
  }
  return code;
}

export function onShutdown(closers: readonly Closer[], options: ShutdownOptions): ShutdownHandle {
  const { logger } = options;
  const graceMs = options.graceMs ?? 25_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? (['SIGINT', 'SIGTERM'] as const);
  let running: Promise<number> | undefined;

  const runClosers = async (reason: string): Promise<number> => {
    logger.info({ reason, graceMs }, 'shutting down');
    return closeAll(closers, logger, graceMs);
  };

  const shutdown = (reason: string): Promise<number> => {
    running ??= runClosers(reason);
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    void shutdown(signal).then(exit);
  };
  for (const signal of signals) process.on(signal, onSignal);

  return {
    shutdown,
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}

/**
 * Acknowledgements this process still owes (a Slack request not yet answered, a Discord interaction not yet
 * deferred), so that the work which may wait, what follows an acknowledgement, lets them go first: briefly,
 * until arrivals pause for a moment, and never longer than a bound. In one event loop the last
 * acknowledgements of a burst otherwise queue behind the follow-up work of the first ones (measured in
 * bench/slack.bench.ts and bench/discord.bench.ts). Free of any platform: the adapters say what arrives and
 * when it is acknowledged.
 */

/** No new arrival for this long counts as the end of a burst (by default). */
const QUIET_MS = 5;
/** How long work after an acknowledgement lets owed ones go first, at most. */
export const ACK_PRIORITY_MAX_WAIT_MS = 150;

export interface AckBacklog {
  /** Something arrived that will be acknowledged; call the returned function once it is (or went away). */
  arrive(): () => void;
  /** Acknowledgements owed now. */
  size(): number;
  /** Resolves once none is owed and none arrived for a moment, or after `maxWaitMs`, whichever comes first. */
  drained(maxWaitMs: number): Promise<void>;
  /** Releases every waiter (at shutdown). */
  releaseAll(): void;
}

export function createAckBacklog(options: { quietMs?: number } = {}): AckBacklog {
  const quietMs = options.quietMs ?? QUIET_MS;
  let owed = 0;
  let lastArrivalMs = Number.NEGATIVE_INFINITY;
  let waiters: Array<() => void> = [];
  let check: NodeJS.Timeout | undefined;

  const quietForMs = () => performance.now() - lastArrivalMs;
  const release = () => {
    check = undefined;
    if (owed > 0 || waiters.length === 0) return;
    const quiet = quietForMs();
    if (quiet < quietMs) {
      check = setTimeout(release, quietMs - quiet);
      return;
    }
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  return {
    arrive() {
      lastArrivalMs = performance.now();
      owed += 1;
      let settled = false;
      return () => {
        if (settled) return;
        settled = true;
        owed -= 1;
        if (owed === 0 && check === undefined) release();
      };
    },
    size: () => owed,
    drained(maxWaitMs) {
      if (owed === 0 && quietForMs() >= quietMs) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }, maxWaitMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(done);
        if (owed === 0 && check === undefined) release();
      });
    },
    releaseAll() {
      clearTimeout(check);
      check = undefined;
      for (const resolve of waiters.splice(0)) resolve();
    },
  };
}

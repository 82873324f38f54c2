/**
 * How many HTTP callers this process still owes an answer: connections accepted that have not sent their
 * request yet, plus requests not yet answered. Work that may wait (what follows a Slack acknowledgement)
 * waits for that to drain, and for arrivals to pause for a moment, but never longer than a bound. Why the
 * pause: under load Node accepts about one new connection per event-loop turn, so the rest of a burst is
 * still in the kernel's queue, invisible here, while the first requests are answered; once the follow-up
 * work of those fills every turn, the last requests of the burst wait behind all of it (measured in
 * bench/slack.bench.ts: acknowledgement p99 above 1 s for 200 at once, without this).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** No new caller for this long counts as the end of a burst (by default). */
const QUIET_MS = 5;

export interface ResponseBacklog {
  /** Callers waiting for an answer now. */
  size(): number;
  /**
   * Resolves once no caller is waiting and none has arrived for a moment, or after `maxWaitMs`,
   * whichever comes first.
   */
  drained(maxWaitMs: number): Promise<void>;
}

export function trackResponseBacklog(server: Server, options: { quietMs?: number } = {}): ResponseBacklog {
  const quietMs = options.quietMs ?? QUIET_MS;
  let waiting = 0;
  let lastArrivalMs = Number.NEGATIVE_INFINITY;
  let waiters: Array<() => void> = [];
  let check: NodeJS.Timeout | undefined;
  const fresh = new WeakSet<Socket>();

  const quietForMs = () => performance.now() - lastArrivalMs;
  const release = () => {
    check = undefined;
    if (waiting > 0 || waiters.length === 0) return;
    const quiet = quietForMs();
    if (quiet < quietMs) {
      check = setTimeout(release, quietMs - quiet);
      return;
    }
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const change = (delta: number) => {
    waiting += delta;
    if (waiting === 0 && check === undefined) release();
  };

  server.on('connection', (socket: Socket) => {
    lastArrivalMs = performance.now();
    fresh.add(socket);
    change(1);
    socket.once('close', () => {
      if (fresh.delete(socket)) change(-1);
    });
  });
  server.on('request', (req, res) => {
    lastArrivalMs = performance.now();
    if (fresh.delete(req.socket)) change(-1);
    change(1);
    res.once('close', () => change(-1));
  });
  server.once('close', () => {
    clearTimeout(check);
    for (const resolve of waiters.splice(0)) resolve();
  });

  return {
    size: () => waiting,
    drained(maxWaitMs) {
      if (waiting === 0 && quietForMs() >= quietMs) return Promise.resolve();
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
        if (waiting === 0 && check === undefined) release();
      });
    },
  };
}

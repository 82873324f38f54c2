/**
 * How many HTTP callers this process still owes an answer: connections accepted that have not sent their
 * request yet, plus requests not yet answered. Work that may wait (what follows a Slack acknowledgement)
 * can wait for that to drain, briefly and never longer than a bound, so a burst of requests is acknowledged
 * before the event loop fills with the follow-up work of the first ones: in one event loop, the
 * acknowledgements of the last requests of a burst otherwise queue behind all of it (measured in
 * bench/slack.bench.ts).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ResponseBacklog {
  /** Callers waiting for an answer now. */
  size(): number;
  /** Resolves once no caller is waiting, or after `maxWaitMs`, whichever comes first. */
  drained(maxWaitMs: number): Promise<void>;
}

export function trackResponseBacklog(server: Server): ResponseBacklog {
  let waiting = 0;
  let waiters: Array<() => void> = [];
  const fresh = new WeakSet<Socket>();
  const change = (delta: number) => {
    waiting += delta;
    if (waiting > 0 || waiters.length === 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  server.on('connection', (socket: Socket) => {
    fresh.add(socket);
    change(1);
    socket.once('close', () => {
      if (fresh.delete(socket)) change(-1);
    });
  });
  server.on('request', (req, res) => {
    if (fresh.delete(req.socket)) change(-1);
    change(1);
    res.once('close', () => change(-1));
  });

  return {
    size: () => waiting,
    drained(maxWaitMs) {
      if (waiting === 0) return Promise.resolve();
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
      });
    },
  };
}

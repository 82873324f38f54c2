/**
 * The web benchmark's HTTP client: JSON calls with a Bearer key over an undici Pool (keep-alive connections
 * opened once and reused, as a browser or an API client would), and the open-loop driver of the reads
 * scenario. Non-obvious decisions:
 * - open loop: request i is sent at `start + i / rate` whether or not earlier ones have answered, and its
 *   latency runs from that scheduled time, so a server (or a client pool) that falls behind shows as queueing
 *   instead of quietly lowering the rate (coordinated omission);
 * - every response body is read to its end (undici keeps a connection busy until then), and an answer that
 *   is not 2xx, or a failed connection, counts as an error by its status (0 for no answer).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { sleep, withTimeout } from './waits.js';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  ms: number;
}

export interface WebClientOptions {
  connections: number;
}

export class WebClient {
  readonly pool: Pool;

  constructor(
    readonly origin: string,
    options: WebClientOptions,
  ) {
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  }

  /** One call; the body parsed as JSON when it is (else its text). Throws only when there was no answer. */
  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { key?: string; body?: unknown } = {},
  ): Promise<Answer<T>> {
    const started = performance.now();
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.pool.request({
      origin: this.origin,
      path,
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.body.text();
    const ms = performance.now() - started;
    let body: unknown = text;
    if ((res.headers['content-type'] ?? '').toString().includes('json') && text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        // left as text
      }
    }
    return { status: res.statusCode, body: body as T, ms };
  }

  /** The answer when it has `status`, else an error naming what came back. */
  async expect<T>(
    status: number,
    method: 'GET' | 'POST',
    path: string,
    options: { key?: string; body?: unknown } = {},
  ): Promise<T> {
    const answer = await this.call<T>(method, path, options);
    if (answer.status !== status) {
      throw new Error(
        `${method} ${path} answered ${answer.status} (expected ${status}): ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    }
    return answer.body;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export interface OpenLoopResult {
  /** Scheduled time → answer, of the requests scheduled after the warm-up. */
  latencies: number[];
  /** The same, by the label `labelOf(i)` gave each request. */
  byLabel: Map<string, number[]>;
  /** Requests scheduled after the warm-up. */
  sent: number;
  /** Their answers by status (0: no answer, the error's message kept in `failures`). */
  byStatus: Map<number, number>;
  failures: string[];
  /** Answers (2xx) per second over the measured window: measured requests answered / (last answer − window start). */
  achievedPerSecond: number;
  /** How late, at most, a request left this process after its scheduled time (the client's own lag). */
  maxSendLagMs: number;
  measuredMs: number;
}

/**
 * Sends `request(i)` at `ratePerSecond` for `warmUpMs + durationMs`; only requests scheduled after the
 * warm-up are measured. Waits (at most `drainMs`) for the last answers.
 */
export async function openLoop(options: {
  ratePerSecond: number;
  warmUpMs: number;
  durationMs: number;
  drainMs: number;
  request: (i: number) => Promise<{ status: number }>;
  labelOf?: (i: number) => string;
}): Promise<OpenLoopResult> {
  const { ratePerSecond, warmUpMs, durationMs } = options;
  const interval = 1_000 / ratePerSecond;
  const total = Math.floor(((warmUpMs + durationMs) / 1_000) * ratePerSecond);
  const firstMeasured = Math.ceil((warmUpMs / 1_000) * ratePerSecond);
  const result: OpenLoopResult = {
    latencies: [],
    byLabel: new Map(),
    sent: 0,
    byStatus: new Map(),
    failures: [],
    achievedPerSecond: 0,
    maxSendLagMs: 0,
    measuredMs: durationMs,
  };
  const inFlight = new Set<Promise<void>>();
  let lastAnswer = 0;
  const start = performance.now() + 20;
  const windowStart = start + firstMeasured * interval;
  let answeredOk = 0;
  for (let i = 0; i < total; ) {
    const now = performance.now();
    const due = start + i * interval;
    if (due > now) {
      await sleep(due - now >= 2 ? due - now - 1 : 0);
      continue;
    }
    // Everything due by now leaves now (a late timer sends a small burst; each keeps its own schedule).
    for (; i < total && start + i * interval <= now; i++) {
      const scheduled = start + i * interval;
      const measured = i >= firstMeasured;
      if (measured) {
        result.sent++;
        result.maxSendLagMs = Math.max(result.maxSendLagMs, now - scheduled);
      }
      const work: Promise<void> = options
        .request(i)
        .then(
          ({ status }) => {
            if (!measured) return;
            const at = performance.now();
            result.latencies.push(at - scheduled);
            const label = options.labelOf?.(i) ?? '';
            const group = result.byLabel.get(label) ?? [];
            group.push(at - scheduled);
            result.byLabel.set(label, group);
            result.byStatus.set(status, (result.byStatus.get(status) ?? 0) + 1);
            if (status >= 200 && status < 300) {
              answeredOk++;
              lastAnswer = Math.max(lastAnswer, at);
            }
          },
          (error: unknown) => {
            if (!measured) return;
            result.byStatus.set(0, (result.byStatus.get(0) ?? 0) + 1);
            if (result.failures.length < 5)
              result.failures.push(error instanceof Error ? error.message : String(error));
          },
        )
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
  }
  await withTimeout(Promise.all(inFlight), options.drainMs, 'the last reads').catch(() => undefined);
  result.achievedPerSecond = lastAnswer > windowStart ? answeredOk / ((lastAnswer - windowStart) / 1_000) : 0;
  return result;
}

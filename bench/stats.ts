/**
 * The one way every benchmark reduces its samples: the nearest-rank percentile (the smallest sample with at
 * least p % of the samples at or below it), and summaries built on it. Non-obvious: nearest rank never
 * interpolates, so every figure reported is a time that was actually measured, and p100 is the max.
 */

/** Nearest-rank percentile of an ascending array (undefined when empty). */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export interface Summary {
  count: number;
  mean: number | undefined;
  median: number | undefined;
  p95: number | undefined;
  max: number | undefined;
  min: number | undefined;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = ascending(values);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : undefined,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1),
    min: sorted[0],
  };
}

/** The latency figures of the platform benchmarks' tables (undefined when there were no samples). */
export interface Latency {
  p50: number | undefined;
  p95: number | undefined;
  p99: number | undefined;
  max: number | undefined;
}

export function latency(values: readonly number[]): Latency {
  const sorted = ascending(values);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
  };
}

/** Largest number of intervals open at once (an interval without an end stays open). */
export function maxOverlap(intervals: ReadonlyArray<{ start: number; end: number | undefined }>): number {
  const points: Array<[number, number]> = [];
  for (const { start, end } of intervals) {
    points.push([start, 1]);
    if (end !== undefined) points.push([end, -1]);
  }
  // Ends before starts at the same instant: a delivery and a submit in the same ms do not overlap.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of points) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

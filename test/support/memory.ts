/**
 * Peak memory growth while something streams. Forces a garbage collection before every sample, so only
 * memory still held counts (chunks already passed on but not yet collected would otherwise look like a leak).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface MemoryPeak {
  rssBytes: number;
  arrayBuffersBytes: number;
  heapBytes: number;
}

/**
 * Memory after a collection, read twice: V8 frees ArrayBuffers and sweeps pages on background threads, so on a
 * busy machine a single reading right after gc() can still count what the collection already let go.
 */
function settled(): NodeJS.MemoryUsage {
  gc();
  const first = process.memoryUsage();
  gc();
  const second = process.memoryUsage();
  return {
    ...second,
    rss: Math.min(first.rss, second.rss),
    heapUsed: Math.min(first.heapUsed, second.heapUsed),
    arrayBuffers: Math.min(first.arrayBuffers, second.arrayBuffers),
  };
}

export function sampleMemoryPeak(intervalMs = 100): { stop: () => MemoryPeak } {
  const base = settled();
  const peak: MemoryPeak = { rssBytes: 0, arrayBuffersBytes: 0, heapBytes: 0 };
  const sample = () => {
    const now = settled();
    peak.rssBytes = Math.max(peak.rssBytes, now.rss - base.rss);
    peak.arrayBuffersBytes = Math.max(peak.arrayBuffersBytes, now.arrayBuffers - base.arrayBuffers);
    peak.heapBytes = Math.max(peak.heapBytes, now.heapUsed - base.heapUsed);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

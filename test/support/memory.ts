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

export function sampleMemoryPeak(intervalMs = 100): { stop: () => MemoryPeak } {
  gc();
  const base = process.memoryUsage();
  const peak: MemoryPeak = { rssBytes: 0, arrayBuffersBytes: 0, heapBytes: 0 };
  const sample = () => {
    gc();
    const now = process.memoryUsage();
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

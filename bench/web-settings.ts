/**
 * The web benchmark's counts and rates, full and quick (`--quick`: 5 s of reads, 50 posts, 200 streams), and
 * its overall time limit. The full figures are issue 13's: 500 reads/s, 200 posts at once, 1,000 streams.
 */

export interface WebBenchSettings {
  quick: boolean;
  /** Take the reads profile even when the target is met. */
  profile: boolean;
  limitMs: number;
  reads: { ratePerSecond: number; warmUpMs: number; durationMs: number; chats: number; connections: number };
  posts: { people: number; concurrent: number };
  streams: { chats: number; perChat: number; events: number; eventsPerSecond: number };
}

export function webBenchSettings(quick: boolean, profile: boolean): WebBenchSettings {
  return {
    quick,
    profile,
    limitMs: quick ? 120_000 : 6 * 60_000,
    reads: { ratePerSecond: 500, warmUpMs: 3_000, durationMs: quick ? 5_000 : 20_000, chats: 200, connections: 64 },
    posts: { people: quick ? 5 : 20, concurrent: quick ? 50 : 200 },
    streams: { chats: quick ? 20 : 100, perChat: 10, events: quick ? 100 : 200, eventsPerSecond: 50 },
  };
}

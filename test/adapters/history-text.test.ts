/**
 * The words of `/history` and `/forget` every platform shares: how old a generation reads, and what forgetting
 * says it did. (A page's text in each markup is specified through the platforms: discord-history and
 * slack-history.)
 */
import { describe, expect, it } from 'vitest';
import { forgottenText, whenText } from '../../src/adapters/shared/history-text.js';

const NOW = Date.UTC(2026, 2, 20, 12, 0, 0);
const ago = (ms: number) => whenText(NOW - ms, NOW);

describe('whenText', () => {
  it('reads recent times as people say them', () => {
    expect(ago(5_000)).toBe('just now');
    expect(ago(5 * 60_000)).toBe('5 min ago');
    expect(ago(3 * 3_600_000 + 59 * 60_000)).toBe('3 h ago');
    expect(ago(30 * 3_600_000)).toBe('yesterday');
    expect(ago(4 * 86_400_000)).toBe('4 days ago');
  });

  it('gives the date (UTC) from a week on, and "just now" for a clock a little ahead', () => {
    expect(whenText(Date.UTC(2026, 2, 12, 23, 30), NOW)).toBe('12 Mar 2026');
    expect(whenText(Date.UTC(2025, 11, 31), NOW)).toBe('31 Dec 2025');
    expect(whenText(NOW + 30_000, NOW)).toBe('just now');
  });
});

describe('forgottenText', () => {
  it('counts what was deleted, in the singular where it is one', () => {
    expect(forgottenText({ generations: 1, mediaFiles: 1 })).toBe(
      'Done: I forgot everything I kept about you here, 1 generation and 1 stored file included.',
    );
    expect(forgottenText({ generations: 3, mediaFiles: 0 })).toBe(
      'Done: I forgot everything I kept about you here, 3 generations and 0 stored files included.',
    );
  });

  it('says so when there was nothing to forget', () => {
    expect(forgottenText({ generations: 0, mediaFiles: 0 })).toBe(
      'Done: I forgot everything I kept about you here (there were no generations to delete).',
    );
  });
});

/**
 * Forgetting, as people and operators see it: records past the retention go with their media files and recent
 * ones stay; `/forget` takes one person's history on one platform and nothing of anyone else's; a file that
 * cannot be removed is logged and counted and the rest still go; a database that is down deletes nothing.
 * A real local media store in a temp folder; history in memory (test/support/memory-history.ts).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetPerson, purgeHistory } from '../../src/core/history-retention.js';
import { ServiceUnavailableError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createLocalMediaStore, type LocalMediaStore } from '../../src/media/local-media-store.js';
import {
  conversationOf,
  createMemoryHistoryStore,
  type MemoryHistoryStore,
  recordFinished,
} from '../support/memory-history.js';

const DAY = 86_400_000;
let dir: string;
let media: LocalMediaStore;
let history: MemoryHistoryStore;
let lines: Array<Record<string, unknown>>;
let deps: Parameters<typeof purgeHistory>[0];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-retention-'));
  media = createLocalMediaStore({ dir });
  history = createMemoryHistoryStore();
  lines = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  });
  deps = { history, media, logger };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('purging history past its retention', () => {
  it('removes old records and their media files and keeps recent ones', async () => {
    const now = Date.now();
    const oldKey = await recordFinished(history, media, {
      generationId: 'gen-01d00000-a',
      conversation: conversationOf('ann'),
      prompt: 'a lighthouse at dusk',
      atMs: now - 100 * DAY,
    });
    const recentKey = await recordFinished(history, media, {
      generationId: 'gen-2ece0000-b',
      conversation: conversationOf('bob'),
      prompt: 'a fox in snow',
      atMs: now - 2 * DAY,
    });

    const removed = await purgeHistory(deps, now - 90 * DAY);

    expect(removed).toEqual({ generations: 1, turns: 1, mediaFiles: 1 });
    expect(await history.get('gen-01d00000-a')).toBeUndefined();
    expect(await media.exists(oldKey)).toBe(false);
    expect((await history.get('gen-2ece0000-b'))?.option.prompt).toBe('a fox in snow');
    expect(await media.exists(recentKey)).toBe(true);
  });

  it('keeps a conversation whose last activity is recent, even with an old generation in it', async () => {
    const now = Date.now();
    const conversation = conversationOf('cy');
    const oldKey = await recordFinished(history, media, {
      generationId: 'gen-0a0a0000-c',
      conversation,
      prompt: 'first try',
      atMs: now - 120 * DAY,
    });
    await history.recordTurn({ kind: 'request', turnId: 'turn-late', conversation, text: 'again?', atMs: now - DAY });

    expect(await purgeHistory(deps, now - 90 * DAY)).toEqual({ generations: 0, turns: 0, mediaFiles: 0 });
    expect(await media.exists(oldKey)).toBe(true);
  });

  it('logs a file that cannot be removed, counts only what was removed, and removes the rest', async () => {
    const old = Date.now() - 100 * DAY;
    const keys: string[] = [];
    for (const id of ['gen-aaaa0000-1', 'gen-bbbb0000-2', 'gen-cccc0000-3']) {
      keys.push(
        await recordFinished(history, media, {
          generationId: id,
          conversation: conversationOf(id),
          prompt: id,
          atMs: old,
        }),
      );
    }
    // The second file's place is taken by a folder with something in it: removing it fails for real.
    const stuck = keys[1]!;
    await rm(join(dir, stuck));
    await mkdir(join(dir, stuck, 'inside'), { recursive: true });

    const removed = await purgeHistory(deps, Date.now() - 90 * DAY);

    expect(removed).toEqual({ generations: 3, turns: 3, mediaFiles: 2 });
    expect(await media.exists(keys[0]!)).toBe(false);
    expect(await media.exists(keys[2]!)).toBe(false);
    const failures = lines.filter((l) => l.msg === 'a media file could not be removed');
    expect(failures.map((l) => l.key)).toEqual([stuck]);
    expect(
      lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('some media files could not be removed')),
    ).toMatchObject({ failed: 1, removed: 2 });
  });

  it('deletes nothing and says so to the caller when the database is down', async () => {
    const key = await recordFinished(history, media, {
      generationId: 'gen-dddd0000-4',
      conversation: conversationOf('dee'),
      prompt: 'a storm',
      atMs: Date.now() - 100 * DAY,
    });
    history.fail(new ServiceUnavailableError('the history database is down'));

    await expect(purgeHistory(deps, Date.now() - 90 * DAY)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(await media.exists(key)).toBe(true);
  });
});

describe('forgetting a person', () => {
  it('deletes their history and files on that platform, and nobody else’s', async () => {
    const now = Date.now();
    const mine = [
      await recordFinished(history, media, {
        generationId: 'gen-eeee0000-5',
        conversation: conversationOf('eve-7731', 'discord', 'c1'),
        prompt: 'a red kite',
        atMs: now,
      }),
      await recordFinished(history, media, {
        generationId: 'gen-ffff0000-6',
        conversation: conversationOf('eve-7731', 'discord', 'c2'),
        prompt: 'a blue kite',
        atMs: now,
      }),
    ];
    const sameIdOnSlack = await recordFinished(history, media, {
      generationId: 'gen-11110000-7',
      conversation: conversationOf('eve-7731', 'slack'),
      prompt: 'a green kite',
      atMs: now,
    });
    const someoneElse = await recordFinished(history, media, {
      generationId: 'gen-22220000-8',
      conversation: conversationOf('finn', 'discord', 'c1'),
      prompt: 'a yellow kite',
      atMs: now,
    });

    const removed = await forgetPerson(deps, 'discord', 'eve-7731');

    expect(removed).toEqual({ generations: 2, turns: 2, mediaFiles: 2 });
    for (const key of mine) expect(await media.exists(key)).toBe(false);
    expect((await history.list({ platform: 'discord', userId: 'eve-7731', limit: 10 })).items).toEqual([]);
    expect(await media.exists(sameIdOnSlack)).toBe(true);
    expect(await media.exists(someoneElse)).toBe(true);
    expect((await history.list({ platform: 'slack', userId: 'eve-7731', limit: 10 })).items).toHaveLength(1);
    expect((await history.list({ platform: 'discord', userId: 'finn', limit: 10 })).items).toHaveLength(1);
    // The log says that a person was forgotten, not who.
    expect(JSON.stringify(lines)).not.toContain('eve-7731');
  });
});

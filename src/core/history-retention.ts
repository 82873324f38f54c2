/**
 * Forgetting: history records first, then their media files. Used by the retention job
 * (HISTORY_RETENTION_DAYS, src/queue/history-retention.ts) and by `/forget` (the Assistant).
 *
 * Non-obvious decisions:
 * - The records go first and the files after, never the other way round: a file removed before its record
 *   would leave a `/show` that finds the generation and cannot open its media. A removal that fails after
 *   the records are gone leaves an orphaned file (logged with its key for an operator), which harms no one
 *   and is never shown again.
 * - A failed removal is logged and counted, never aborts the rest: one unreadable file (or a blip at S3)
 *   must not keep everyone else's media on disk. Only the first few failures are logged one by one; a
 *   summary line gives the total, so an S3 outage during a big purge is a handful of lines, not thousands.
 * - A failure of the history store itself (the database is down) is thrown: the job tries again on its next
 *   run, and `/forget` tells the person history is unavailable.
 */
import type { HistoryDeletion, HistoryStore } from './history.js';
import type { CoreLogger, MediaStore } from './ports.js';
import type { Platform } from './types.js';

export interface HistoryRetentionDeps {
  history: HistoryStore;
  media: MediaStore;
  logger: CoreLogger;
}

/** What was forgotten: records deleted and media files removed (files that could not be removed not counted). */
export interface HistoryRemoval {
  generations: number;
  turns: number;
  mediaFiles: number;
}

/** Removals running at once: quick on a disk, and few enough not to be throttled by S3. */
const REMOVE_CONCURRENCY = 8;
/** Failures logged one by one before only the summary is. */
const LOGGED_FAILURES = 5;

/** Deletes every record last active before `beforeMs`, then its media files. */
export async function purgeHistory(deps: HistoryRetentionDeps, beforeMs: number): Promise<HistoryRemoval> {
  const deletion = await deps.history.purge(beforeMs);
  const removal = await removeMedia(deps, deletion, 'retention');
  if (removal.generations > 0 || removal.turns > 0) {
    deps.logger.info({ ...removal, before: new Date(beforeMs).toISOString() }, 'history past its retention purged');
  }
  return removal;
}

/** Deletes one person's history on one platform (`/forget`), then their media files. */
export async function forgetPerson(
  deps: HistoryRetentionDeps,
  platform: Platform,
  userId: string,
): Promise<HistoryRemoval> {
  const deletion = await deps.history.forget(platform, userId);
  // Who was forgotten is not logged: the line would be a record of the person it was asked to forget.
  const removal = await removeMedia(deps, deletion, 'forget');
  deps.logger.info({ platform, ...removal }, 'a person’s history was forgotten');
  return removal;
}

async function removeMedia(
  deps: HistoryRetentionDeps,
  deletion: HistoryDeletion,
  why: 'retention' | 'forget',
): Promise<HistoryRemoval> {
  const keys = [...new Set(deletion.mediaKeys)];
  let removed = 0;
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      try {
        await deps.media.remove(key);
        removed++;
      } catch (err) {
        failed++;
        if (failed <= LOGGED_FAILURES) deps.logger.warn({ err, key, why }, 'a media file could not be removed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(REMOVE_CONCURRENCY, keys.length) }, worker));
  if (failed > 0) {
    deps.logger.warn(
      { why, failed, removed, notLogged: Math.max(0, failed - LOGGED_FAILURES) },
      'some media files could not be removed; their records are gone, the files stay until removed by hand',
    );
  }
  return { generations: deletion.generations, turns: deletion.turns, mediaFiles: removed };
}

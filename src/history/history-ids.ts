/**
 * The ids `get` accepts: a whole generation id as the queue makes it (`gen-` and a lowercase UUID), or the
 * 8-character short id people see in `/history` (history.ts `shortId`). Anything else is no id at all, so
 * it finds nothing instead of reaching the database as a pattern.
 */
export const GENERATION_ID = /^gen-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHORT_ID = /^[0-9a-f]{8}$/;

export type HistoryId = { kind: 'full'; id: string } | { kind: 'short'; id: string };

/** A typed id, trimmed and lowercased (people copy ids with spaces, or in capitals); undefined when it is none. */
export function parseHistoryId(text: string): HistoryId | undefined {
  const id = text.trim().toLowerCase();
  if (GENERATION_ID.test(id)) return { kind: 'full', id };
  if (SHORT_ID.test(id)) return { kind: 'short', id };
  return undefined;
}

/**
 * The opaque cursor of `/history` paging: base64url of the last item's creation time and id, so the next
 * page starts strictly after it (keyset paging: no duplicate or gap when rows are added meanwhile). A cursor
 * arrives from outside (a button's stored key), so it is parsed with zod and anything malformed is a
 * BadInputError, never a query.
 */
import { z } from 'zod';
import { BadInputError } from '../errors.js';
import { GENERATION_ID } from './history-ids.js';

export interface HistoryCursor {
  createdAtMs: number;
  generationId: string;
}

const cursorSchema = z.strictObject({
  t: z.number().int().min(0).max(8.64e15),
  id: z.string().regex(GENERATION_ID),
});

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAtMs, id: cursor.generationId })).toString('base64url');
}

export function decodeCursor(text: string): HistoryCursor {
  const invalid = () => new BadInputError('That page of your history is no longer valid. Please run /history again.');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw invalid();
  return { createdAtMs: parsed.data.t, generationId: parsed.data.id };
}

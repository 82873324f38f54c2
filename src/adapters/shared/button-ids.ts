/**
 * What a button carries, for every platform: a short, typed id such as `o:<optionKey>:<index>` or
 * `r:<generationId>`. Never a prompt or a URL, so it fits Discord's 100-character custom_id and Slack's
 * 255-character action_id, and a pressed button is parsed with zod before anything acts on it. Decoding is
 * strict: the tag must be one of ours (looked up as an own key, so `constructor` or `toString` name
 * nothing), each tag takes exactly its parts, an index is one digit, a generation id is `gen-` and a UUID as
 * the queue makes them, and an option set's or a history page's key is 10 letters and digits. `/forget`'s
 * confirmation is the one id with a fixed part (`f:confirm`): it names no record, only the presser.
 */
import { z } from 'zod';

export type ButtonAction =
  | { kind: 'option'; key: string; index: number }
  | { kind: 'reroll'; generationId: string }
  | { kind: 'animate'; generationId: string }
  | { kind: 'cancel'; generationId: string }
  /** `/history`'s next page: the key of the saved query (src/core/history-pages.ts). */
  | { kind: 'history-page'; key: string }
  /** `/forget`'s confirmation: forget the person who presses it. */
  | { kind: 'forget' };

/** The longest id any platform takes (Discord's custom_id). */
const MAX_ID_CHARS = 100;

const generationId = z.string().regex(/^gen-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const shortKey = z.string().regex(/^[0-9A-Za-z]{10}$/);
const optionIndex = z
  .string()
  .regex(/^[0-9]$/)
  .transform(Number);

const byGeneration =
  (kind: 'reroll' | 'animate' | 'cancel') =>
  (parts: string[]): ButtonAction | undefined => {
    const id = generationId.safeParse(parts[0]);
    return parts.length === 1 && id.success ? { kind, generationId: id.data } : undefined;
  };

const parsers = new Map<string, (parts: string[]) => ButtonAction | undefined>([
  [
    'o',
    (parts) => {
      const key = shortKey.safeParse(parts[0]);
      const index = optionIndex.safeParse(parts[1]);
      return parts.length === 2 && key.success && index.success
        ? { kind: 'option', key: key.data, index: index.data }
        : undefined;
    },
  ],
  ['r', byGeneration('reroll')],
  ['a', byGeneration('animate')],
  ['x', byGeneration('cancel')],
  [
    'h',
    (parts) => {
      const key = shortKey.safeParse(parts[0]);
      return parts.length === 1 && key.success ? { kind: 'history-page', key: key.data } : undefined;
    },
  ],
  ['f', (parts) => (parts.length === 1 && parts[0] === 'confirm' ? { kind: 'forget' } : undefined)],
]);

export function encodeButton(action: ButtonAction): string {
  switch (action.kind) {
    case 'option':
      return `o:${action.key}:${action.index}`;
    case 'reroll':
      return `r:${action.generationId}`;
    case 'animate':
      return `a:${action.generationId}`;
    case 'cancel':
      return `x:${action.generationId}`;
    case 'history-page':
      return `h:${action.key}`;
    case 'forget':
      return 'f:confirm';
  }
}

/** The action a button id names, or undefined for anything malformed or foreign. */
export function decodeButton(id: string): ButtonAction | undefined {
  if (id.length > MAX_ID_CHARS) return undefined;
  const [tag = '', ...parts] = id.split(':');
  return parsers.get(tag)?.(parts);
}

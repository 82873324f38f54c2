/**
 * What a button carries, for every platform: a short, typed id such as `o:<optionKey>:<index>` or
 * `r:<generationId>`. Never a prompt or a URL, so it fits Discord's 100-character custom_id and Slack's
 * 255-character action_id, and a pressed button is parsed with zod before anything acts on it.
 */
import { z } from 'zod';

export type ButtonAction =
  | { kind: 'option'; key: string; index: number }
  | { kind: 'reroll'; generationId: string }
  | { kind: 'animate'; generationId: string }
  | { kind: 'cancel'; generationId: string };

const generationId = z.string().regex(/^gen-[0-9a-f-]{36}$/);
const optionKey = z.string().regex(/^[0-9A-Za-z]{10}$/);

const parsers: Record<string, (parts: string[]) => ButtonAction | undefined> = {
  o: ([key, index]) => {
    const k = optionKey.safeParse(key);
    const i = z.coerce.number().int().min(0).max(9).safeParse(index);
    return k.success && i.success ? { kind: 'option', key: k.data, index: i.data } : undefined;
  },
  r: ([id]) => (generationId.safeParse(id).success ? { kind: 'reroll', generationId: id as string } : undefined),
  a: ([id]) => (generationId.safeParse(id).success ? { kind: 'animate', generationId: id as string } : undefined),
  x: ([id]) => (generationId.safeParse(id).success ? { kind: 'cancel', generationId: id as string } : undefined),
};

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
  }
}

/** The action a button id names, or undefined for anything malformed or foreign. */
export function decodeButton(id: string): ButtonAction | undefined {
  if (id.length > 100) return undefined;
  const [tag, ...parts] = id.split(':');
  return tag ? parsers[tag]?.(parts) : undefined;
}

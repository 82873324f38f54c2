/**
 * Seed A's chat has no chats: each person has one `/v1` conversation, which keeps their memory and option
 * sets like any thread. It is a chat like the others (platform and workspace 'web', channel and thread its
 * id): its id is a UUID derived from the person's name, so it shows in `GET /chats` and opens with
 * `GET /chats/{id}` like any chat, the same one every time. `readPick` reads a
 * message that only picks an option of the newest set ("make option 2", "#3", "go with the second one").
 *
 * The pick grammar is deliberately narrow: the whole message must be a pick, so "option 2 but vertical" or
 * "make 2 cats" still go to the recommender (which builds variations on an option). It reads digits 1–9 (so
 * "option 7" of a set of four answers a clear "there is no option 7" instead of a guess), the words one to
 * four after "option"/"number", and the ordinals first to fourth (and 1st–4th). A bare word number ("make
 * one") is not a pick: it is how people ask for something new.
 */
import { createHash } from 'node:crypto';
import { chatConversation } from '../../core/chats.js';
import type { ConversationRef } from '../../core/types.js';
import { WEB_PLATFORM } from './web-context.js';

export function v1Conversation(userId: string): ConversationRef {
  return chatConversation({ platform: WEB_PLATFORM, userId }, v1ChatId(userId));
}

/** The person's /v1 chat id: a name-based UUID (version 5 layout over SHA-256 of the name). */
export function v1ChatId(userId: string): string {
  const hex = createHash('sha256').update(`higgsbot:v1-chat:${userId}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const WORDS: Readonly<Record<string, number>> = { one: 1, two: 2, three: 3, four: 4 };
const ORDINALS: Readonly<Record<string, number>> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  '1st': 1,
  '2nd': 2,
  '3rd': 3,
  '4th': 4,
};

const LEAD = String.raw`(?:(?:ok(?:ay)?|yes|yeah|great|nice|cool|perfect|alright|sure)[,!.]?\s+)?(?:please\s+)?`;
const VERB = String.raw`(?:(?:i(?:'ll| will)?\s+|let'?s\s+|lets\s+)?(?:make|generate|render|create|start|run|do|pick|choose|select|use|take|want|go\s+(?:with|for)|try)\s+)`;
const MARKER = String.raw`(?:option|choice|number|no\.?|#)`;
const TAIL = String.raw`(?:\s+(?:one|option|choice))?(?:,?\s+please)?`;

/** "option 2", "make #2", "no. 2", "go with number two": a marker before the number, a verb optional. */
const WITH_MARKER = new RegExp(String.raw`^${LEAD}${VERB}?(?:the\s+)?${MARKER}\s*(\d|one|two|three|four)${TAIL}$`);
/** "make 2", "generate the 3" (a verb before a bare digit). */
const VERB_DIGIT = new RegExp(String.raw`^${LEAD}${VERB}(?:the\s+)?(\d)${TAIL}$`);
/** "2", "#2" alone. */
const BARE_DIGIT = /^#?\s*(\d)$/;
/** "the second one", "go with the third", "2nd option". */
const ORDINAL = new RegExp(String.raw`^${LEAD}${VERB}?(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)${TAIL}$`);

/** The 1-based option number a message picks, or undefined when it is not (only) a pick. */
export function readPick(message: string): number | undefined {
  const text = message
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.!]+$/, '');
  if (text.length === 0 || text.length > 60) return undefined;
  for (const pattern of [WITH_MARKER, VERB_DIGIT, BARE_DIGIT]) {
    const found = pattern.exec(text)?.[1];
    if (found === undefined) continue;
    const n = WORDS[found] ?? Number(found);
    return n >= 1 ? n : undefined;
  }
  const ordinal = ORDINAL.exec(text)?.[1];
  return ordinal === undefined ? undefined : ORDINALS[ordinal];
}

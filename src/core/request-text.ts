/**
 * What a person typed, made fit for a recommender: whitespace tidied, an empty message answered with a
 * hint instead of a guess, and a very long one trimmed at a word boundary with a note saying so.
 */

/** Longest request text passed on; prompts themselves may be up to 2,000 characters. */
export const REQUEST_MAX_CHARS = 1_500;

export const EMPTY_MESSAGE_HINT =
  'Tell me what you would like to see, for example “a cinematic sunset over snowy mountains” or “a short video of waves at night”. Attach an image to animate it.';

export type RequestText = { kind: 'empty' } | { kind: 'text'; text: string; note?: string };

export function normalizeRequestText(raw: string, allowEmpty: boolean): RequestText {
  // Strip control characters (keeping newlines and tabs) and invisible zero-width spaces, then tidy whitespace.
  const cleaned = raw
    .replace(/\p{Cc}/gu, (ch) => (ch === '\n' || ch === '\t' ? ch : ' '))
    .replace(/[\u200B\u2060\uFEFF]/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (cleaned.length === 0) return allowEmpty ? { kind: 'text', text: '' } : { kind: 'empty' };
  if (cleaned.length <= REQUEST_MAX_CHARS) return { kind: 'text', text: cleaned };
  const cut = cleaned.slice(0, REQUEST_MAX_CHARS);
  // The cut is already at a word boundary when the next character is whitespace; otherwise back up to the
  // last whitespace (space or newline), unless that would lose more than a fifth of the text.
  const atBoundary = /\s/.test(cleaned.charAt(REQUEST_MAX_CHARS));
  const space = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'), cut.lastIndexOf('\t'));
  const text = (atBoundary || space <= REQUEST_MAX_CHARS * 0.8 ? cut : cut.slice(0, space))
    .replace(/[\uD800-\uDBFF]$/, '') // never end on half an emoji
    .trimEnd();
  return {
    kind: 'text',
    text,
    note: `Your message was long, so I used its first ${text.length.toLocaleString('en-US')} characters.`,
  };
}

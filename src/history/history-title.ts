/**
 * A conversation's title: its first request, on one line, at most 100 characters, cut on a grapheme
 * boundary so an emoji or an accented letter is never split. (src/adapters/shared/echo-text.ts does the same
 * for echoes, but history may not import adapters; this is the few lines it needs.)
 */
const TITLE_MAX_CHARS = 100;
const CONTROLS_AND_INVISIBLES = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/gu;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function conversationTitle(text: string): string {
  const line = text.replace(CONTROLS_AND_INVISIBLES, ' ').replace(/\s+/g, ' ').trim();
  if (line.length <= TITLE_MAX_CHARS) return line;
  let out = '';
  for (const { segment } of segmenter.segment(line)) {
    if (out.length + segment.length > TITLE_MAX_CHARS - 1) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}

/**
 * A person's words, made safe to repeat back to them: control characters (NUL, ESC…) and bidirectional
 * overrides (U+202E…) removed, runs of whitespace folded into one space, and a long text cut on a grapheme
 * boundary with an ellipsis, so an echo never splits an emoji or a combining accent. Platform escaping
 * (Slack's `<!channel>`, Discord's mentions) is applied after this, by each adapter.
 */

/** C0 and C1 controls (tab and newline included: an echo is one line), and DEL. */
const CONTROLS = /\p{Cc}/gu;
/** Bidi embeddings, overrides and isolates, and the invisible separators that can hide text. */
const BIDI_AND_INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Default length of an echoed request: enough to recognise it, short enough to read at a glance. */
export const ECHO_MAX_CHARS = 300;

/** The cleaned, one-line, shortened copy of `text` (at most `maxChars` UTF-16 units, ellipsis included). */
export function cleanEcho(text: string, maxChars = ECHO_MAX_CHARS): string {
  const cleaned = text.replace(CONTROLS, ' ').replace(BIDI_AND_INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return cutGraphemes(cleaned, maxChars);
}

/** `text` cut to at most `maxChars` UTF-16 units on a grapheme boundary, with '…' when cut. */
export function cutGraphemes(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let out = '';
  for (const { segment } of segmenter.segment(text)) {
    if (out.length + segment.length > maxChars - 1) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}

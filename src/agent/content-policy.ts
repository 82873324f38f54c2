/**
 * A first, local look at whether Higgsfield would refuse a prompt (sexual content, sexualised minors,
 * graphic gore). It does not decide for the provider; it lets us propose a safe rephrasing up front rather
 * than spend credits on a request that comes back "nsfw". Word lists are deliberately short and literal:
 * false positives cost a rephrased prompt, not a refusal.
 */

interface Rule {
  readonly topic: string;
  readonly pattern: RegExp;
  /** Added to a rephrased prompt so the intent survives in a safe form. */
  readonly safeHint: string;
}

const RULES: readonly Rule[] = [
  {
    topic: 'nudity or sexual content',
    pattern:
      /\b(nude|nudes|naked|topless|nsfw|porn\w*|sexy|sexual|erotic\w*|lingerie|explicit|hentai|xxx|undress\w*)\b/giu,
    safeHint: 'tasteful, fully clothed',
  },
  {
    topic: 'graphic violence',
    pattern: /\b(gore|gory|behead\w*|decapitat\w*|dismember\w*|mutilat\w*|disembowel\w*|blood-?soaked|torture\w*)\b/giu,
    safeHint: 'dramatic but not graphic',
  },
];

const MINORS = new RegExp(
  [
    String.raw`\b(child|children|childlike|kid|kids|minor|minors|underage|under-age|teen|teens|teenage|teenager|teenagers)\b`,
    String.raw`\b(preteen|pre-teen|tween|tweens|schoolgirl|schoolgirls|schoolboy|schoolboys|loli|lolita|shota|baby|babies|toddler|toddlers|infant|infants)\b`,
    String.raw`\b(little|young) (girl|girls|boy|boys)\b`,
    // "a 15-year-old", "15 yo", "aged 12"
    String.raw`\b(1[0-7]|[1-9])[- ]?(yo|y\/o|years?[- ]old)\b`,
    String.raw`\baged (1[0-7]|[1-9])\b`,
  ].join('|'),
  'iu',
);

export interface Screened {
  /** The prompt with flagged words removed (unchanged when nothing was flagged). */
  text: string;
  /** Topics found, for the note to the person. */
  flagged: string[];
  /** Sexual content together with minors: never rephrased, never proposed. */
  blocked: boolean;
}

export function screenPrompt(text: string): Screened {
  const flagged: string[] = [];
  const hints: string[] = [];
  let out = text;
  for (const rule of RULES) {
    if (new RegExp(rule.pattern.source, 'iu').test(out)) {
      flagged.push(rule.topic);
      hints.push(rule.safeHint);
      out = out.replace(rule.pattern, ' ');
    }
  }
  const blocked = flagged.includes('nudity or sexual content') && MINORS.test(text);
  if (flagged.length === 0) return { text, flagged, blocked: false };
  // Tidy what the removals left: "NAKED , sexy model, topless" → "model", not ", model,".
  out = out
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .replace(/\b(a|an|the)\s*[,;:]\s*/giu, '$1 ')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[\s,.;:!?]+|[\s,.;:!?]+$/g, '')
    .trim();
  return { text: out ? `${out}, ${hints.join(', ')}` : hints.join(', '), flagged, blocked };
}

export function rephraseNote(flagged: readonly string[]): string {
  return `Higgsfield refuses ${flagged.join(' and ')}, so I proposed a safe version of your idea instead.`;
}

export const BLOCKED_REPLY =
  'I can’t help with that: Higgsfield refuses sexual content involving minors, and so do I. Ask me for something else.';

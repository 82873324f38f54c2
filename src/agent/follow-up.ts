/**
 * Reads a follow-up turn the way the offline recommender needs it: which earlier option it builds on
 * ("option 2", "the second one"), an aspect change ("vertical"), a mood change ("warmer"), or a wish to
 * animate the last image. Claude reads the same turns from memory on its own; this is the offline floor.
 */

export interface FollowUp {
  /** 0-based index into the thread's last option set. */
  optionIndex?: number;
  /** 1-based result number, when the person named one ("animate result 2"). */
  resultNumber?: number;
  aspectRatio?: '9:16' | '1:1' | '16:9';
  /** Prompt additions for mood words ("warmer" → "warm golden tones"). */
  additions: string[];
  animate: boolean;
  wantsVideo: boolean;
  /** The turn reads as a change to earlier work rather than a new idea. */
  refersBack: boolean;
}

const ORDINALS: Record<string, number> = {
  first: 0,
  second: 1,
  third: 2,
  fourth: 3,
  '1st': 0,
  '2nd': 1,
  '3rd': 2,
  '4th': 3,
};

const MOODS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bwarm(er)?\b/i, 'warm golden tones'],
  [/\bcool(er)?\b|\bcolder\b/i, 'cool blue tones'],
  [/\bdark(er)?\b|\bmoodier\b/i, 'darker, moodier lighting'],
  [/\bbright(er)?\b|\blighter\b/i, 'bright, airy light'],
  [/\bmore (detail|detailed)\b/i, 'intricate fine detail'],
  [/\bdramatic\b/i, 'dramatic contrast'],
  [/\bsoft(er)?\b/i, 'soft diffused light'],
  [/\b(more )?colou?rful\b|\bvivid\b/i, 'vivid saturated colour'],
];

/**
 * Words that only make sense as a change to earlier work: an option number, "again", "instead", a
 * comparative mood, an explicit aspect ("vertical", "in landscape"), or "it" with nothing else to point at.
 * Relative "that" and nouns like "a misty landscape" or "a portrait of" do not count: those are new ideas.
 */
const REFERS_BACK = new RegExp(
  [
    String.raw`\b(?:option|choice|number|result)\s*#?\s*\d\b`,
    String.raw`#\s*\d\b`,
    String.raw`\b(?:first|second|third|fourth|1st|2nd|3rd|4th|last|same|other|that|this)\s+(?:one|option|choice)\b`,
    String.raw`\b(?:it|again|same|instead|another|warmer|cooler|colder|darker|brighter|lighter|moodier|softer)\b`,
    String.raw`\b(?:vertical|horizontal|square|widescreen|\d+\s*:\s*\d+)\b`,
    String.raw`\b(?:in|as|to)\s+(?:portrait|landscape)\b`,
    String.raw`\b(?:portrait|landscape)\s+(?:mode|format|orientation|version)\b`,
  ].join('|'),
);

/** A turn that opens like a reply to what was shown: "now …", "but …", "more …", "this but …". */
const LEADING_REFERENCE = /^\s*(?:now|but|and|also|then|ok(?:ay)?|this|that|these|those|more|less|same|try)\b/;

const MAX_FOLLOW_UP_WORDS = 12;

export function parseFollowUp(text: string): FollowUp {
  const lower = text.toLowerCase();
  const words = lower.split(/\s+/).filter(Boolean).length;
  const additions = MOODS.filter(([re]) => re.test(lower)).map(([, add]) => add);
  const optionNumber = /(?:\b(?:option|choice|number|no\.?)\s*#?\s*|#\s*)(\d)\b/.exec(lower)?.[1];
  const ordinal = /\b(first|second|third|fourth|1st|2nd|3rd|4th)\b(?:\s+(?:one|option|choice))?/.exec(lower)?.[1];
  const resultNumber = /\bresult\s*#?\s*(\d)\b/.exec(lower)?.[1];
  const followUp: FollowUp = {
    additions,
    animate: /\banimate\b|\banimating\b|\bbring (it|this|that) to life\b|\bmake (it|this|that) move\b/.test(lower),
    wantsVideo: /\b(video|clip|animat\w*|moving|motion|film it)\b/.test(lower),
    refersBack: false,
  };
  if (optionNumber) followUp.optionIndex = Math.max(0, Number(optionNumber) - 1);
  else if (ordinal !== undefined) followUp.optionIndex = ORDINALS[ordinal] ?? 0;
  if (resultNumber) followUp.resultNumber = Number(resultNumber);
  if (
    /\b(vertical|portrait|tall|9\s*:\s*16|phone|tiktok|reels?)\b|\b(instagram|insta|ig) stor(y|ies)\b|\bfor (a |an |my |the )?(story|stories)\b/.test(
      lower,
    )
  )
    followUp.aspectRatio = '9:16';
  else if (/\b(square|1\s*:\s*1)\b/.test(lower)) followUp.aspectRatio = '1:1';
  else if (/\b(landscape|horizontal|wide|widescreen|16\s*:\s*9)\b/.test(lower)) followUp.aspectRatio = '16:9';
  followUp.refersBack =
    words > 0 &&
    words <= MAX_FOLLOW_UP_WORDS &&
    (REFERS_BACK.test(lower) ||
      LEADING_REFERENCE.test(lower) ||
      // A bare "portrait" or "warm" reads as a tweak only when it is (nearly) all that was said.
      (words <= 2 && (followUp.aspectRatio !== undefined || additions.length > 0)));
  return followUp;
}

/** Leftovers that carry no subject: what remains of "option 2 in vertical" once the instructions are gone. */
const FILLER = new Set(
  'a an the in as to with and of for so too bit little please also can you could would it this that one'.split(' '),
);

/**
 * The subject of a request with the instruction words taken out: "now animate it, warmer" → "",
 * "the second one but with a red sky" → "with a red sky", "animate this photo of my dog" → "my dog".
 */
export function stripInstructions(text: string): string {
  const stripped = text
    .replace(/\b(?:the\s+)?(?:option|choice|number|result)\s*#?\s*\d\b/gi, ' ')
    .replace(/#\s*\d\b/g, ' ')
    .replace(
      /\b(?:the\s+)?(?:first|second|third|fourth|1st|2nd|3rd|4th|last|same|other|this|that)\s+(?:one|option|choice)\b/gi,
      ' ',
    )
    .replace(/\bbring (?:it|this|that) to life\b|\bmake (?:it|this|that) move\b/gi, ' ')
    .replace(
      /\b(?:as|into|in|to)?\s*(?:an?|the|this|that)?\s*(?:video|clip|animation|image|picture|photo)(?:\s+of)?\b/gi,
      ' ',
    )
    .replace(
      /\b(?:in|as|to)?\s*(?:vertical|portrait|square|landscape|horizontal|widescreen|\d+\s*:\s*\d+)(?:\s+(?:format|mode|orientation|version))?\b/gi,
      ' ',
    )
    .replace(
      /\b(please|now|then|but|make it|make|it|this|that|again|instead|animate|animating|warmer|cooler|colder|darker|brighter|lighter|moodier|softer|more|less)\b/gi,
      ' ',
    )
    .replace(/[,.;:!?]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  const words = stripped.split(' ').filter(Boolean);
  if (words.every((w) => FILLER.has(w.toLowerCase()))) return '';
  while (words.length && ['and', 'of', 'in', 'as', 'to', 'the', 'so'].includes(words[0]?.toLowerCase() ?? ''))
    words.shift();
  return words.join(' ');
}

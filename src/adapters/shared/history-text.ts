/**
 * Words of `/history`, `/show` and `/forget`, the same on every chat platform: a page of a person's
 * generations (a heading that repeats their search words, one line per generation with its label, state,
 * age and the short id they type after `/show`), the words of an empty page, the forget confirmation and
 * its outcome. Each adapter dresses them in its own markup (`HistoryMarkup`), as help-text does.
 *
 * Whatever came from a person or the model (search words, labels, prompts) is cleaned to one short line
 * (echo-text) here, then made inert in the platform's markup by `markup.inert` (Discord's mentions and
 * markdown, Slack's `<!channel>`), so it is shown as typed and never pings anyone.
 */
import type { HistoryLine, HistoryView } from '../../core/history-views.js';
import type { GenerationState } from '../../core/types.js';
import { cleanEcho } from './echo-text.js';

export interface HistoryMarkup {
  bold(text: string): string;
  code(text: string): string;
  /** Text that is not ours (already one clean line), shown as typed: no markup, no mention works in it. */
  inert(text: string): string;
}

type HistoryPageView = Extract<HistoryView, { kind: 'page' }>;

/** How much of each part is repeated: enough to recognise it, short enough for a page of them to fit. */
const SEARCH_CHARS = 100;
const LABEL_CHARS = 50;
const PROMPT_CHARS = 60;

const STATE_TEXT: Record<GenerationState, string> = {
  queued: '⏳ queued',
  submitted: '⏳ sent',
  rendering: '🎬 rendering',
  delivering: '📦 posting',
  done: '✅ done',
  failed: '⚠️ failed',
  canceled: '🚫 canceled',
};

const DAY_MS = 86_400_000;
const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** When something happened, as people say it: "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date. */
export function whenText(atMs: number, nowMs: number): string {
  const ago = Math.max(0, nowMs - atMs);
  if (ago < 60_000) return 'just now';
  if (ago < 3_600_000) return `${Math.floor(ago / 60_000)} min ago`;
  if (ago < DAY_MS) return `${Math.floor(ago / 3_600_000)} h ago`;
  const days = Math.floor(ago / DAY_MS);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return DATE.format(atMs);
}

/** The search words as they are repeated back ('' when nothing is left once cleaned). */
function searchEcho(search: string, markup: HistoryMarkup): string {
  const cleaned = cleanEcho(search, SEARCH_CHARS);
  return cleaned ? markup.inert(cleaned) : '';
}

function lineText(line: HistoryLine, markup: HistoryMarkup, nowMs: number, withPrompt: boolean): string {
  const label = markup.bold(markup.inert(cleanEcho(line.label, LABEL_CHARS) || line.modelId));
  const prompt = withPrompt ? cleanEcho(line.prompt, PROMPT_CHARS) : '';
  return [
    `• ${markup.code(line.shortId)} ${label}`,
    STATE_TEXT[line.state],
    whenText(line.createdAtMs, nowMs),
    ...(prompt ? [`“${markup.inert(prompt)}”`] : []),
  ].join(' · ');
}

export interface HistoryPageOptions {
  nowMs?: number;
  /**
   * The longest message the platform takes. A page whose prompts would not fit is shown without them, so
   * every line (and the id on it) stays whole rather than the last ones being cut off.
   */
  maxChars?: number;
}

/** A page of `/history`: its heading, its lines (newest first) and how to post one again; or why it is empty. */
export function historyPageText(
  view: HistoryPageView,
  markup: HistoryMarkup,
  options: HistoryPageOptions = {},
): string {
  const { nowMs = Date.now(), maxChars = Number.POSITIVE_INFINITY } = options;
  const words = searchEcho(view.search, markup);
  if (view.lines.length === 0) {
    if (view.page > 1) return 'No older generations.';
    return words
      ? `Nothing matches “${words}” in your prompts.`
      : `Nothing yet: what you generate shows up here (try ${markup.code('/imagine')}).`;
  }
  const matching = words ? ` matching “${words}”` : '';
  const heading = `Your generations${matching}, newest first${view.page > 1 ? ` (page ${view.page})` : ''}:`;
  const page = (withPrompts: boolean) =>
    [
      heading,
      ...view.lines.map((line) => lineText(line, markup, nowMs, withPrompts)),
      `${markup.code(markup.inert('/show <id>'))} posts one here again.`,
    ].join('\n');
  const full = page(true);
  return full.length <= maxChars ? full : page(false);
}

/** The label of the button that shows the next (older) page. */
export const OLDER_BUTTON_LABEL = 'Older →';

/** The label of the button that confirms `/forget`. */
export const FORGET_BUTTON_LABEL = 'Forget everything';

/** What `/forget` asks before deleting anything; `where` names the platform ("Discord"). */
export function forgetConfirmText(where: string): string {
  return [
    `Forget everything I keep about you on ${where}? Your requests, the generations /history lists and their stored files are deleted for good.`,
    'Messages already posted in conversations stay where they are.',
  ].join('\n');
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The outcome of a confirmed `/forget` (requests and options shown are gone too; only these are counted). */
export function forgottenText(outcome: { generations: number; mediaFiles: number }): string {
  if (outcome.generations === 0 && outcome.mediaFiles === 0) {
    return 'Done: I forgot everything I kept about you here (there were no generations to delete).';
  }
  const generations = count(outcome.generations, 'generation', 'generations');
  const files = count(outcome.mediaFiles, 'stored file', 'stored files');
  return `Done: I forgot everything I kept about you here, ${generations} and ${files} included.`;
}

/** The private note after `/show` re-posted a result; `where` points at it from the note. */
export function showPostedText(where: 'above' | 'below'): string {
  return where === 'below' ? 'Posted it below ↓' : 'Posted it above ↑';
}

/** Only the person who typed the command sees its message; a press by anyone else is refused with this. */
export const NOT_YOUR_LIST_TEXT = 'Only the person who typed the command can use these buttons.';

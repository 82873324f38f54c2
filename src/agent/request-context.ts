/**
 * The user turn the agent reads: the thread so far (last request, the options shown, the results), the
 * hints, and the request itself inside a tag, so follow-ups resolve and the person's text stays material.
 */
import type { OptionSummary, RecommendInput } from '../core/assistant-types.js';

const PROMPT_PREVIEW_CHARS = 160;

function summary(o: OptionSummary): string {
  const look = o.style ? ` style ${o.style}` : o.motions ? ` motions ${o.motions.join('+')}` : '';
  const params = Object.entries(o.params)
    .filter(([k]) => k !== 'seed')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `${o.modelId}${look}${params ? ` ${params}` : ''}: "${o.prompt.slice(0, PROMPT_PREVIEW_CHARS)}"`;
}

/** Catalog names that match the request, found before Claude is asked: often enough to skip a search round. */
export interface CatalogHints {
  styles: readonly string[];
  motions: readonly string[];
}

export function requestContext(input: RecommendInput, catalogHints?: CatalogHints): string {
  const lines: string[] = [];
  const lastUser = [...input.memory].reverse().find((t) => t.role === 'user');
  const lastOptions = [...input.memory].reverse().find((t) => t.role === 'options');
  if (lastUser?.role === 'user') lines.push(`Previous request: ${lastUser.text.slice(0, 300)}`);
  if (lastOptions?.role === 'options') {
    lines.push('Options shown:');
    for (const [i, o] of lastOptions.options.entries()) lines.push(`${i + 1}. ${summary(o)}`);
  }
  input.results.forEach((r, i) => {
    lines.push(`result ${i + 1} (${r.state}${r.imageUrl ? ', image' : ''}): ${summary(r.option)}`);
  });
  const hints = [input.intent ? `wants ${input.intent}` : '', input.image ? 'an image is attached' : ''].filter(
    Boolean,
  );
  const parts = [];
  if (lines.length) parts.push(`<conversation>\n${lines.join('\n')}\n</conversation>`);
  const fits = [
    catalogHints?.styles.length ? `Soul styles that may fit: ${catalogHints.styles.join(', ')}.` : '',
    catalogHints?.motions.length ? `DoP motions that may fit: ${catalogHints.motions.join(', ')}.` : '',
  ].filter(Boolean);
  if (fits.length) parts.push(`<catalog>${fits.join(' ')}</catalog>`);
  if (hints.length) parts.push(`<hints>${hints.join('; ')}</hints>`);
  parts.push(`<request>\n${input.text.replaceAll('</request>', '')}\n</request>`);
  return parts.join('\n');
}

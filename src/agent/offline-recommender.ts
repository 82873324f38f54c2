/**
 * The offline recommender: deterministic options from keyword matches over the request, the catalogs and
 * the registry. It answers when no Claude key is set, and whenever Claude fails or is too slow, so a person
 * always gets sensible choices. Its raw options pass the same validation as Claude's.
 */
import type { Proposal, RecommendInput } from '../core/assistant-types.js';
import type { Recommender } from '../core/ports.js';
import type { Catalog, CatalogCache } from './catalog.js';
import { BLOCKED_REPLY, rephraseNote, screenPrompt } from './content-policy.js';
import { parseFollowUp, stripInstructions } from './follow-up.js';
import { animateOptions, freshOptions, type Plan, variations } from './offline-plans.js';
import { clip, validateOptions } from './proposal-validation.js';

export class OfflineRecommender implements Recommender {
  readonly mode = 'offline' as const;

  constructor(private readonly catalogs: CatalogCache) {}

  async recommend(input: RecommendInput): Promise<Proposal> {
    const catalog = await this.catalogs.get();
    const screened = screenPrompt(input.text);
    if (screened.blocked) return { text: BLOCKED_REPLY, options: [], mode: 'offline', declined: true };
    const text = screened.text;
    const followUp = parseFollowUp(text);
    const lastOptions = [...input.memory].reverse().find((t) => t.role === 'options');
    const lastImage = followUp.resultNumber
      ? input.results[followUp.resultNumber - 1]
      : [...input.results].reverse().find((r) => r.imageUrl);
    const baseOption =
      lastOptions?.role === 'options'
        ? lastOptions.options[Math.max(0, Math.min(followUp.optionIndex ?? 0, lastOptions.options.length - 1))]
        : undefined;

    let plan: Plan;
    if (input.image || input.intent === 'animate' || (followUp.animate && lastImage?.imageUrl)) {
      const imageRef = input.image || !lastImage ? 'attached' : `result ${input.results.indexOf(lastImage) + 1}`;
      // An instruction ("now animate it, slowly") leaves little subject once stripped; a description (the
      // Animate button passes the image's own prompt) is kept whole.
      const instruction = followUp.animate || followUp.refersBack;
      const described = instruction ? stripInstructions(text) : clip(text, 300);
      const base = described || (input.image ? undefined : lastImage?.option.prompt) || 'the scene in the image';
      const subject = [base, ...followUp.additions].join(', ');
      const motion = pickMotion(catalog, text);
      plan = animateOptions(
        subject,
        imageRef,
        motion,
        input.intent === 'animate' || followUp.wantsVideo || !input.image,
      );
    } else if (baseOption && lastOptions?.role === 'options' && followUp.refersBack) {
      const index = lastOptions.options.indexOf(baseOption);
      plan = variations(baseOption, index, followUp, stripInstructions(text));
    } else {
      plan = freshOptions(text, input.intent, followUp.aspectRatio, pickStyles(catalog, text));
    }

    const validated = validateOptions(plan.raw, {
      catalog,
      results: input.results,
      requestText: text || 'a striking scene',
      ...(input.image ? { image: input.image } : {}),
    });
    const notes = screened.flagged.length ? ` ${rephraseNote(screened.flagged)}` : '';
    return { text: `${plan.text(validated.options.length)}${notes}`, options: validated.options, mode: 'offline' };
  }
}

/**
 * Two distinct Soul styles that exist in this catalog: the best matches for the request, then Cinematic
 * and the neutral fallback. Fewer than two when the catalog is that small (the built-in one has only General).
 */
function pickStyles(catalog: Catalog, text: string): string[] {
  const names = [
    ...catalog.search('style', text, 2).map((s) => s.name),
    ...['Cinematic', 'General'].filter((n) => catalog.styles.some((s) => s.name === n)),
    catalog.fallback('style')?.name,
  ].filter((n): n is string => Boolean(n));
  return [...new Set(names)].slice(0, 2);
}

/** A DoP motion the person asked for in words ("zoom in", "orbit"), else the catalog's neutral one. */
function pickMotion(catalog: Catalog, text: string): string {
  const asked = /\b(zoom|closer|push\w*)\b/i.test(text)
    ? 'Zoom In'
    : /\b(orbit|around|spin\w*|circl\w*)\b/i.test(text)
      ? 'Orbit'
      : undefined;
  const named = catalog.motions.find((m) => new RegExp(`\\b${escapeRegExp(m.name)}\\b`, 'i').test(text));
  const found = named ?? (asked ? catalog.resolve('motion', asked) : undefined);
  return found?.name ?? catalog.fallback('motion')?.name ?? 'General';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

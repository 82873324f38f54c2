/**
 * Soul styles and DoP motions, as the agent's search tools and the offline recommender see them: keyword
 * search with a few synonyms ("sunset" finds Golden Hour), and resolution of a name or id the model wrote.
 * The catalogs come from the provider and are cached for an hour; when they cannot be had, a built-in
 * minimum (General, and the three named motions) keeps proposals possible.
 */
import type { CatalogItem, GenerationProvider } from '../core/provider.js';

export type CatalogKind = 'style' | 'motion';

/** Words people use, mapped to words catalog entries use. */
const SYNONYMS: Record<string, string[]> = {
  sunset: ['golden', 'warm', 'sun'],
  sunrise: ['golden', 'warm', 'sun'],
  dusk: ['golden', 'warm'],
  night: ['neon', 'dark'],
  city: ['neon', 'streets', 'urban'],
  cyberpunk: ['neon', 'streets'],
  movie: ['cinematic', 'film'],
  cinematic: ['film', 'widescreen'],
  epic: ['cinematic', 'fantasy'],
  dragon: ['creatures', 'fantasy'],
  monster: ['creatures'],
  animal: ['creatures'],
  magic: ['fantasy'],
  retro: ['vintage', 'polaroid', 'grainy'],
  old: ['vintage', 'film'],
  painting: ['watercolor', 'painterly'],
  painted: ['watercolor', 'painterly'],
  watercolour: ['watercolor'],
  cartoon: ['anime', 'cel'],
  manga: ['anime'],
  simple: ['minimalist', 'sparse'],
  clean: ['minimalist', 'general'],
  noir: ['black', 'shadows'],
  moody: ['noir', 'shadows', 'dark'],
  selfie: ['mirror', 'elevator'],
  closer: ['zoom', 'in', 'pushes'],
  approach: ['zoom', 'in', 'pushes'],
  reveal: ['zoom', 'out', 'pulls'],
  around: ['orbit', 'circles'],
  spin: ['orbit', 'circles'],
  rise: ['crane', 'up', 'rises'],
  aerial: ['crane', 'up', 'high'],
  drone: ['crane', 'up', 'orbit'],
  shaky: ['handheld', 'shake'],
  documentary: ['handheld'],
  still: ['static', 'locked'],
  calm: ['static', 'locked'],
  fast: ['whip', 'pan'],
  vhs: ['super', 'grainy', 'home'],
};

const STOP_WORDS = new Set(
  'a an and the of in on at to with for from by over under into is are be it its this that me my i you your make create show please some'.split(
    ' ',
  ),
);

export function keywords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w));
}

export class Catalog {
  constructor(
    readonly styles: readonly CatalogItem[],
    readonly motions: readonly CatalogItem[],
  ) {}

  entries(kind: CatalogKind): readonly CatalogItem[] {
    return kind === 'style' ? this.styles : this.motions;
  }

  /** The best matches for free text, best first; ties keep catalog order. */
  search(kind: CatalogKind, query: string, limit = 6): CatalogItem[] {
    const words = keywords(query);
    const expanded = new Map<string, number>();
    for (const w of words) {
      expanded.set(w, Math.max(expanded.get(w) ?? 0, 1));
      for (const s of SYNONYMS[w] ?? []) expanded.set(s, Math.max(expanded.get(s) ?? 0, 0.6));
    }
    const scored = this.entries(kind).map((entry, order) => {
      const name = keywords(entry.name);
      const description = new Set(keywords(entry.description));
      let score = 0;
      for (const [w, weight] of expanded) {
        if (name.includes(w)) score += 3 * weight;
        else if (name.some((n) => n.startsWith(w) || w.startsWith(n))) score += 1.5 * weight;
        if (description.has(w)) score += weight;
      }
      return { entry, score, order };
    });
    return scored
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .slice(0, limit)
      .map((s) => s.entry);
  }

  /** An entry by id, exact name (any case), or the best search hit for what the model wrote. */
  resolve(kind: CatalogKind, ref: string): CatalogItem | undefined {
    const entries = this.entries(kind);
    const wanted = ref.trim().toLowerCase();
    return (
      entries.find((e) => e.id.toLowerCase() === wanted) ??
      entries.find((e) => e.name.toLowerCase() === wanted) ??
      this.search(kind, ref, 1)[0]
    );
  }

  /** The neutral choice: "General" when the catalog has it, else the first entry. */
  fallback(kind: CatalogKind): CatalogItem | undefined {
    const entries = this.entries(kind);
    return entries.find((e) => e.name.toLowerCase() === 'general') ?? entries[0];
  }
}

/** Used when the provider's catalogs cannot be fetched: the ids named in the API reference. */
export const BUILT_IN_CATALOG = new Catalog(
  [{ id: '464ea177-8d40-4940-8d9d-b438bab269c7', name: 'General', description: 'Clean, balanced, and natural look.' }],
  [
    { id: '31177282-bde3-4870-b283-1135ca0a201a', name: 'General', description: 'Natural camera movement.' },
    { id: 'fbcbec5b-30f8-4b17-ba6e-8e8d5b265562', name: 'Zoom In', description: 'The camera pushes in.' },
    { id: 'fa3ddb7c-53ee-4383-aa17-97ae65f180e5', name: 'Static', description: 'A locked-off camera.' },
  ],
);

/** Where the catalogs come from: the provider. */
export type CatalogSource = Pick<GenerationProvider, 'styles' | 'motions'>;

/** Fetches the catalogs once an hour; concurrent callers share one fetch; a failure is retried after a minute. */
export class CatalogCache {
  private current: { catalog: Catalog; expiresAtMs: number } | undefined;
  private loading: Promise<Catalog> | undefined;

  constructor(
    private readonly source: CatalogSource,
    private readonly ttlMs = 3_600_000,
    private readonly retryMs = 60_000,
  ) {}

  async get(): Promise<Catalog> {
    if (this.current && this.current.expiresAtMs > Date.now()) return this.current.catalog;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Catalog> {
    const signal = AbortSignal.timeout(10_000);
    try {
      const [styles, motions] = await Promise.all([this.source.styles({ signal }), this.source.motions({ signal })]);
      const catalog = new Catalog(
        styles.length ? styles : BUILT_IN_CATALOG.styles,
        motions.length ? motions : BUILT_IN_CATALOG.motions,
      );
      this.current = { catalog, expiresAtMs: Date.now() + this.ttlMs };
      return catalog;
    } catch {
      const catalog = this.current?.catalog ?? BUILT_IN_CATALOG;
      this.current = { catalog, expiresAtMs: Date.now() + this.retryMs };
      return catalog;
    }
  }
}

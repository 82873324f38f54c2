import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILT_IN_CATALOG, Catalog, CatalogCache, type CatalogSource, keywords } from '../../src/agent/catalog.js';
import { BLOCKED_REPLY, rephraseNote, screenPrompt } from '../../src/agent/content-policy.js';
import { EMPTY_MESSAGE_HINT, normalizeRequestText, REQUEST_MAX_CHARS } from '../../src/core/request-text.js';
import { MOTION_ENTRIES, SOUL_STYLE_ENTRIES } from '../../src/higgsfield/simulator/catalogs.js';
import type { CatalogEntry } from '../../src/higgsfield/wire.js';

const STYLES: CatalogEntry[] = SOUL_STYLE_ENTRIES.map(([id, name, description]) => ({ id, name, description }));
const MOTIONS: CatalogEntry[] = MOTION_ENTRIES.map(([id, name, description]) => ({ id, name, description }));
const CATALOG = new Catalog(STYLES, MOTIONS);
const names = (entries: readonly CatalogEntry[]) => entries.map((e) => e.name);

describe('Catalog.search', () => {
  it('finds Golden Hour for "sunset", through its synonyms', () => {
    expect(names(CATALOG.search('style', 'sunset'))[0]).toBe('Golden Hour');
  });

  it('ranks a name match above a description match, best first', () => {
    expect(names(CATALOG.search('style', 'cinematic sunset over mountains', 2))).toEqual(['Cinematic', 'Golden Hour']);
    expect(names(CATALOG.search('style', 'cyberpunk city at night'))[0]).toBe('Neon Nights');
    expect(names(CATALOG.search('style', 'a dragon', 2))).toEqual(['Creatures', 'Fantasy']);
  });

  it('maps everyday camera words to motions ("closer" → Zoom In, "shaky" → Handheld, "vhs" → Super 8MM)', () => {
    expect(names(CATALOG.search('motion', 'closer'))[0]).toBe('Zoom In');
    expect(names(CATALOG.search('motion', 'reveal'))[0]).toBe('Zoom Out');
    expect(names(CATALOG.search('motion', 'shaky'))[0]).toBe('Handheld');
    expect(names(CATALOG.search('motion', 'vhs'))[0]).toBe('Super 8MM');
  });

  it('respects the limit and finds nothing for words no entry relates to', () => {
    expect(CATALOG.search('motion', 'drone', 2)).toHaveLength(2);
    expect(CATALOG.search('style', 'a cat')).toEqual([]);
    expect(CATALOG.search('style', '')).toEqual([]);
  });

  it('ignores case, accents and punctuation in what people type', () => {
    expect(keywords('Café, NOIR!')).toEqual(['cafe', 'noir']);
    expect(names(CATALOG.search('style', 'FILM-NOIR'))[0]).toBe('Film Noir');
  });
});

describe('Catalog.resolve', () => {
  it('resolves by id, by exact name in any case, and by fuzzy words', () => {
    const golden = STYLES.find((s) => s.name === 'Golden Hour');
    expect(CATALOG.resolve('style', golden?.id ?? '')?.name).toBe('Golden Hour');
    expect(CATALOG.resolve('style', 'GOLDEN HOUR')?.name).toBe('Golden Hour');
    expect(CATALOG.resolve('style', '  golden hour ')?.name).toBe('Golden Hour');
    expect(CATALOG.resolve('style', 'neon streets')?.name).toBe('Neon Nights');
    expect(CATALOG.resolve('style', 'watercolour')?.name).toBe('Watercolor');
    expect(CATALOG.resolve('motion', 'zoom in')?.name).toBe('Zoom In');
  });

  it('prefers the exact name over a fuzzy hit, and the kind asked for', () => {
    expect(CATALOG.resolve('motion', 'General')?.id).toBe('31177282-bde3-4870-b283-1135ca0a201a');
    expect(CATALOG.resolve('style', 'General')?.id).toBe('464ea177-8d40-4940-8d9d-b438bab269c7');
    expect(CATALOG.resolve('style', 'Zoom In')).toBeUndefined();
  });

  it('returns nothing for an empty or unrelated reference', () => {
    expect(CATALOG.resolve('style', '')).toBeUndefined();
    expect(CATALOG.resolve('motion', 'moonwalk')).toBeUndefined();
  });

  it('falls back to General, or the first entry when there is no General', () => {
    expect(CATALOG.fallback('style')?.name).toBe('General');
    expect(new Catalog(STYLES.slice(3), []).fallback('style')?.name).toBe('Cinematic');
    expect(new Catalog([], []).fallback('motion')).toBeUndefined();
  });
});

describe('CatalogCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function source(overrides: Partial<CatalogSource> = {}) {
    const calls = { styles: 0, motions: 0 };
    const src: CatalogSource = {
      styles:
        overrides.styles ??
        (async () => {
          calls.styles++;
          return STYLES;
        }),
      motions:
        overrides.motions ??
        (async () => {
          calls.motions++;
          return MOTIONS;
        }),
    };
    return { src, calls };
  }

  it('serves the source’s catalogs', async () => {
    const catalog = await new CatalogCache(source().src).get();
    expect(names(catalog.styles)).toContain('Golden Hour');
    expect(names(catalog.motions)).toContain('Orbit');
  });

  it('falls back to the built-in catalog when the source throws', async () => {
    const { src } = source({
      styles: async () => {
        throw new Error('Higgsfield is down');
      },
    });
    expect(await new CatalogCache(src).get()).toBe(BUILT_IN_CATALOG);
  });

  it('uses the built-in entries for a catalog that comes back empty', async () => {
    const { src } = source({ motions: async () => [] });
    const catalog = await new CatalogCache(src).get();
    expect(names(catalog.styles)).toContain('Golden Hour');
    expect(catalog.motions).toBe(BUILT_IN_CATALOG.motions);
  });

  it('shares one load between concurrent callers', async () => {
    const { src, calls } = source();
    const cache = new CatalogCache(src);
    const [a, b, c] = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(calls).toEqual({ styles: 1, motions: 1 });
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('keeps the catalogs for the TTL, then loads again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { src, calls } = source();
    const cache = new CatalogCache(src, 1_000, 100);
    await cache.get();
    vi.setSystemTime(Date.now() + 999);
    await cache.get();
    expect(calls.styles).toBe(1);
    vi.setSystemTime(Date.now() + 2);
    await cache.get();
    expect(calls.styles).toBe(2);
  });

  it('after a failure keeps the last good catalog and retries sooner', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let fail = false;
    const { src } = source({
      styles: async () => {
        if (fail) throw new Error('down');
        return STYLES;
      },
    });
    const cache = new CatalogCache(src, 1_000, 100);
    const good = await cache.get();
    fail = true;
    vi.setSystemTime(Date.now() + 1_001);
    expect(await cache.get()).toBe(good);
    fail = false;
    vi.setSystemTime(Date.now() + 101);
    const fresh = await cache.get();
    expect(fresh).not.toBe(good);
    expect(names(fresh.styles)).toEqual(names(STYLES));
  });
});

describe('content policy: screenPrompt', () => {
  it('leaves an ordinary prompt untouched', () => {
    expect(screenPrompt('a fox in the snow, golden light')).toEqual({
      text: 'a fox in the snow, golden light',
      flagged: [],
      blocked: false,
    });
  });

  it('removes sexual words and adds a safe hint, keeping the rest of the idea', () => {
    const screened = screenPrompt('a nude woman on a beach');
    expect(screened.blocked).toBe(false);
    expect(screened.flagged).toEqual(['nudity or sexual content']);
    expect(screened.text).toBe('a woman on a beach, tasteful, fully clothed');
  });

  it('removes every occurrence, in any case, and tidies the punctuation left behind', () => {
    const screened = screenPrompt('NAKED , sexy model, topless');
    expect(screened.text).not.toMatch(/naked|sexy|topless/i);
    expect(screened.text).toBe('model, tasteful, fully clothed');
    expect(screenPrompt('a gory, bloody scene!').text).toBe('a bloody scene, dramatic but not graphic');
    expect(screenPrompt('a nude woman on a beach.').text).toBe('a woman on a beach, tasteful, fully clothed');
  });

  it('softens graphic violence', () => {
    const screened = screenPrompt('a gory battlefield with dismembered soldiers');
    expect(screened.flagged).toEqual(['graphic violence']);
    expect(screened.text).toBe('a battlefield with soldiers, dramatic but not graphic');
  });

  it('reports both topics when both appear', () => {
    expect(screenPrompt('erotic torture scene').flagged).toEqual(['nudity or sexual content', 'graphic violence']);
  });

  it('gives only the safe hint when nothing else was asked', () => {
    expect(screenPrompt('nsfw').text).toBe('tasteful, fully clothed');
  });

  it('blocks sexual content with minors, however the age is put', () => {
    for (const text of [
      'naked child',
      'a sexy teenager',
      'lingerie schoolgirl',
      'nude little girl',
      'an erotic photo of a 15-year-old',
      'sexy 12 yo',
      'nsfw toddler',
    ]) {
      expect(screenPrompt(text).blocked, text).toBe(true);
    }
  });

  it('does not block ordinary pictures of children, or adults described as sexy', () => {
    expect(screenPrompt('children playing in a park').blocked).toBe(false);
    expect(screenPrompt('a sexy woman of 25 years old').blocked).toBe(false);
    expect(screenPrompt('a little girl flying a kite').flagged).toEqual([]);
  });

  it('tells the person why, and declines plainly when blocked', () => {
    expect(rephraseNote(['nudity or sexual content'])).toMatch(/Higgsfield refuses nudity or sexual content/);
    expect(rephraseNote(['a', 'b'])).toMatch(/refuses a and b/);
    expect(BLOCKED_REPLY).toMatch(/minors/);
  });
});

describe('request text: normalizeRequestText', () => {
  it('answers an empty message with a hint instead of a guess', () => {
    expect(normalizeRequestText('', false)).toEqual({ kind: 'empty' });
    expect(normalizeRequestText('  \n\t ', false)).toEqual({ kind: 'empty' });
    expect(normalizeRequestText('\u200b\u200b', false)).toEqual({ kind: 'empty' });
    expect(EMPTY_MESSAGE_HINT).toMatch(/Attach an image/);
  });

  it('accepts an empty message when it is allowed (an image came with it)', () => {
    expect(normalizeRequestText('   ', true)).toEqual({ kind: 'text', text: '' });
  });

  it('tidies whitespace and control characters, keeping line breaks', () => {
    expect(normalizeRequestText('  a  fox\u0007 in\t\tthe \r\n snow\n\n\n\nat night  ', false)).toEqual({
      kind: 'text',
      text: 'a fox in the\nsnow\n\nat night',
    });
  });

  it('passes a request of exactly 1,500 characters unchanged, without a note', () => {
    const text = 'a'.repeat(REQUEST_MAX_CHARS);
    expect(normalizeRequestText(text, false)).toEqual({ kind: 'text', text });
  });

  it('trims a longer request at a word boundary and says so', () => {
    const raw = 'mountain '.repeat(300);
    const result = normalizeRequestText(raw, false);
    if (result.kind !== 'text') throw new Error('expected text');
    expect(result.text.length).toBeLessThanOrEqual(REQUEST_MAX_CHARS);
    expect(result.text.length).toBeGreaterThan(REQUEST_MAX_CHARS * 0.8);
    expect(result.text.endsWith('mountain')).toBe(true);
    expect(raw.startsWith(result.text)).toBe(true);
    expect(result.note).toBe(
      `Your message was long, so I used its first ${result.text.length.toLocaleString('en-US')} characters.`,
    );
  });

  it('keeps the last whole word when the limit falls exactly between two words', () => {
    const raw = `${'b'.repeat(REQUEST_MAX_CHARS - 5)} word tail`;
    const result = normalizeRequestText(raw, false);
    expect(result.kind === 'text' && result.text).toBe(`${'b'.repeat(REQUEST_MAX_CHARS - 5)} word`);
  });

  it('cuts a single endless word at the limit rather than losing most of it', () => {
    const result = normalizeRequestText(`short ${'x'.repeat(3_000)}`, false);
    expect(result.kind === 'text' && result.text.length).toBe(REQUEST_MAX_CHARS);
  });

  it('never ends on half an emoji', () => {
    const result = normalizeRequestText(`${'x'.repeat(REQUEST_MAX_CHARS - 1)}😀😀`, false);
    if (result.kind !== 'text') throw new Error('expected text');
    expect(result.text).toBe('x'.repeat(REQUEST_MAX_CHARS - 1));
    expect(result.text).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});

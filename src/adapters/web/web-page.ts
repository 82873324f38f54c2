/**
 * The web chat's page, as the server sees it: where the built files are, whether a request asks for the page
 * (a browser's navigation) or for the health answer, and the headers the page and its assets carry.
 *
 * Decisions:
 * - The build is the package's `dist/web` (index.html, assets/), found by walking up from this file to the
 *   folder whose package.json is named "higgsbot": the same from src/ (tsx, vitest) and from dist/src/ (the
 *   built CLI). WEB_UI_DIR points elsewhere (a spec's fixture, a build kept apart).
 * - Only `GET /` negotiates: the page when `Accept` ranks text/html above application/json (a browser's
 *   navigation names text/html, and any type at a lower q), the JSON health answer otherwise (seed A's clients,
 *   curl's any-type, no Accept at all), so no existing client sees a change. Every other route stays JSON; the
 *   page uses hash routes.
 * - The Content-Security-Policy allows scripts, styles and fonts from this origin only (the build writes no
 *   inline script or style), results and thumbnails from this origin, `blob:` and the origins results are
 *   linked on, requests to this origin and the upload origins, and nothing else; no framing, no <base>.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'higgsbot';

/** What `GET /` answers (503, plain text) for a browser when there is no built page. */
export const NOT_BUILT_TEXT = 'The web chat is not built: run npm run build';

/** The folder of the package's built web chat (`<package>/dist/web`), or undefined outside the package. */
export function locateWebUi(from: string = import.meta.dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (isPackageRoot(dir)) return join(dir, 'dist', 'web');
    if (dirname(dir) === dir) return undefined;
  }
}

function isPackageRoot(dir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return manifest.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The quality `accept` gives `type/subtype`: that of its most specific matching range (0 when none matches). */
function quality(accept: string, type: string, subtype: string): number {
  let best = { specificity: -1, q: 0 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const [t, s] = range.split('/');
    if (!t || !s) continue;
    const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    best = { specificity, q: Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0 };
  }
  return best.q;
}

/** Whether `accept` asks for the page rather than JSON: text/html ranked strictly above application/json. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = quality(accept, 'text', 'html');
  return html > 0 && html > quality(accept, 'application', 'json');
}

/** Where results are loaded from and uploads sent to (see `linkOrigins` in src/media/media-links.ts). */
export interface PageOrigins {
  media: readonly string[];
  uploads: readonly string[];
}

export function contentSecurityPolicy(origins: PageOrigins): string {
  const list = (values: readonly string[]) => values.map((v) => ` ${v}`).join('');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' blob:${list(origins.media)}`,
    `media-src 'self' blob:${list(origins.media)}`,
    `connect-src 'self'${list(origins.uploads)}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The headers the page and every asset carry. */
export function pageHeaders(origins: PageOrigins): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(origins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'x-frame-options': 'DENY',
  };
}

/**
 * Web chat page benchmark (issue 14), in Debian's Chromium (headless, playwright-core) against one built server
 * process (`higgsbot start --role all`, WEB_ENABLED, PUBLIC_URL its own URL, the offline recommender, the
 * Higgsfield simulator in this process, a fresh PostgreSQL database, Redis on 127.0.0.1 under a prefix of its own,
 * WEB_ANONYMOUS_USER so the page signs itself in as in the demo):
 *  1. page weight: the built JavaScript and CSS (dist/web, as the server sends them), raw and gzipped (level 9,
 *     what a compressing proxy in front would send; the server itself sends them uncompressed);
 *  2. time to interactive: N cold loads (a fresh browser context each: empty cache and storage), from the
 *     navigation's start to the composer's textarea being there, enabled and focusable (polled every animation
 *     frame in the page, on the page's own clock); with the first contentful paint and the load event beside it;
 *  3. Generate → status: N times, in one page, a new chat, a message, then Generate pressed in the page (the
 *     button's click()), timed on the page's clock to the frame in which the generation's role=status first shows
 *     the server's event (queued / sent / rendering / done), and to the first status text of any kind.
 * Bounded: fixed counts and an overall limit (3 min; quick 90 s). Everything started is stopped and removed
 * however the run ends. A full run writes the `web-page` section of bench/RESULTS.md; a quick one (N = 3) prints.
 *
 *   npx tsx bench/web-page.bench.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../test/browser/support/chromium.js';
import { staleWebSource } from '../test/support/build-global-setup.js';
import { isEntry } from './entry.js';
import { assertLoopbackRedis, REDIS_URL, ROOT } from './environment.js';
import { ms, sec } from './format.js';
import { recordResults } from './results-file.js';
import { Scope } from './scope.js';
import { waitFor, withTimeout } from './waits.js';
import { startWebRig } from './web-rig.js';

const benchStarted = performance.now();
const log = (line: string) =>
  console.log(`[web-page bench ${((performance.now() - benchStarted) / 1_000).toFixed(1).padStart(5)} s] ${line}`);

interface Weight {
  file: string;
  raw: number;
  gzip: number;
  /** What the server sends a browser that accepts brotli: the build's precompressed `.br` beside the file. */
  brotli: number | undefined;
}

interface PageWeight {
  html: Weight;
  js: Weight;
  css: Weight;
}

interface Load {
  interactiveMs: number;
  fcpMs: number | undefined;
  domContentLoadedMs: number;
  loadMs: number;
  requests: number;
}

interface GenerateTiming {
  /** Click → the frame in which role=status shows the server's first event. */
  eventMs: number;
  /** Click → the frame in which a role=status with any text first shows. */
  anyStatusMs: number;
  state: string;
}

/** Nearest rank, as bench/stats.ts: the smallest sample with at least p % at or below it. */
function rank(values: readonly number[], p: number): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function weigh(file: string): Weight {
  const bytes = readFileSync(join(ROOT, 'dist/web', file));
  const brotli = (() => {
    try {
      return statSync(join(ROOT, 'dist/web', `${file}.br`)).size;
    } catch {
      return undefined; // index.html is sent as it is; older builds wrote no .br
    }
  })();
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli };
}

export function pageWeight(): PageWeight {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'dist/web/manifest.json'), 'utf8')) as {
    js: string;
    css: string;
  };
  return { html: weigh('index.html'), js: weigh(manifest.js), css: weigh(manifest.css) };
}

/** The web bundle rebuilt (`node scripts/build-web.mjs`) when web/ is newer than it or it is missing. */
function ensureWebBuilt(): string {
  const stale = staleWebSource(ROOT);
  if (stale === undefined && existsSync(join(ROOT, 'dist/web/index.html'))) return 'dist/web up to date (not rebuilt)';
  log(`building dist/web (${stale ?? 'dist/web/index.html is missing'} is newer)…`);
  const started = performance.now();
  const result = spawnSync(process.execPath, ['scripts/build-web.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`node scripts/build-web.mjs failed (status ${result.status})`);
  return `dist/web built with node scripts/build-web.mjs in ${sec(performance.now() - started)}`;
}

/**
 * In the page: resolves with performance.now() at the first animation frame in which the composer's textarea is
 * there, enabled and visible. (A string run by the driver, not eval'd by the page, so the page's CSP allows it.)
 */
const UNTIL_INTERACTIVE = `new Promise((resolve, reject) => {
  const deadline = performance.now() + 20000;
  const frame = () => {
    const t = document.querySelector('form[aria-label="Message composer"] textarea');
    if (t && !t.disabled && t.offsetParent !== null) return resolve(performance.now());
    if (performance.now() > deadline) return reject(new Error('the composer did not become usable in 20 s'));
    requestAnimationFrame(frame);
  };
  frame();
})`;

async function coldLoad(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    let requests = 0;
    page.on('request', () => {
      requests += 1;
    });
    await page.goto(url, { waitUntil: 'commit' });
    const interactiveMs = await page.evaluate<number>(UNTIL_INTERACTIVE);
    const focusable = await page.evaluate<boolean>(`(() => {
      const t = document.querySelector('form[aria-label="Message composer"] textarea');
      t.focus();
      return document.activeElement === t;
    })()`);
    if (!focusable) throw new Error('the composer textarea did not take the focus');
    await page.waitForLoadState('load');
    const timing = await page.evaluate<{ fcp: number | undefined; dcl: number; load: number }>(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return { fcp: fcp ? fcp.startTime : undefined, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
    })()`);
    return { interactiveMs, fcpMs: timing.fcp, domContentLoadedMs: timing.dcl, loadMs: timing.load, requests };
  } finally {
    await context.close();
  }
}

/** In the page: press Generate `label` and time, per animation frame, until its status shows. */
const PRESS_AND_TIME = `(label) => new Promise((resolve, reject) => {
  // The server's status lines (src/adapters/shared/message-text.ts), not a placeholder the page shows at once.
  const EVENT_TEXT = /: (queued \\(position|sent to Higgsfield|rendering|posting the result|done)/;
  const cards = () => [...document.querySelectorAll('article[aria-label="Generation ' + label + '"]')];
  const before = new Set(cards());
  const button = [...document.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Generate ' + label);
  if (!button) return reject(new Error('no Generate button for ' + label));
  const t0 = performance.now();
  let anyStatusMs;
  const deadline = t0 + 20000;
  const frame = () => {
    const card = cards().find((c) => !before.has(c));
    const status = card && card.querySelector('[role="status"]');
    const text = status ? status.textContent.trim() : '';
    const now = performance.now();
    if (text && anyStatusMs === undefined) anyStatusMs = now - t0;
    const state = card ? card.getAttribute('data-state') : null;
    if (EVENT_TEXT.test(text)) return resolve({ eventMs: now - t0, anyStatusMs, state });
    if (now > deadline) return reject(new Error('no status within 20 s: ' + (card ? card.outerHTML.slice(0, 300) : 'no card')));
    requestAnimationFrame(frame);
  };
  button.click();
  requestAnimationFrame(frame);
})`;

async function generateToStatus(page: Page, i: number): Promise<GenerateTiming> {
  const seen: string[] = [];
  const onReq = (r: { method(): string; url(): string }) => void seen.push(`${r.method()} ${r.url()}`);
  page.on('request', onReq);
  try {
    return await generateOnce(page, i);
  } catch (error) {
    console.error(seen.join('\n'));
    throw error;
  } finally {
    page.off('request', onReq);
  }
}

async function generateOnce(page: Page, i: number): Promise<GenerateTiming> {
  const replies = page.getByRole('article', { name: 'Higgsbot replied' });
  const url = page.url();
  await page.getByRole('button', { name: 'New chat', exact: true }).click();
  if (!(await waitFor(async () => page.url() !== url && /#\/chats\/.+/.test(page.url()), 10_000, 20))) {
    throw new Error(`"New chat" opened no new chat (still ${page.url()})`);
  }
  // The new chat's empty transcript, not the last one's still on screen.
  if (!(await waitFor(async () => (await page.locator('[role="log"] article').count()) === 0, 10_000, 20))) {
    throw new Error('the new chat does not show an empty transcript');
  }
  const composer = page.getByLabel('Describe what you want to see');
  await composer.fill(`a lantern-lit harbour at night, take ${i + 1}`);
  await composer.press('Enter');
  if (!(await waitFor(async () => (await replies.count()) > 0, 20_000, 20))) {
    throw new Error(`no reply at ${page.url()}: ${await page.locator('main').ariaSnapshot()}`);
  }
  const button = page.getByRole('button', { name: /^Generate / }).last();
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  const label = ((await button.getAttribute('aria-label')) ?? '').replace(/^Generate /, '');
  const timing = await page.evaluate<GenerateTiming>(`(${PRESS_AND_TIME})(${JSON.stringify(label)})`);
  // Each press starts from an empty queue: the result is in before the next one.
  const card = page.locator('article.generation').last();
  if (!(await waitFor(async () => (await card.getAttribute('data-state')) === 'done', 20_000, 50))) {
    throw new Error(`generation ${i + 1} did not finish in 20 s`);
  }
  return timing;
}

interface RunInput {
  quick: boolean;
  weight: PageWeight;
  loads: Load[];
  generates: GenerateTiming[];
  chromium: string;
  buildNote: string;
  runMs: number;
}

function summaryRow(name: string, values: readonly number[]): string {
  return `| ${name} | ${ms(rank(values, 50))} | ${ms(rank(values, 90))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`;
}

export function report(input: RunInput): string {
  const { weight: w, loads, generates } = input;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const br = (w: Weight) => (w.brotli === undefined ? 'not built' : kb(w.brotli));
  const cpus = os.cpus();
  const fcps = loads.map((l) => l.fcpMs).filter((v): v is number => v !== undefined);
  const states = [...new Set(generates.map((g) => g.state))].join(', ');
  return `## Web chat page benchmark results

Generated by \`npx tsx bench/web-page.bench.ts${input.quick ? ' --quick' : ''}\` on ${new Date().toISOString()} (the run took ${sec(input.runMs)}): ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}, ${input.chromium} headless (playwright-core, Debian's chromium, --disable-gpu). One machine shared by everything: the server under test, this process (Chromium's driver and the Higgsfield simulator), Chromium, Redis and PostgreSQL, all on 127.0.0.1. ${input.buildNote}.

### Page weight (dist/web)

| File | Raw | Gzipped (level 9) | Sent (brotli, precompressed by the build) |
| --- | --- | --- | --- |
| JavaScript \`${w.js.file}\` | ${kb(w.js.raw)} | **${kb(w.js.gzip)}** | ${br(w.js)} |
| CSS \`${w.css.file}\` | ${kb(w.css.raw)} | **${kb(w.css.gzip)}** | ${br(w.css)} |
| HTML \`index.html\` | ${kb(w.html.raw)} | ${kb(w.html.gzip)} | ${kb(w.html.raw)} (sent as it is) |
| All three | ${kb(w.js.raw + w.css.raw + w.html.raw)} | ${kb(w.js.gzip + w.css.gzip + w.html.gzip)} | ${kb((w.js.brotli ?? w.js.raw) + (w.css.brotli ?? w.css.raw) + w.html.raw)} |

The assets are sent precompressed (the build writes \`.br\` and \`.gz\` beside each; @fastify/static picks the one the browser accepts) and are immutable (cached a year, hashed names), so only \`index.html\` (no-cache) is fetched again on a warm visit.

### Time to interactive, cold loads (N = ${loads.length})

Each load in a fresh browser context (empty cache and storage), the demo's keyless sign-in (WEB_ANONYMOUS_USER). Times on the page's clock from the navigation's start; "interactive" = the composer's textarea exists, is enabled and visible (checked every animation frame) and then takes the focus.

| From navigation start to | Median | p90 | Min | Max |
| --- | --- | --- | --- | --- |
${summaryRow(
  '**composer textarea enabled (interactive)**',
  loads.map((l) => l.interactiveMs),
)}
${summaryRow('first contentful paint', fcps)}
${summaryRow(
  'DOMContentLoaded end',
  loads.map((l) => l.domContentLoadedMs),
)}
${summaryRow(
  'load event end',
  loads.map((l) => l.loadMs),
)}

Requests per cold load (page, assets, API calls made by then): ${[...new Set(loads.map((l) => l.requests))].join(' / ')}.

### Generate → status on screen (N = ${generates.length})

In one page: a new chat, a message (the offline recommender's options), then the option's Generate button pressed in the page; timed on the page's clock to the animation frame in which the new generation's role=status shows. The simulator queues nothing (a render takes 250 ms), so the first event shown was: ${states}.

| From pressing Generate to | Median | p90 | Min | Max |
| --- | --- | --- | --- | --- |
${summaryRow(
  '**the status showing the server’s event**',
  generates.map((g) => g.eventMs),
)}
${summaryRow(
  'any status text in the new card',
  generates.map((g) => g.anyStatusMs),
)}
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const quick = values.quick ?? false;
  const n = quick ? 3 : 10;
  const scope = new Scope();
  const limitMs = quick ? 90_000 : 180_000;
  try {
    await withTimeout(run(scope, quick, n), limitMs, `the web page benchmark (limit ${sec(limitMs)})`);
  } finally {
    const problems = await scope.close();
    if (problems.length) console.error(`clean-up problems:\n${problems.join('\n')}`);
  }
}

async function run(scope: Scope, quick: boolean, n: number): Promise<void> {
  assertLoopbackRedis(REDIS_URL);
  const webNote = ensureWebBuilt();
  const weight = pageWeight();
  log(`page weight: js ${weight.js.raw} B (${weight.js.gzip} B gz), css ${weight.css.raw} B (${weight.css.gzip} B gz)`);

  // The demo's set-up on a built bot: keyless sign-in, results on its own origin.
  const rig = await startWebRig(scope, log, {
    name: 'webpage',
    env: (origin) => ({
      PUBLIC_URL: origin,
      MEDIA_LINK_SECRET: randomBytes(24).toString('hex'),
      WEB_ANONYMOUS_USER: 'bench',
      USER_MAX_ACTIVE: '100',
    }),
  });
  const { origin } = rig;
  const buildNote = `${rig.buildNote}; ${webNote}`;

  const browser = await launchBrowser();
  scope.defer('chromium', () => browser.close());
  const url = `${origin}/`;
  // One load to warm the server's own caches (file reads, JIT), not counted.
  await coldLoad(browser, url);
  const loads: Load[] = [];
  for (let i = 0; i < n; i += 1) {
    loads.push(await coldLoad(browser, url));
    log(`cold load ${i + 1}/${n}: interactive at ${Math.round(loads.at(-1)!.interactiveMs)} ms`);
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  scope.defer('context', () => context.close());
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate<number>(UNTIL_INTERACTIVE);
  await generateToStatus(page, -1); // warm-up, not counted
  const generates: GenerateTiming[] = [];
  for (let i = 0; i < n; i += 1) {
    generates.push(await generateToStatus(page, i));
    log(
      `generate ${i + 1}/${n}: status (${generates.at(-1)!.state}) after ${Math.round(generates.at(-1)!.eventMs)} ms`,
    );
  }

  const markdown = report({
    quick,
    weight,
    loads,
    generates,
    chromium: `Chromium ${browser.version()}`,
    buildNote,
    runMs: performance.now() - benchStarted,
  });
  console.log(`\n${markdown}`);
  log(await recordResults('web-page', markdown, { quick }));
}

if (isEntry(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * A real browser for the browser specs: Debian's Chromium (/usr/bin/chromium) driven by playwright-core, headless,
 * as root (`--no-sandbox`) and with its background networking off, one browser per spec file and a fresh context
 * (no storage, no cache) per test. Every page is watched:
 *  - console errors, uncaught page errors, Content-Security-Policy violations (the `securitypolicyviolation`
 *    event, reported through a binding, and Chromium's "Refused to …" console lines) and dialogs (an `alert()`
 *    an injected script would open) are collected, so a spec asserts `problems()` is empty;
 *  - every request the page makes must go to 127.0.0.1 (or be a blob: URL): anything else is aborted before it
 *    leaves and recorded, and the test fails in afterEach.
 * `screenshot(page, name)` writes artifacts/screenshots/<name>.png (a failed test also gets one per open page).
 *
 * Non-obvious: Chromium logs every 4xx/5xx answer as a console error ("Failed to load resource: … status of
 * 401"); those are the product's ordinary answers (a refused key, say), so they are kept apart as
 * `httpErrors` and are not problems.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { launchBrowser } from './chromium.js';

const ROOT = resolve(import.meta.dirname, '../../..');
export const SCREENSHOTS = join(ROOT, 'artifacts/screenshots');

/** What went wrong on the pages of one context. */
export interface PageWatch {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
  dialogs: string[];
  /** "Failed to load resource" console lines: the server's 4xx/5xx answers, expected in some specs. */
  httpErrors: string[];
  /** Every request URL, in order. */
  requests: string[];
  /** Requests to anywhere but 127.0.0.1, aborted. */
  foreignRequests: string[];
  /** Console errors, page errors, CSP violations and dialogs, each prefixed with its kind. */
  problems(): string[];
}

export interface ContextOptions {
  viewport?: { width: number; height: number };
  /** Chromium's device emulation for a phone: touch, a device scale factor. */
  isMobile?: boolean;
}

export interface OpenedContext {
  context: BrowserContext;
  page: Page;
  watch: PageWatch;
}

const FAILED_RESOURCE = /^Failed to load resource: /;
const CSP_CONSOLE = /Content Security Policy|Refused to (load|execute|apply|connect|frame)/i;

function isAllowed(url: string): boolean {
  if (url.startsWith('blob:') || url === 'about:blank') return true;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'ws:') && parsed.hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

/** Sent by the page's init script for each `securitypolicyviolation` event. */
const CSP_BINDING = '__higgsbotCspViolation';
const CSP_INIT = `document.addEventListener('securitypolicyviolation', (e) => {
  try { window.${CSP_BINDING}(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber); } catch {}
});`;

function watchPage(page: Page, watch: PageWatch): void {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (FAILED_RESOURCE.test(text)) watch.httpErrors.push(`${text} (${message.location().url})`);
    else if (CSP_CONSOLE.test(text)) watch.cspViolations.push(text);
    else watch.consoleErrors.push(text);
  });
  page.on('pageerror', (error) => watch.pageErrors.push(`${error.name}: ${error.message}`));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
}

export async function openContext(browser: Browser, options: ContextOptions = {}): Promise<OpenedContext> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...(options.isMobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    serviceWorkers: 'block',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const watch: PageWatch = {
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    dialogs: [],
    httpErrors: [],
    requests: [],
    foreignRequests: [],
    problems() {
      return [
        ...this.consoleErrors.map((t) => `console: ${t}`),
        ...this.pageErrors.map((t) => `pageerror: ${t}`),
        ...this.cspViolations.map((t) => `csp: ${t}`),
        ...this.dialogs.map((t) => `dialog: ${t}`),
      ];
    },
  };
  // Only requests that would leave the machine are intercepted (and aborted); the rest go untouched.
  await context.route(
    (url) => !isAllowed(url.href),
    async (route) => {
      watch.foreignRequests.push(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  context.on('request', (request) => {
    const url = request.url();
    watch.requests.push(url);
    if (!isAllowed(url) && !watch.foreignRequests.includes(url)) watch.foreignRequests.push(url);
  });
  await context.exposeBinding(CSP_BINDING, (_source, text: string) => void watch.cspViolations.push(text));
  await context.addInitScript({ content: CSP_INIT });
  context.on('page', (page) => watchPage(page, watch));
  const page = await context.newPage();
  return { context, page, watch };
}

/** artifacts/screenshots/<name>.png, the whole page; resolves with the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface BrowserSuite {
  /** The spec file's browser (launched in beforeAll). */
  readonly browser: Browser;
  /** A fresh context and page, closed after the test; its requests are checked in afterEach. */
  open(options?: ContextOptions): Promise<OpenedContext>;
}

/**
 * Registers the file's hooks: one browser for the file, a fresh context per `open`, closed after each test; a
 * test whose pages asked for anything but 127.0.0.1 fails; a failed test leaves a screenshot of each page.
 */
export function browserSuite(): BrowserSuite {
  let browser: Browser | undefined;
  let opened: OpenedContext[] = [];
  let testName = 'test';

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(({ task }) => {
    testName = task.name;
  });
  afterEach(async ({ task }) => {
    const contexts = opened;
    opened = [];
    // The test's own errors are on its result by the time its afterEach hooks run.
    if (task.result?.state === 'fail' || (task.result?.errors?.length ?? 0) > 0) {
      let n = 0;
      for (const { context } of contexts) {
        for (const page of context.pages()) {
          n += 1;
          await screenshot(page, `failed-${testName.slice(0, 60)}-${n}`).catch(() => undefined);
        }
      }
    }
    const foreign = contexts.flatMap(({ watch }) => watch.foreignRequests);
    await Promise.all(contexts.map(({ context }) => context.close().catch(() => undefined)));
    if (foreign.length > 0) throw new Error(`the page asked for something off 127.0.0.1: ${foreign.join(', ')}`);
  });

  return {
    get browser() {
      if (!browser) throw new Error('browserSuite: the browser is not launched yet (use it inside a test)');
      return browser;
    },
    async open(options) {
      if (!browser) throw new Error('browserSuite: the browser is not launched yet (use it inside a test)');
      const context = await openContext(browser, options);
      opened.push(context);
      return context;
    },
  };
}

/**
 * What a person or the model wrote is shown as text, never run or parsed as HTML: markup and script in a prompt
 * (which the model echoes into its options) and in a chat title appear literally, no element is injected, no
 * dialog opens, no script runs and nothing breaks the Content-Security-Policy. The page's own headers are the
 * strict policy of the contract; a result linked on a foreign origin is never loaded (the page says it is stored
 * elsewhere). And the gallery finds a person's results by a word of their prompt.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisWebEventLog } from '../../src/adapters/web/redis-web-event-log.js';
import { silentLogger } from '../../src/log.js';
import { createRedis } from '../../src/queue/redis.js';
import { printChildLogsOnFailure } from '../e2e/support/report.js';
import { browserSuite, screenshot } from './support/browser.js';
import { type BrowserWorld, OPTION_LABELS, startBrowserWorld } from './support/browser-world.js';
import { ChatPage, loadedImage, UI_TIMEOUT_MS, visible } from './support/chat-page.js';

printChildLogsOnFailure();
const browsers = browserSuite();
let w: BrowserWorld;
let key: string;
let redis: Redis | undefined;

beforeAll(async () => {
  w = await startBrowserWorld({ name: 'browser-safety' });
  key = await w.newKey('mallory');
}, 90_000);

afterAll(async () => {
  redis?.disconnect();
  await w?.close();
});

const XSS_PROMPT = `<img src=x onerror="window.__xss='img';alert('img')"> <script>window.__xss='script';alert('script')</script> <b>bold</b> fox`;
const XSS_TITLE = `<img src=y onerror="alert('title')"><svg onload="alert('svg')"></svg>Foxes & "friends"`;

async function signedIn() {
  const opened = await browsers.open();
  const chat = new ChatPage(opened.page);
  await chat.open(w.url);
  await chat.signIn(key);
  return { ...opened, chat };
}

/** No injected element anywhere in the document, no script ran, no request for the injected sources. */
async function assertNothingInjected(chat: ChatPage, requests: string[]): Promise<void> {
  const page = chat.page;
  expect(await page.locator('img[src="x"], img[src="y"]').count()).toBe(0);
  expect(await page.locator('svg[onload]').count()).toBe(0);
  expect(await page.locator('[onerror], [onload]').count()).toBe(0);
  expect(await chat.log.locator('script, b').count()).toBe(0);
  expect(await page.locator('body script').count()).toBe(0);
  expect(await page.evaluate<unknown>('window.__xss')).toBeUndefined();
  expect(requests.filter((url) => /\/(x|y)$/.test(new URL(url).pathname))).toEqual([]);
}

describe('the web chat renders what people and the model wrote as text', () => {
  it('markup and script in a prompt (and in the options that echo it) appear literally and never run', async () => {
    const { chat, watch } = await signedIn();
    await chat.newChat();
    await chat.ask(XSS_PROMPT, OPTION_LABELS);
    await visible(chat.userMessages().filter({ hasText: XSS_PROMPT }));
    // The model echoed the words into its options' prompts: shown as text there too.
    await visible(chat.option(OPTION_LABELS[0]).getByText(`${XSS_PROMPT}, warm rim light`));
    // And through a generation: the alt text and the status carry the prompt as text.
    await chat.generateButton(OPTION_LABELS[0]).click();
    const generation = chat.generations(OPTION_LABELS[0]).last();
    await chat.untilState(generation, 'done', 30_000);
    const image = generation.getByRole('img');
    await loadedImage(image);
    expect(await image.getAttribute('alt')).toBe(`${OPTION_LABELS[0]}: ${XSS_PROMPT}, warm rim light`);
    await screenshot(chat.page, 'xss-prompt');

    await assertNothingInjected(chat, watch.requests);
    expect(watch.dialogs).toEqual([]);
    expect(watch.problems()).toEqual([]);
  }, 60_000);

  it('markup in a chat title, renamed in the list, stays text there and after a reload', async () => {
    const { page, chat, watch } = await signedIn();
    await chat.newChat();
    const current = chat.chatList.getByRole('listitem').filter({ has: page.locator('a[aria-current="page"]') });
    await visible(current);
    await current.getByRole('button', { name: /^Rename chat / }).click();
    const input = chat.chatList.getByLabel('Chat title');
    await visible(input);
    await input.fill(XSS_TITLE);
    await input.press('Enter');
    await visible(chat.chatLink(XSS_TITLE));
    await visible(chat.chatList.getByRole('button', { name: `Delete chat ${XSS_TITLE}`, exact: true }));
    await assertNothingInjected(chat, watch.requests);

    await page.reload({ waitUntil: 'domcontentloaded' });
    await visible(chat.chatLink(XSS_TITLE));
    expect(await chat.chatLink(XSS_TITLE).textContent()).toContain(XSS_TITLE);
    await assertNothingInjected(chat, watch.requests);
    expect(watch.dialogs).toEqual([]);
    expect(watch.problems()).toEqual([]);
  }, 45_000);

  it('the page and its assets carry the strict Content-Security-Policy and the other safety headers', async () => {
    const { page, watch } = await browsers.open();
    const response = await page.goto(w.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    const csp = headers['content-security-policy'] ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...values]) => [name as string, values]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(expect.arrayContaining(["'self'", 'blob:']));
    expect(directives.get('media-src')).toEqual(expect.arrayContaining(["'self'", 'blob:']));
    expect(directives.get('connect-src')).toContain("'self'");
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    // Media only from our own origin (PUBLIC_URL is the bot's own; no S3 here).
    for (const source of [...(directives.get('img-src') ?? []), ...(directives.get('media-src') ?? [])]) {
      expect(["'self'", 'blob:', w.origin]).toContain(source);
    }
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-type']).toMatch(/^text\/html/);

    // No inline script or style in the document; the assets come from /assets with the same policy.
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(await page.locator('style').count()).toBe(0);
    expect(await page.locator('[style]').count()).toBe(0);
    const script = await page.locator('script[src]').first().getAttribute('src');
    expect(script).toMatch(/^\/?assets\/app-[\w-]+\.js$/);
    const asset = await fetch(new URL(script ?? '', w.url));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-security-policy')).toBe(csp);
    // JSON clients still get the health answer at /.
    const health = await fetch(w.url, { headers: { accept: 'application/json' } });
    expect(health.headers.get('content-type')).toMatch(/json/);
    expect(watch.problems()).toEqual([]);
  }, 30_000);

  it('a result linked on a foreign origin is never loaded: “This result is stored elsewhere”', async () => {
    const { chat, watch } = await signedIn();
    const chatId = await chat.newChat();
    // An event as the web publisher writes it, but its media on someone else's host.
    redis = createRedis(w.world.redisUrl, 'worker');
    const events = createRedisWebEventLog({
      redis,
      reader: () => createRedis(w.world.redisUrl, 'worker'),
      prefix: w.world.prefix,
      logger: silentLogger(),
    });
    await events.append({
      type: 'done',
      generation_id: 'gen-foreign-1',
      chat_id: chatId,
      label: 'Foreign still',
      model: 'nano-banana',
      text: '✅ Foreign still: done',
      actions: ['reroll'],
      media: [{ url: 'https://media.example.com/evil.png', content_type: 'image/png', width: 64, height: 64 }],
      at: new Date().toISOString(),
    });
    await events.close();

    const card = chat.generations('Foreign still');
    await visible(card, UI_TIMEOUT_MS);
    await visible(card.getByText('This result is stored elsewhere'));
    expect(await card.getByRole('img').count()).toBe(0);
    expect(watch.requests.filter((url) => url.includes('media.example.com'))).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.problems()).toEqual([]);
  }, 30_000);
});

describe('the gallery', () => {
  it('search finds a result by a word of its prompt and only that; an unknown word says “No results”', async () => {
    const sam = await w.newKey('sam');
    const opened = await browsers.open();
    const chat = new ChatPage(opened.page);
    await chat.open(w.url);
    await chat.signIn(sam);
    for (const request of ['a blue whale breaching at dawn', 'a desert cactus in bloom']) {
      await chat.newChat();
      await chat.ask(request, OPTION_LABELS);
      await chat.generateButton(OPTION_LABELS[1]).click();
      await chat.untilState(chat.generations(OPTION_LABELS[1]).last(), 'done', 30_000);
    }
    await chat.views.getByRole('link', { name: 'Gallery' }).click();
    await visible(chat.gallery);
    const figures = chat.gallery.getByRole('figure');
    await expect.poll(() => figures.count(), { timeout: UI_TIMEOUT_MS }).toBe(2);

    await chat.search.fill('whale');
    await expect.poll(() => figures.count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    await visible(figures.first().getByText(/a blue whale breaching at dawn/));
    await loadedImage(figures.first().getByRole('img'));
    expect(await chat.gallery.getByText('cactus').count()).toBe(0);
    await screenshot(chat.page, 'gallery-search');

    await chat.search.fill('zebra');
    await chat.search.press('Enter');
    await visible(chat.gallery.getByText('No results for “zebra”.'));
    await expect.poll(() => figures.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    expect(opened.watch.problems()).toEqual([]);
  }, 60_000);
});

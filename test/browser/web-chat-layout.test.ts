/**
 * The web chat for everyone: at phone width (390 × 844) it fits without sideways scrolling, the chat list opens
 * behind "Show chats" and the composer works; with the keyboard alone a person signs in, creates a chat, sends a
 * message and presses Generate and Re-roll, with a visible focus ring; every control has an accessible name.
 * Errors read as words: a key revoked while the page is open brings back the sign-in screen saying so, going
 * offline says so, and a server that went away says it cannot be reached.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAIL_MESSAGE } from '../../src/higgsfield/simulator/index.js';
import { printChildLogsOnFailure } from '../e2e/support/report.js';
import { browserSuite, screenshot } from './support/browser.js';
import { type BrowserWorld, OPTION_LABELS, startBrowserWorld } from './support/browser-world.js';
import {
  ChatPage,
  hidden,
  KEY_REVOKED,
  loadedImage,
  UI_TIMEOUT_MS,
  UNREACHABLE,
  visible,
} from './support/chat-page.js';

printChildLogsOnFailure();
const browsers = browserSuite();
let w: BrowserWorld;
let key: string;

beforeAll(async () => {
  w = await startBrowserWorld({ name: 'browser-layout' });
  key = await w.newKey('lena');
}, 90_000);

afterAll(async () => {
  await w?.close();
});

const PHONE = { width: 390, height: 844 };
const OFFLINE = 'You are offline. Higgsbot will reconnect when your connection is back.';

interface Focused {
  tag: string;
  name: string;
  focusVisible: boolean;
  /** A visible ring: an outline wider than 0, or a box shadow. */
  ring: boolean;
}

/** The focused element: its tag, its accessible name as the page gives it, and whether a focus ring shows. */
function focused(page: Page): Promise<Focused | null> {
  return page.evaluate<Focused | null>(`(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const labelled = e.getAttribute('aria-labelledby');
    const name =
      e.getAttribute('aria-label') ||
      (labelled ? labelled.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '') ||
      (e.labels && e.labels[0] ? e.labels[0].textContent : '') ||
      e.textContent || '';
    const style = getComputedStyle(e);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    return { tag: e.tagName.toLowerCase(), name: name.trim(), focusVisible: e.matches(':focus-visible'), ring };
  })()`);
}

/** Presses Tab until the focused element's name matches (at most `max` presses); resolves with it. */
async function tabTo(page: Page, name: string | RegExp, max = 60): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    seen.push(now ? `${now.tag} "${now.name}"` : 'body');
    if (now && (typeof name === 'string' ? now.name === name : name.test(now.name))) return now;
  }
  throw new Error(`Tab never reached ${String(name)}; it went through: ${seen.join(' → ')}`);
}

/** Roles of controls in an ARIA snapshot that came without a name (`- button` rather than `- button "Send"`). */
function unnamedControls(snapshot: string): string[] {
  return snapshot
    .split('\n')
    .filter((line) =>
      /^\s*- (button|link|textbox|searchbox|checkbox|radio|combobox|switch|slider|spinbutton)\b/.test(line),
    )
    .filter((line) => !/^\s*- \w+ "[^"]*\S[^"]*"/.test(line) && !/^\s*- \w+ \/.+\//.test(line));
}

/** Every button, link and form field in the DOM, visible or not, with the name the page gives it. */
async function controlsWithoutName(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    for (const e of document.querySelectorAll('button, a[href], input, textarea, select, [role="button"]')) {
      const labelled = e.getAttribute('aria-labelledby');
      const name =
        e.getAttribute('aria-label') ||
        (labelled ? labelled.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '') ||
        (e.labels && e.labels[0] ? e.labels[0].textContent : '') ||
        e.getAttribute('title') ||
        (e.tagName === 'INPUT' ? '' : e.textContent) || '';
      if (!name.trim()) out.push(e.outerHTML.slice(0, 160));
    }
    return out;
  })()`);
}

async function allNamed(page: Page, state: string): Promise<void> {
  expect(unnamedControls(await page.locator('body').ariaSnapshot()), `unnamed in the ARIA tree (${state})`).toEqual([]);
  expect(await controlsWithoutName(page), `controls without a name (${state})`).toEqual([]);
}

describe('the web chat at phone width and with the keyboard alone', () => {
  it('at 390 × 844: no sideways scroll, “Show chats” opens and closes the list, the composer asks, tap targets ≥ 40 px', async () => {
    const { page, watch } = await browsers.open({ viewport: PHONE, isMobile: true });
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await visible(chat.signInHeading);
    let widths = await chat.widths();
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    await chat.signIn(key);
    const toggle = page.getByRole('button', { name: 'Show chats' });
    await visible(toggle);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await hidden(chat.newChatButton);

    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const controls = await toggle.getAttribute('aria-controls');
    expect(controls).toBeTruthy();
    await visible(page.locator(`[id="${controls}"]`));
    await visible(chat.newChatButton);
    await chat.newChat();
    await screenshot(page, 'phone-chats');

    if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
    await visible(chat.textarea);
    await chat.ask('a tiny robot watering plants', OPTION_LABELS);
    widths = await chat.widths();
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    for (const control of [toggle, chat.sendButton, chat.generateButton(OPTION_LABELS[0])]) {
      const box = await control.boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(40);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(PHONE.width);
    }
    await screenshot(page, 'phone-options');

    // Choosing a chat in the list closes it.
    await toggle.click();
    const current = chat.chatList.locator('a[aria-current="page"]');
    await visible(current);
    await current.click();
    await expect.poll(() => toggle.getAttribute('aria-expanded'), { timeout: UI_TIMEOUT_MS }).toBe('false');
    await hidden(chat.newChatButton);
    await visible(chat.option(OPTION_LABELS[0]));
    expect(watch.problems()).toEqual([]);
  }, 45_000);

  it('keyboard only: Tab, Enter and Space sign in, create a chat, send, press Generate and then Re-roll', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await visible(chat.signInHeading);
    await allNamed(page, 'sign-in');

    await tabTo(page, 'API key');
    await page.keyboard.type(key);
    const signIn = await tabTo(page, 'Sign in');
    expect(signIn.focusVisible).toBe(true);
    expect(signIn.ring).toBe(true);
    await page.keyboard.press('Space');
    await visible(chat.newChatButton);

    const newChat = await tabTo(page, 'New chat');
    expect(newChat.focusVisible && newChat.ring).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => chat.chatIdFromUrl() ?? '', { timeout: UI_TIMEOUT_MS }).not.toBe('');
    // "New chat" may put the focus in the composer; else Tab gets there.
    if ((await focused(page))?.name !== 'Describe what you want to see') {
      await tabTo(page, 'Describe what you want to see');
    }
    const request = 'a snowy owl on a fence post';
    await page.keyboard.type(request);
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('at night');
    expect(await chat.textarea.inputValue()).toBe(`${request}\nat night`);
    await page.keyboard.press('Enter');
    await visible(chat.option(OPTION_LABELS[0]));
    await visible(chat.option(OPTION_LABELS[1]));

    const [still] = OPTION_LABELS;
    const generate = await tabTo(page, `Generate ${still}`);
    expect(generate.tag).toBe('button');
    expect(generate.ring).toBe(true);
    await page.keyboard.press('Space');
    const generation = chat.generations(still).last();
    await chat.untilState(generation, 'done', 30_000);
    await loadedImage(generation.getByRole('img'));

    await tabTo(page, `Re-roll ${still}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => chat.allGenerations().count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
    await chat.untilState(chat.allGenerations().nth(1), 'done', 30_000);

    await allNamed(page, 'chat with results');
    await chat.views.getByRole('link', { name: 'Gallery' }).click();
    await visible(chat.gallery);
    await visible(chat.gallery.getByRole('figure').first());
    await allNamed(page, 'gallery');
    expect(watch.problems()).toEqual([]);
  }, 60_000);
});

describe('readable errors', () => {
  it('a key revoked while the page is open: the next action shows the sign-in screen saying so', async () => {
    const victor = await w.newKey('victor');
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await chat.signIn(victor);
    await chat.newChat();

    await w.revokeKeysOf('victor');
    await chat.textarea.fill('a message after the key was revoked');
    await chat.textarea.press('Enter');
    await visible(chat.signInHeading);
    await visible(chat.alert(KEY_REVOKED));
    expect(await page.evaluate<string | null>("sessionStorage.getItem('higgsbot.key')")).toBeNull();
    await screenshot(page, 'key-revoked');
    expect(watch.problems()).toEqual([]);
  }, 45_000);

  it('a generation that fails says why, in an alert on its card, and offers Re-roll', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await chat.signIn(key);
    await chat.newChat();
    // The simulator fails any prompt with this marker; the fake's options carry the person's words.
    await chat.ask('a broken robot sim:fail', OPTION_LABELS);
    await chat.generateButton(OPTION_LABELS[1]).click();
    const generation = chat.generations(OPTION_LABELS[1]).last();
    await chat.untilState(generation, 'failed', 30_000);
    await visible(
      generation.getByRole('alert').filter({ hasText: `The generation failed at Higgsfield: ${FAIL_MESSAGE}` }),
    );
    await visible(generation.getByRole('button', { name: `Re-roll ${OPTION_LABELS[1]}` }));
    expect(await generation.getByRole('img').count()).toBe(0);
    await screenshot(page, 'failed');
    expect(watch.problems()).toEqual([]);
  }, 45_000);

  it('a rate-limited request says how long to wait: “Too many requests — try again in 7 s.”', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await chat.signIn(key);
    await chat.newChat();
    // The server's 429 as the limiter sends it, for this one message (the limiter itself has its own specs).
    await page.route(
      (url) => /\/chats\/[^/]+\/messages$/.test(url.pathname),
      (route) =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 429,
              headers: { 'content-type': 'application/json', 'retry-after': '7' },
              body: JSON.stringify({ detail: 'Too many requests: 60 per minute per key. Try again in 7 s.' }),
            })
          : route.fallback(),
      { times: 1 },
    );
    await chat.textarea.fill('one message too many');
    await chat.textarea.press('Enter');
    await visible(chat.banner('Too many requests — try again in 7 s.'));
    // What was typed is not lost.
    expect(await chat.textarea.inputValue()).toBe('one message too many');
    expect(watch.problems()).toEqual([]);
  }, 30_000);

  it('offline says so and clears when back; a bot that went away shows “cannot be reached … Retrying…”', async () => {
    const { context, page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await chat.signIn(key);
    await chat.newChat();

    await context.setOffline(true);
    await visible(chat.banner(OFFLINE));
    await context.setOffline(false);
    await hidden(chat.banner(OFFLINE));

    // The last test of the file: the bot stops for good.
    await w.bot.stop();
    await chat.textarea.fill('is anyone there?');
    await chat.textarea.press('Enter');
    await visible(chat.banner(UNREACHABLE), 20_000);
    await screenshot(page, 'unreachable');
    expect(watch.pageErrors).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  }, 45_000);
});

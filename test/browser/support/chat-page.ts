/**
 * The web chat as a person sees it, by the DOM contract of issue 14: every element is found by its role and
 * accessible name (or its label), never by a class or a test id, so a spec that passes says the page can be used
 * by those names (a screen reader's, a keyboard user's). Waits are on conditions with deadlines.
 *
 * The tsconfig has no DOM library: code that runs in the page is passed as a string expression.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const UI_TIMEOUT_MS = 15_000;

export const KEY_REFUSED = 'That key was not accepted';
export const KEY_REVOKED = 'Your key is no longer accepted — sign in again.';
export const UNREACHABLE = 'Higgsbot cannot be reached right now. Retrying…';

/** A small real PNG (the simulator's renderer), for uploads. */
export { renderPng } from '../../../src/higgsfield/simulator/index.js';

export class ChatPage {
  constructor(readonly page: Page) {}

  // ----- the screens -----
  get signInHeading(): Locator {
    return this.page.getByRole('heading', { name: 'Sign in to Higgsbot' });
  }
  get keyInput(): Locator {
    return this.page.getByLabel('API key');
  }
  get signInButton(): Locator {
    return this.page.getByRole('button', { name: 'Sign in', exact: true });
  }
  get signOutButton(): Locator {
    return this.page.getByRole('button', { name: 'Sign out' });
  }
  get chatList(): Locator {
    return this.page.getByRole('navigation', { name: 'Chat list' });
  }
  get newChatButton(): Locator {
    return this.page.getByRole('button', { name: 'New chat', exact: true });
  }
  get views(): Locator {
    return this.page.getByRole('navigation', { name: 'Views' });
  }
  get transcript(): Locator {
    return this.page.getByRole('region', { name: 'Transcript' });
  }
  get log(): Locator {
    return this.transcript.getByRole('log');
  }
  get composer(): Locator {
    return this.page.getByRole('form', { name: 'Message composer' });
  }
  get textarea(): Locator {
    return this.page.getByLabel('Describe what you want to see');
  }
  get sendButton(): Locator {
    return this.composer.getByRole('button', { name: 'Send', exact: true });
  }
  get fileInput(): Locator {
    return this.page.getByLabel('Image file');
  }
  get gallery(): Locator {
    return this.page.getByRole('region', { name: 'Gallery' });
  }
  get search(): Locator {
    return this.page.getByLabel('Search your results');
  }
  /** The page's banners and alerts (refused key, offline, errors). */
  alert(text: string | RegExp): Locator {
    return this.page.getByRole('alert').filter({ hasText: text });
  }
  banner(text: string | RegExp): Locator {
    return this.page.locator('.banner[role="alert"]').filter({ hasText: text });
  }

  // ----- the transcript -----
  userMessages(): Locator {
    return this.log.getByRole('article', { name: 'You said' });
  }
  replies(): Locator {
    return this.log.getByRole('article', { name: 'Higgsbot replied' });
  }
  option(label: string): Locator {
    return this.log.getByRole('article', { name: `Option ${label}`, exact: true });
  }
  generateButton(label: string): Locator {
    return this.page.getByRole('button', { name: `Generate ${label}`, exact: true });
  }
  generations(label: string): Locator {
    return this.log.getByRole('article', { name: `Generation ${label}`, exact: true });
  }
  /** Every generation card of the transcript, in order. */
  allGenerations(): Locator {
    return this.log.locator('article.generation');
  }
  chatLink(title: string): Locator {
    return this.chatList.getByRole('link', { name: title, exact: true });
  }

  // ----- actions -----
  async open(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'domcontentloaded' });
  }

  /** Signs in with `key` from the sign-in screen and waits for the app (its "Views" navigation). */
  async signIn(key: string): Promise<void> {
    await visible(this.signInHeading);
    await this.keyInput.fill(key);
    await this.signInButton.click();
    await hidden(this.signInHeading);
    await visible(this.views);
  }

  /** "New chat": makes a chat and opens it (its id in the hash); resolves with its id. */
  async newChat(): Promise<string> {
    const before = this.chatIdFromUrl();
    await this.newChatButton.click();
    await expect
      .poll(() => this.chatIdFromUrl() ?? before, { timeout: UI_TIMEOUT_MS, message: 'a new chat in the hash' })
      .not.toBe(before);
    // The transcript shown is the new, empty chat's (not the last one's, still on screen for a moment).
    await expect.poll(() => this.log.getByRole('article').count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    await visible(this.textarea);
    return this.chatIdFromUrl() as string;
  }

  /** The open chat's id, from the hash route `#/chats/<id>`. */
  chatIdFromUrl(): string | undefined {
    return /#\/chats\/([^/?#]+)/.exec(this.page.url())?.[1];
  }

  /** Types `text` in the composer and presses Enter; resolves once a new reply shows `labels` as options. */
  async ask(text: string, labels: readonly string[]): Promise<void> {
    const replies = await this.replies().count();
    await this.textarea.fill(text);
    await this.textarea.press('Enter');
    await expect.poll(() => this.replies().count(), { timeout: UI_TIMEOUT_MS }).toBe(replies + 1);
    for (const label of labels) await visible(this.option(label).last());
  }

  /** The `role=status` text of a generation (the last one of that label unless `index`). */
  statusOf(label: string, index?: number): Locator {
    const card = index === undefined ? this.generations(label).last() : this.generations(label).nth(index);
    return card.getByRole('status');
  }

  async stateOf(card: Locator): Promise<string | null> {
    return card.getAttribute('data-state');
  }

  /** Waits until the generation card is in `state` (its data-state). */
  async untilState(card: Locator, state: string | RegExp, timeout = UI_TIMEOUT_MS): Promise<void> {
    await expect
      .poll(async () => ((await card.count()) > 0 ? ((await card.getAttribute('data-state')) ?? '') : ''), { timeout })
      .toMatch(state);
  }

  /** `document.scrollingElement.scrollWidth` and `innerWidth`. */
  async widths(): Promise<{ scroll: number; inner: number }> {
    return this.page.evaluate<{ scroll: number; inner: number }>(
      '({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth })',
    );
  }
}

export async function visible(locator: Locator, timeout = UI_TIMEOUT_MS): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout });
}

export async function hidden(locator: Locator, timeout = UI_TIMEOUT_MS): Promise<void> {
  await locator.waitFor({ state: 'hidden', timeout });
}

/** An `<img>`'s natural size once it has loaded (0 × 0 until then, or when it cannot be decoded). */
export async function naturalSize(img: Locator): Promise<{ width: number; height: number; src: string }> {
  return img.evaluate((el) => {
    const image = el as unknown as { naturalWidth: number; naturalHeight: number; currentSrc: string };
    return { width: image.naturalWidth, height: image.naturalHeight, src: image.currentSrc };
  });
}

/** Waits for an image to have loaded (naturalWidth > 0); resolves with its size and URL. */
export async function loadedImage(img: Locator): Promise<{ width: number; height: number; src: string }> {
  await visible(img);
  await expect.poll(async () => (await naturalSize(img)).width, { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0);
  return naturalSize(img);
}

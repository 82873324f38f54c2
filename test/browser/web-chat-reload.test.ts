/**
 * The web chat keeps a person's place: a reload brings back the open chat (from the `#/chats/<id>` hash), its
 * messages and the result (replayed from the chat's event stream); chats are renamed and deleted (after asking)
 * for good; and a second tab on the same chat sees a generation started in the first one move through its states
 * live. Real Chromium against the built CLI's bot and worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printChildLogsOnFailure } from '../e2e/support/report.js';
import { browserSuite } from './support/browser.js';
import { type BrowserWorld, OPTION_LABELS, promptsFor, startBrowserWorld } from './support/browser-world.js';
import { ChatPage, hidden, loadedImage, UI_TIMEOUT_MS, visible } from './support/chat-page.js';

printChildLogsOnFailure();
const browsers = browserSuite();
let w: BrowserWorld;
let key: string;

beforeAll(async () => {
  w = await startBrowserWorld({ name: 'browser-reload' });
  key = await w.newKey('rita');
}, 90_000);

afterAll(async () => {
  await w?.close();
});

describe('the web chat across a reload and a second tab', () => {
  it('a reload reopens the same chat from the hash, with its messages, options and the result image', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await chat.signIn(key);
    const chatId = await chat.newChat();
    const request = 'a lighthouse at dusk, oil painting';
    const [still] = OPTION_LABELS;
    await chat.ask(request, OPTION_LABELS);
    await chat.generateButton(still).click();
    const generation = chat.generations(still).last();
    await chat.untilState(generation, 'done', 30_000);
    await loadedImage(generation.getByRole('img'));
    const generationId = await generation.getAttribute('data-generation-id');
    expect(generationId).toBeTruthy();

    await page.reload({ waitUntil: 'domcontentloaded' });

    // Still signed in (the key is in this tab's session storage), on the same chat.
    await visible(chat.transcript);
    expect(await chat.signInHeading.count()).toBe(0);
    expect(chat.chatIdFromUrl()).toBe(chatId);
    await visible(chat.userMessages().filter({ hasText: request }));
    await visible(chat.option(OPTION_LABELS[0]));
    await visible(chat.option(OPTION_LABELS[1]));
    const back = chat.log.locator(`[data-generation-id="${generationId}"]`);
    await chat.untilState(back, 'done');
    expect(await back.getAttribute('aria-label')).toBe(`Generation ${still}`);
    const image = await loadedImage(back.getByRole('img'));
    expect(new URL(image.src).origin).toBe(w.origin);
    // The open chat is the current one in the list.
    const current = chat.chatList.locator('a[aria-current="page"]');
    await visible(current);
    expect(await current.getAttribute('href')).toBe(`#/chats/${chatId}`);
    expect(watch.problems()).toEqual([]);
  }, 60_000);

  it('Rename: Escape keeps the title, Enter saves it; Delete asks in a dialog, Keep keeps the chat, Delete removes it', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await chat.signIn(key);
    await chat.newChat();
    await chat.ask('a chat about foxes', OPTION_LABELS);
    // A new chat is named by its first message once the answer is in (a moment after the options show).
    const title = 'a chat about foxes';
    const item = chat.chatList.getByRole('listitem').filter({ has: page.locator('a[aria-current="page"]') });
    await visible(item.getByRole('link', { name: title, exact: true }));

    await item.getByRole('button', { name: `Rename chat ${title}`, exact: true }).click();
    const field = chat.chatList.getByLabel('Chat title');
    await field.fill('not this one');
    await field.press('Escape');
    await visible(chat.chatLink(title));
    expect(await chat.chatLink('not this one').count()).toBe(0);

    await chat.chatList.getByRole('button', { name: `Rename chat ${title}`, exact: true }).click();
    await chat.chatList.getByLabel('Chat title').fill('Foxes, renamed');
    await chat.chatList.getByLabel('Chat title').press('Enter');
    await visible(chat.chatLink('Foxes, renamed'));

    const dialog = page.getByRole('dialog');
    await chat.chatList.getByRole('button', { name: 'Delete chat Foxes, renamed', exact: true }).click();
    await visible(dialog.getByRole('heading', { name: 'Delete this chat?' }));
    await dialog.getByRole('button', { name: 'Keep', exact: true }).click();
    await hidden(dialog);
    await visible(chat.chatLink('Foxes, renamed'));

    await chat.chatList.getByRole('button', { name: 'Delete chat Foxes, renamed', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await hidden(dialog);
    await expect.poll(() => chat.chatLink('Foxes, renamed').count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    // Gone on the server too: a reload does not bring it back.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await visible(chat.newChatButton);
    expect(await chat.chatLink('Foxes, renamed').count()).toBe(0);
    expect(watch.problems()).toEqual([]);
  }, 45_000);

  it('a second tab on the same chat sees a generation started in the first go from queued to its image, live', async () => {
    const { context, page, watch } = await browsers.open();
    const first = new ChatPage(page);
    await first.open(w.url);
    await first.signIn(key);
    const chatId = await first.newChat();
    const request = 'a kite over a windy beach';
    await first.ask(request, OPTION_LABELS);

    // Session storage is per tab: the second tab signs in with the same key, on the chat's link.
    const second = new ChatPage(await context.newPage());
    await second.open(`${w.url}#/chats/${chatId}`);
    await second.signIn(key);
    expect(second.chatIdFromUrl()).toBe(chatId);
    await visible(second.option(OPTION_LABELS[1]));

    const poster = OPTION_LABELS[1];
    const hold = w.holdSubmitOf(promptsFor(request)[1]);
    await first.generateButton(poster).click();
    await hold.reached;
    const there = second.generations(poster).last();
    await visible(there);
    await expect.poll(() => there.getByRole('status').textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/queued/);
    const id = await first.generations(poster).last().getAttribute('data-generation-id');
    expect(await there.getAttribute('data-generation-id')).toBe(id);

    hold.release();
    await second.untilState(there, 'done', 30_000);
    await loadedImage(there.getByRole('img'));
    await first.untilState(first.generations(poster).last(), 'done');
    expect(watch.problems()).toEqual([]);
  }, 60_000);
});

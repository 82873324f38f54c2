/**
 * The whole web chat flow in a real browser (Debian's Chromium, headless) against the product as deployed: the
 * built CLI's bot (serving the page, the API and the media) and worker, the Higgsfield simulator and the
 * Anthropic fake. A person signs in with a key (a wrong one first), starts a chat, asks, sees the options as
 * cards, generates one and watches its status until the image shows, re-rolls it, attaches an image of their
 * own and animates it into a video, cancels a generation that is still queued, and opens the gallery.
 * Screenshots of the main states go to artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printChildLogsOnFailure } from '../e2e/support/report.js';
import { browserSuite, screenshot } from './support/browser.js';
import {
  ANIMATE_LABELS,
  animatePromptsFor,
  type BrowserWorld,
  OPTION_LABELS,
  pacedProposal,
  promptsFor,
  startBrowserWorld,
  wantsAnimation,
} from './support/browser-world.js';
import { ChatPage, KEY_REFUSED, loadedImage, renderPng, UI_TIMEOUT_MS, visible } from './support/chat-page.js';

printChildLogsOnFailure();
const browsers = browserSuite();
let w: BrowserWorld;
let key: string;

beforeAll(async () => {
  w = await startBrowserWorld({ name: 'browser-flow' });
  key = await w.newKey('alice');
}, 90_000);

afterAll(async () => {
  await w?.close();
});

/** A fresh browser context on the page, signed in as alice, with a new chat open. */
async function signedInChat(): Promise<{ chat: ChatPage; problems: () => string[] }> {
  const { page, watch } = await browsers.open();
  const chat = new ChatPage(page);
  await chat.open(w.url);
  await chat.signIn(key);
  await chat.newChat();
  return { chat, problems: () => watch.problems() };
}

describe('the web chat, from sign-in to a video', () => {
  it('a wrong key shows “That key was not accepted”; the right key opens the chat; Sign out forgets the key', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await visible(chat.signInHeading);
    expect(await chat.keyInput.getAttribute('type')).toBe('password');
    await screenshot(page, 'sign-in');

    await chat.keyInput.fill('hb_not-a-real-key');
    await chat.signInButton.click();
    await visible(chat.alert(KEY_REFUSED));
    await visible(chat.signInHeading); // still on the sign-in screen
    await screenshot(page, 'sign-in-refused');

    await chat.keyInput.fill(key);
    await chat.signInButton.click();
    await visible(chat.newChatButton);
    await visible(chat.signOutButton);
    expect(await chat.signInHeading.count()).toBe(0);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('higgsbot.key')")).toBe(key);

    await chat.signOutButton.click();
    await visible(chat.signInHeading);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('higgsbot.key')")).toBeNull();
    await chat.signIn(key);
    expect(watch.problems()).toEqual([]);
  }, 30_000);

  it('ask → option cards → Generate → the status while queued → the image on our origin → Re-roll adds a second', async () => {
    const { chat, problems } = await signedInChat();
    const request = 'a red fox asleep in fresh snow';
    const [stillPrompt, posterPrompt] = promptsFor(request);
    const [still] = OPTION_LABELS;

    await chat.ask(request, OPTION_LABELS);
    await visible(chat.userMessages().filter({ hasText: request }));
    // Each option is a card: its label as a heading, the reason, the estimate, the prompt, a Generate button.
    const card = chat.option(still);
    await visible(card.getByRole('heading', { name: still, level: 3 }));
    const text = await card.textContent();
    expect(text).toContain('A warm photoreal still.');
    expect(text).toMatch(/about \d+ s/);
    expect(text).toContain(stillPrompt);
    await visible(chat.option(OPTION_LABELS[1]).getByText(posterPrompt));
    await visible(chat.generateButton(still));
    await screenshot(chat.page, 'options');

    // Held at the simulator's door, the generation stays queued long enough to be seen.
    const hold = w.holdSubmitOf(stillPrompt);
    await chat.generateButton(still).click();
    const generation = chat.generations(still).first();
    await visible(generation);
    await hold.reached;
    await expect
      .poll(() => generation.getByRole('status').textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/queued \(position \d+/);
    const queuedText = await generation.getByRole('status').textContent();
    expect(await generation.getAttribute('data-state')).toBe('queued');
    await visible(generation.getByRole('button', { name: `Cancel ${still}` }));
    await screenshot(chat.page, 'status');

    hold.release();
    await chat.untilState(generation, 'done', 30_000);
    await expect.poll(() => generation.getByRole('status').textContent()).not.toBe(queuedText);
    expect(await generation.getByRole('status').textContent()).toMatch(/done/);
    const image = generation.getByRole('img');
    const first = await loadedImage(image);
    expect(new URL(first.src).origin).toBe(w.origin);
    expect(await image.getAttribute('alt')).toBe(`${still}: ${stillPrompt}`);
    expect(await generation.getByRole('button', { name: `Cancel ${still}` }).count()).toBe(0);
    await visible(generation.getByRole('button', { name: `Animate ${still}` }));
    await screenshot(chat.page, 'image-result');

    // A re-roll is the same recipe with a new seed, labelled so by the assistant.
    await generation.getByRole('button', { name: `Re-roll ${still}` }).click();
    await expect.poll(() => chat.allGenerations().count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
    const second = chat.generations(`Re-roll: ${still}`);
    await visible(second);
    await chat.untilState(second, 'done', 30_000);
    const again = await loadedImage(second.getByRole('img'));
    expect(new URL(again.src).origin).toBe(w.origin);
    expect(again.src).not.toBe(first.src);
    expect(await second.getAttribute('data-generation-id')).not.toBe(
      await generation.getAttribute('data-generation-id'),
    );
    expect(w.world.generationsOf(stillPrompt)).toBe(2);
    expect(problems()).toEqual([]);
  }, 60_000);

  it('the reply’s words stream in piece by piece before the options show', async () => {
    const { chat, problems } = await signedInChat();
    const request = 'a hot air balloon over a misty valley';
    const words =
      'Two ways to show it: a warm photoreal still in golden light, and a bold poster whose lettering reads well even small.';
    // About 20 pieces of the tool's JSON, 40 ms apart: the reply takes close to a second to arrive.
    w.world.fake.enqueue(pacedProposal(request, words, 40));
    // Every text the reply shows, as the page changes it.
    await chat.page.evaluate(`(() => {
      window.__replyTexts = [];
      new MutationObserver(() => {
        const replies = document.querySelectorAll('[role="log"] article[aria-label="Higgsbot replied"]');
        const last = replies[replies.length - 1];
        const text = last ? last.textContent : '';
        if (text && window.__replyTexts[window.__replyTexts.length - 1] !== text) window.__replyTexts.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await chat.ask(request, OPTION_LABELS);
    await visible(chat.replies().last().getByText(words));
    const texts = await chat.page.evaluate<string[]>('window.__replyTexts');
    // Shown in growing parts of the words, before the whole of them and the options.
    const partial = texts.filter((t) => t.length > 0 && words.startsWith(t.trim()) && t.trim() !== words);
    expect(partial.length, JSON.stringify(texts)).toBeGreaterThanOrEqual(2);
    expect(problems()).toEqual([]);
  }, 30_000);

  it('an image attached with the file picker is animated: thumbnail, options to animate it, Generate → a video', async () => {
    const { chat, problems } = await signedInChat();
    const chooser = chat.page.waitForEvent('filechooser');
    await chat.composer.getByRole('button', { name: 'Attach image' }).click();
    await (await chooser).setFiles({ name: 'fox.png', mimeType: 'image/png', buffer: renderPng('fox', 64) });
    const thumbnail = chat.composer.getByRole('img', { name: 'Attached image fox.png' });
    const shown = await loadedImage(thumbnail);
    expect(shown.src).toMatch(/^blob:/);
    await visible(chat.composer.getByRole('button', { name: 'Remove image' }));

    const request = 'animate my fox, slowly';
    const asked = w.world.fake.requests.length;
    await chat.ask(request, ANIMATE_LABELS);
    // The image went with the message: the agent told Claude so.
    expect(w.world.fake.requests.slice(asked).some(wantsAnimation)).toBe(true);
    expect(await chat.composer.getByRole('img', { name: 'Attached image fox.png' }).count()).toBe(0);

    const [zoom] = ANIMATE_LABELS;
    await chat.generateButton(zoom).click();
    const generation = chat.generations(zoom).last();
    await chat.untilState(generation, 'done', 30_000);
    const video = generation.locator('video');
    await visible(video);
    expect(await video.getAttribute('controls')).not.toBeNull();
    expect(await video.getAttribute('aria-label')).toBe(`${zoom}: ${animatePromptsFor(request)[0]}`);
    const src = await video.evaluate((el) => (el as unknown as { currentSrc: string; src: string }).src);
    expect(new URL(src).origin).toBe(w.origin);
    await screenshot(chat.page, 'video-result');
    // The simulator's video is a placeholder the browser cannot decode; anything else would be a problem.
    expect(problems()).toEqual([]);
  }, 60_000);

  it('dropping an image on the composer or pasting one attaches it too; “Remove image” takes it off', async () => {
    const { chat, problems } = await signedInChat();
    const png = renderPng('drop', 48).toString('base64');
    /** Sends `event` ('drop' on the composer, 'paste' on its textarea) carrying one PNG file named `name`. */
    const give = (event: 'drop' | 'paste', name: string) =>
      chat.page.evaluate(`(() => {
        const bytes = Uint8Array.from(atob(${JSON.stringify(png)}), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], ${JSON.stringify(name)}, { type: 'image/png' }));
        if (${JSON.stringify(event)} === 'drop') {
          const form = document.querySelector('form[aria-label="Message composer"]');
          form.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: data }));
          form.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: data }));
          form.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }));
        } else {
          const field = document.querySelector('form[aria-label="Message composer"] textarea');
          field.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: data }));
        }
      })()`);

    await give('drop', 'dropped.png');
    const dropped = chat.composer.getByRole('img', { name: 'Attached image dropped.png' });
    expect((await loadedImage(dropped)).src).toMatch(/^blob:/);
    await chat.composer.getByRole('button', { name: 'Remove image' }).click();
    await expect.poll(() => dropped.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);

    await give('paste', 'pasted.png');
    await loadedImage(chat.composer.getByRole('img', { name: 'Attached image pasted.png' }));
    expect(problems()).toEqual([]);
  }, 30_000);

  it('Cancel while the generation is still queued at Higgsfield: “canceled” and the reason, nothing rendered', async () => {
    const { chat, problems } = await signedInChat();
    const request = 'a paper boat on a still pond';
    await chat.ask(request, OPTION_LABELS);
    const poster = OPTION_LABELS[1];
    // The next submit stays queued at the simulator for a minute.
    w.world.sim.scriptNext({ status: 'completed', queuedMs: 60_000 });
    await chat.generateButton(poster).click();
    const generation = chat.generations(poster).last();
    await chat.untilState(generation, /^(queued|submitted)$/);
    const cancel = generation.getByRole('button', { name: `Cancel ${poster}` });
    await visible(cancel);
    await chat.untilState(generation, 'submitted');
    await cancel.click();

    await chat.untilState(generation, 'canceled');
    await visible(generation.getByRole('alert').filter({ hasText: 'Canceled before it started rendering' }));
    expect(await generation.getByRole('status').textContent()).toMatch(/canceled/i);
    expect(await generation.getByRole('img').count()).toBe(0);
    await screenshot(chat.page, 'canceled');
    expect(problems()).toEqual([]);
  }, 45_000);

  it('the Gallery view lists this person’s results as figures with the prompt and a link back to the chat', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(w.url);
    await chat.signIn(key);
    await chat.views.getByRole('link', { name: 'Gallery' }).click();
    await visible(chat.gallery);
    expect(page.url()).toMatch(/#\/gallery$/);
    expect(await chat.views.getByRole('link', { name: 'Gallery' }).getAttribute('aria-current')).toBe('page');
    const figures = chat.gallery.getByRole('figure');
    await expect.poll(() => figures.count(), { timeout: UI_TIMEOUT_MS }).toBeGreaterThanOrEqual(3);
    const fox = figures.filter({ hasText: 'a red fox asleep in fresh snow' }).first();
    await loadedImage(fox.getByRole('img'));
    const open = fox.getByRole('link', { name: 'Open chat' });
    expect(await open.getAttribute('href')).toMatch(/^#\/chats\/[^/]+$/);
    await screenshot(page, 'gallery');

    await open.click();
    await visible(chat.transcript);
    await visible(chat.userMessages().filter({ hasText: 'a red fox asleep in fresh snow' }));
    expect(watch.problems()).toEqual([]);
  }, 45_000);
});

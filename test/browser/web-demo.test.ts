/**
 * The web demo as a newcomer meets it: `npm run demo -- --web` is `node bin/higgsbot.js chat --simulate --web`,
 * run here as that built CLI in a child process with a fresh DATA_DIR and MEDIA_DIR and nothing configured but
 * Redis. It prints its address; the page opens in Chromium already signed in (no key, no sign-in screen), the
 * first thing typed starts a chat, the offline recommender's options come back as cards, and the first
 * Generate ends in an image served from the demo's own origin — with nothing asked of anything off 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliChild, spawnCli } from '../e2e/support/cli-process.js';
import { printChildLogsOnFailure } from '../e2e/support/report.js';
import { deleteKeys, redisUrl, testPrefix } from '../support/redis.js';
import { browserSuite, screenshot } from './support/browser.js';
import { ChatPage, loadedImage, UI_TIMEOUT_MS, visible } from './support/chat-page.js';

printChildLogsOnFailure();
const browsers = browserSuite();
const prefix = testPrefix('browser-demo');
let dir: string;
let demo: CliChild;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'higgsbot-browser-demo-'));
  demo = spawnCli('web-demo', ['chat', '--simulate', '--web', '--port', '0', '--render-ms', '300'], {
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    MEDIA_DIR: join(dir, 'media'),
    DATA_DIR: join(dir, 'data'),
  });
  await demo.waitForOutput(/Higgsbot web chat: http:\/\/127\.0\.0\.1:\d+\/\n/, 60_000);
  url = /Higgsbot web chat: (\S+)/.exec(demo.stdout)?.[1] as string;
}, 90_000);

afterAll(async () => {
  await demo?.stop(5_000);
  await deleteKeys(redisUrl(), `${prefix}-demo`).catch(() => 0);
  await deleteKeys(redisUrl(), prefix).catch(() => 0);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run demo -- --web', () => {
  it('opens signed in; the first message starts a chat; the first Generate ends in an image from the demo itself', async () => {
    const { page, watch } = await browsers.open();
    const chat = new ChatPage(page);
    await chat.open(url);
    await visible(page.getByText('Signed in as demo'));
    expect(await chat.signInHeading.count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    await visible(chat.textarea);
    await chat.textarea.fill('a lighthouse at dusk, waves below');
    await chat.textarea.press('Enter');
    // The first message made a chat (its id in the address) titled from the words.
    await expect.poll(() => chat.chatIdFromUrl(), { timeout: UI_TIMEOUT_MS }).toBeDefined();
    await visible(chat.chatList.getByRole('link', { name: /^a lighthouse at dusk/ }));
    const card = page.locator('article.option-card').first();
    await visible(card);
    await screenshot(page, 'demo-options');

    await card.getByRole('button', { name: /^Generate / }).click();
    const generation = chat.log.locator('article.generation').last();
    await chat.untilState(generation, 'done', 30_000);
    const image = await loadedImage(generation.getByRole('img'));
    expect(new URL(image.src).origin).toBe(new URL(url).origin);
    await screenshot(page, 'demo-image');
    expect(watch.problems()).toEqual([]);
  });
});

/**
 * Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) launched by playwright-core as this machine needs it:
 * headless, as root (`--no-sandbox`), no GPU, and every background connection off (the machine's closed network
 * would refuse them, many at a time). The browser specs and the page benchmark both launch it here.
 */
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
}

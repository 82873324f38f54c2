/**
 * A stand-in for the built web chat (what `npm run build` writes to dist/web), for specs that need a page to
 * serve without building the real one: index.html naming a hashed script and stylesheet under assets/, a
 * dotfile beside them, and a file outside assets/ that must never be served through /assets/. Point the
 * server at it with WEB_UI_DIR.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WebUiFixture {
  dir: string;
  html: string;
  js: { name: string; text: string };
  css: { name: string; text: string };
  /** A file in the UI folder but outside assets/. */
  outside: { name: string; text: string };
  close(): Promise<void>;
}

export async function createWebUiFixture(name: string): Promise<WebUiFixture> {
  const dir = await mkdtemp(join(tmpdir(), `higgsbot-web-ui-${name}-`));
  const js = { name: 'app-3f9a1c2b.js', text: 'document.body.dataset.ready = "yes";\n' };
  const css = { name: 'app-7e4d0a91.css', text: 'body { margin: 0; }\n' };
  const outside = { name: 'manifest.json', text: '{"secret":"not an asset"}\n' };
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>Higgsbot</title>',
    `<link rel="stylesheet" href="/assets/${css.name}">`,
    `<script type="module" src="/assets/${js.name}"></script></head>`,
    '<body><div id="app"></div></body>',
    '</html>',
    '',
  ].join('\n');
  await mkdir(join(dir, 'assets', 'nested'), { recursive: true });
  await writeFile(join(dir, 'index.html'), html);
  await writeFile(join(dir, 'assets', js.name), js.text);
  await writeFile(join(dir, 'assets', css.name), css.text);
  await writeFile(join(dir, 'assets', '.env'), 'SECRET=1\n');
  await writeFile(join(dir, 'assets', 'nested', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  await writeFile(join(dir, outside.name), outside.text);
  return { dir, html, js, css, outside, close: () => rm(dir, { recursive: true, force: true }) };
}

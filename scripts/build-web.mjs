/**
 * Builds the web chat (web/) into dist/web: esbuild bundles and minifies web/src/main.tsx (Preact) and
 * web/src/styles.css into content-hashed files in dist/web/assets, copies the icon the same way, writes
 * dist/web/index.html from web/index.html (its %JS%, %CSS% and %ICON% placeholders replaced by those paths:
 * no inline script or style) and dist/web/manifest.json `{ "js": "assets/app-….js", "css": "assets/app-….css",
 * "icon": … }`, and prints the gzipped sizes of the JavaScript and the CSS in one line.
 *
 * `node scripts/build-web.mjs [--out-dir <dir>]` (exits non-zero on error), or, from a bench or a spec,
 * `await buildWeb({ outDir })`, which answers the file names, the sizes and esbuild's metafile.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = path.join(ROOT, 'web');
const PLACEHOLDERS = ['%JS%', '%CSS%', '%ICON%'];

/**
 * @typedef {object} WebBuild
 * @property {string} outDir the directory written (index.html, manifest.json, assets/)
 * @property {{ js: string, css: string, icon: string }} manifest paths relative to outDir
 * @property {{ js: number, css: number, jsGzip: number, cssGzip: number }} bytes
 * @property {import('esbuild').Metafile} metafile
 */

/**
 * Builds the page into `outDir` (default dist/web), replacing the assets of an earlier build.
 * @param {{ outDir?: string, minify?: boolean }} [options]
 * @returns {Promise<WebBuild>}
 */
export async function buildWeb({ outDir = path.join(ROOT, 'dist', 'web'), minify = true } = {}) {
  const template = await readFile(path.join(WEB, 'index.html'), 'utf8');
  for (const placeholder of PLACEHOLDERS) {
    if (!template.includes(placeholder)) throw new Error(`web/index.html has no ${placeholder} placeholder`);
  }
  const iconBytes = await readFile(path.join(WEB, 'icon.svg'));
  const assets = path.join(outDir, 'assets');

  // Built in memory first: a build that fails leaves the previous one in place.
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: path.join(WEB, 'src', 'main.tsx'), out: 'app' },
      { in: path.join(WEB, 'src', 'styles.css'), out: 'app' },
    ],
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(WEB, 'tsconfig.json'),
    charset: 'utf8',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });

  const js = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const css = result.outputFiles.find((file) => file.path.endsWith('.css'));
  if (!js || !css) throw new Error('esbuild wrote no app JavaScript or CSS');
  const relative = (file) => path.relative(outDir, file).split(path.sep).join('/');
  const icon = `assets/icon-${createHash('sha256').update(iconBytes).digest('hex').slice(0, 8)}.svg`;
  const manifest = { js: relative(js.path), css: relative(css.path), icon };
  const html = template.replace('%JS%', manifest.js).replace('%CSS%', manifest.css).replace('%ICON%', manifest.icon);

  await rm(assets, { recursive: true, force: true });
  await mkdir(assets, { recursive: true });
  const files = [
    [js.path, js.contents],
    [css.path, css.contents],
    [path.join(outDir, icon), iconBytes],
  ];
  // Each file also precompressed (brotli and gzip) beside it: the server sends the one the browser accepts.
  await Promise.all(
    files.flatMap(([file, bytes]) => [
      writeFile(file, bytes),
      writeFile(`${file}.br`, brotliCompressSync(bytes)),
      writeFile(`${file}.gz`, gzipSync(bytes, { level: 9 })),
    ]),
  );
  await writeFile(path.join(outDir, 'index.html'), html);
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  return {
    outDir,
    manifest,
    bytes: {
      js: js.contents.length,
      css: css.contents.length,
      jsGzip: gzipSync(js.contents).length,
      cssGzip: gzipSync(css.contents).length,
    },
    metafile: result.metafile,
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  const at = process.argv.indexOf('--out-dir');
  const outDir = at > 0 ? process.argv[at + 1] : undefined;
  const started = performance.now();
  const built = await buildWeb(outDir ? { outDir: path.resolve(outDir) } : {});
  const { bytes } = built;
  console.log(
    `web: ${built.manifest.js} ${kb(bytes.jsGzip)} + ${built.manifest.css} ${kb(bytes.cssGzip)} gzipped` +
      ` (${kb(bytes.jsGzip + bytes.cssGzip)} in all) in ${Math.round(performance.now() - started)} ms`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(`web build failed: ${error instanceof Error ? error.message : error}`);
    if (error && Array.isArray(error.errors)) {
      for (const message of error.errors) {
        const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
        console.error(`  ${where}${message.text}`);
      }
    }
    process.exitCode = 1;
  });
}

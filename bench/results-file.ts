/**
 * bench/RESULTS.md holds one section per benchmark. Each benchmark rewrites only its own section, between
 * `<!-- bench:<name> -->` markers, so running one benchmark never erases another's figures.
 * Non-obvious: a quick run (`--quick`) writes nowhere, so its small-count figures never replace the committed
 * ones; BENCH_RESULTS_FILE=<path> sends any run's section to that file instead of bench/RESULTS.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ROOT } from './environment.js';

const HEADER =
  '# Benchmark results\n\nEach section is written by its benchmark in `bench/`; rerun one to refresh it.\n';

const RESULTS_PATH = join(ROOT, 'bench/RESULTS.md');

async function writeResultsSection(path: string, name: string, markdown: string): Promise<void> {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  // Sections sit under the file's one H1, so their headings move down a level.
  const body = markdown.trim().replace(/^(#+) /gm, '#$1 ');
  const block = `${start}\n${body}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  if (!text.includes('<!-- bench:')) text = HEADER; // an old single-benchmark file: start over
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? `${text.slice(0, from)}${block}${text.slice(to + end.length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(path, text);
}

/** Writes a run's section where it belongs (see the header); returns a sentence saying where it went. */
export async function recordResults(name: string, markdown: string, run: { quick: boolean }): Promise<string> {
  const target = process.env.BENCH_RESULTS_FILE || (run.quick ? undefined : RESULTS_PATH);
  if (target === undefined) {
    return 'quick run: bench/RESULTS.md left as it is (BENCH_RESULTS_FILE=<path> writes the section there)';
  }
  await writeResultsSection(target, name, markdown);
  return `wrote the ${name} section of ${target === RESULTS_PATH ? relative(ROOT, target) : target}`;
}

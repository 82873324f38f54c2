/**
 * bench/RESULTS.md holds one section per benchmark. Each benchmark rewrites only its own section, between
 * `<!-- bench:<name> -->` markers, so running one benchmark never erases another's figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

const HEADER =
  '# Benchmark results\n\nEach section is written by its benchmark in `bench/`; rerun one to refresh it.\n';

export async function writeResultsSection(path: string, name: string, markdown: string): Promise<void> {
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

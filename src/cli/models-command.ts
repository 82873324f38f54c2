/**
 * `higgsbot models`: the registry as a readable list (or JSON with --json), optionally one kind only.
 */
import { parseArgs } from 'node:util';
import { BadInputError } from '../errors.js';
import { describeParams, listModels, type ModelKind } from '../higgsfield/models/registry.js';
import { type CliIo, ExitCode, line } from './io.js';

const KINDS: readonly ModelKind[] = ['text-to-image', 'text-to-video', 'image-to-video'];

export async function modelsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, kind: { type: 'string' } },
  });
  const kind = values.kind;
  if (kind !== undefined && !KINDS.includes(kind as ModelKind)) {
    throw new BadInputError(`--kind must be one of ${KINDS.join(', ')} (got "${kind}")`);
  }
  const models = listModels(kind as ModelKind | undefined);

  if (values.json) {
    const data = models.map((m) => ({
      id: m.id,
      title: m.title,
      kind: m.kind,
      output: m.output,
      strength: m.strength,
      styles: m.styles,
      motions: m.motions,
      params: describeParams(m),
    }));
    line(io.stdout, JSON.stringify(data, null, 2));
    return ExitCode.Ok;
  }

  for (const k of KINDS) {
    const group = models.filter((m) => m.kind === k);
    if (group.length === 0) continue;
    line(io.stdout, `${k} (${group.length})`);
    for (const model of group) {
      line(io.stdout, `  ${model.id}  —  ${model.title}`);
      line(io.stdout, `      ${model.strength}`);
      for (const p of describeParams(model)) {
        const note = p.required
          ? 'required'
          : p.default !== undefined
            ? `default ${JSON.stringify(p.default)}`
            : 'optional';
        line(io.stdout, `      · ${p.name}: ${p.allowed} (${note})`);
      }
    }
    line(io.stdout);
  }
  line(io.stdout, `${models.length} models. Styles apply only to Soul; camera motions only to DoP (at most 2).`);
  return ExitCode.Ok;
}

/**
 * The model registry: look-ups and validation. `validateRequest` is the gate every body passes before
 * a call to Higgsfield; its errors name the field and what is allowed, in words a person can act on.
 */
import type { z } from 'zod';
import { BadInputError } from '../../errors.js';
import { describeParam } from './describe-params.js';
import { imageModels } from './image-models.js';
import type { ModelKind, ModelSpec } from './model-spec.js';
import { videoModels } from './video-models.js';

export { describeParams } from './describe-params.js';
export type { ModelKind, ModelSpec } from './model-spec.js';

const ALL: readonly ModelSpec[] = [...imageModels, ...videoModels];
const BY_ID = new Map(ALL.map((m) => [m.id, m]));

export function listModels(kind?: ModelKind): readonly ModelSpec[] {
  return kind ? ALL.filter((m) => m.kind === kind) : ALL;
}

export function findModel(id: string): ModelSpec | undefined {
  return BY_ID.get(id);
}

export function getModel(id: string): ModelSpec {
  const model = BY_ID.get(id);
  if (!model) {
    throw new BadInputError(`Unknown model "${id}". Run \`higgsbot models\` to see the ${ALL.length} models on offer.`);
  }
  return model;
}

/** The body with defaults filled in, or a BadInputError listing every problem. */
export function validateRequest(modelId: string, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const model = getModel(modelId);
  const result = model.schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const problems = formatIssues(model, result.error.issues);
  const lead = problems.length === 1 ? 'is not valid' : `has ${problems.length} problems`;
  throw new BadInputError(
    `This request for ${model.title} (${model.id}) ${lead}: ${problems.join('; ')}.`,
    result.error,
  );
}

/** Problems as short sentences, one per issue, naming the field. */
export function formatIssues(model: ModelSpec, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownParam(model, key));
    const field = issue.path.map(String).join('.') || 'body';
    const top = String(issue.path[0] ?? '');
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      const info = describeParam(model, top);
      return [`${field} is required${info ? ` (${info.allowed})` : ''}`];
    }
    if (field === 'prompt' && issue.message.startsWith('prompt')) return [issue.message];
    const info = issue.path.length === 1 ? describeParam(model, top) : undefined;
    const got = 'input' in issue && issue.input !== undefined ? ` (got ${show(issue.input)})` : '';
    const allowed = info ? info.allowed : issue.message;
    return [`${field} must be ${allowed}${got}`];
  });
}

function unknownParam(model: ModelSpec, key: string): string {
  if (key === 'style_id') return `style_id is not taken by ${model.title}: styles apply only to Soul`;
  if (key === 'motions') return `motions is not taken by ${model.title}: camera motions apply only to DoP`;
  const names = Object.keys(model.schema.shape).join(', ');
  return `${key} is not a parameter of ${model.title} (its parameters: ${names})`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

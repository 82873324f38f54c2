/**
 * The agent's three tools: two catalog searches and the final proposal. A handful of tools, not one per
 * style or motion: the catalogs are searched on demand, so every request stays small whatever their size.
 * Inputs are validated with zod here; the proposal's options are validated against the registry later.
 */
import { z } from 'zod';
import type { Catalog, CatalogKind } from './catalog.js';

export const SEARCH_STYLES = 'search_styles';
export const SEARCH_MOTIONS = 'search_motions';
export const PROPOSE_OPTIONS = 'propose_options';

export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, unknown>; required: string[] };
}

const searchSchema = {
  type: 'object' as const,
  properties: { query: { type: 'string', description: 'mood, subject or look, e.g. "warm sunset film"' } },
  required: ['query'],
};

export const AGENT_TOOLS: readonly ToolDefinition[] = [
  { name: SEARCH_STYLES, description: 'Find Soul style names matching a look.', input_schema: searchSchema },
  {
    name: SEARCH_MOTIONS,
    description: 'Find DoP camera motion names matching a movement.',
    input_schema: searchSchema,
  },
  {
    name: PROPOSE_OPTIONS,
    description: 'Give the person 2-4 distinct options. Call once, last.',
    input_schema: {
      type: 'object',
      properties: {
        text: { type: 'string' },
        options: {
          type: 'array',
          minItems: 2,
          maxItems: 4,
          items: {
            type: 'object',
            properties: {
              model: { type: 'string' },
              prompt: { type: 'string' },
              label: { type: 'string' },
              reason: { type: 'string' },
              params: { type: 'object' },
              style: { type: 'string' },
              motions: { type: 'array', items: { type: 'string' } },
              image: { type: 'string', description: '"attached" or "result N"' },
            },
            required: ['model', 'prompt', 'label', 'reason'],
          },
        },
      },
      required: ['text', 'options'],
    },
  },
];

export const searchInput = z.object({ query: z.string().max(300) });
export const proposeInput = z.object({
  text: z.string().max(1_000).optional(),
  options: z.array(z.unknown()).max(8),
});

/** A search tool's answer: one line per hit, names first (the model refers to entries by name). */
export function runSearch(catalog: Catalog, kind: CatalogKind, query: string): string {
  const hits = catalog.search(kind, query, 6);
  const list = hits.length ? hits : catalog.entries(kind).slice(0, 6);
  const lead = hits.length ? '' : 'No close match; some of the catalog:\n';
  return lead + list.map((e) => `${e.name}${e.description ? ` - ${e.description}` : ''}`).join('\n');
}

/**
 * Plain-language descriptions of a model's parameters ("one of 720p, 1080p", "an integer from 1 to
 * 1000000"), derived from the zod schema through its JSON Schema so the registry stays the only source.
 * Used by `higgsbot models`, by error messages, and (compactly) by the agent's system prompt.
 */
import { z } from 'zod';
import type { ModelSpec } from './model-spec.js';

export interface ParamInfo {
  name: string;
  required: boolean;
  /** e.g. `one of 720p, 1080p` or `an integer from 1 to 1000000`. */
  allowed: string;
  /** JSON type of the value: 'string', 'number', 'integer', 'boolean', 'array' or 'object'. */
  type?: string;
  default?: unknown;
}

interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  format?: string;
  default?: unknown;
  items?: JsonSchemaNode;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
}

const cache = new WeakMap<ModelSpec, ParamInfo[]>();

export function describeParams(model: ModelSpec): ParamInfo[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const json = z.toJSONSchema(model.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const required = new Set(json.required ?? []);
  const infos = Object.entries(json.properties ?? {}).map(([name, node]): ParamInfo => {
    const info: ParamInfo = {
      name,
      required: required.has(name) && node.default === undefined,
      allowed: allowed(node),
    };
    if (node.default !== undefined) info.default = node.default;
    const type = jsonType(node);
    if (type) info.type = type;
    return info;
  });
  cache.set(model, infos);
  return infos;
}

export function describeParam(model: ModelSpec, name: string): ParamInfo | undefined {
  return describeParams(model).find((p) => p.name === name);
}

function jsonType(node: JsonSchemaNode): string | undefined {
  if (typeof node.type === 'string') return node.type;
  const first = node.enum?.[0] ?? node.const;
  return first === undefined ? undefined : typeof first;
}

function allowed(node: JsonSchemaNode): string {
  if (node.enum) return `one of ${node.enum.map(String).join(', ')}`;
  if (node.const !== undefined) return `exactly ${String(node.const)}`;
  if (node.anyOf) return node.anyOf.map(allowed).join(' or ');
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case 'integer':
    case 'number': {
      const noun = type === 'integer' ? 'an integer' : 'a number';
      if (node.minimum !== undefined && node.maximum !== undefined)
        return `${noun} from ${node.minimum} to ${node.maximum}`;
      if (node.minimum !== undefined) return `${noun} of at least ${node.minimum}`;
      if (node.maximum !== undefined) return `${noun} of at most ${node.maximum}`;
      return noun;
    }
    case 'boolean':
      return 'true or false';
    case 'string':
      if (node.format === 'uri') return 'an http(s) URL';
      if (node.format === 'uuid') return 'a UUID';
      return node.maxLength ? `text of at most ${node.maxLength} characters` : 'text';
    case 'array': {
      const max = node.maxItems !== undefined ? `at most ${node.maxItems} ` : '';
      const item = node.items ? itemNoun(node.items) : 'items';
      return `a list of ${max}${item}`;
    }
    default:
      return 'a value';
  }
}

function itemNoun(node: JsonSchemaNode): string {
  if (node.properties) return `objects {${Object.keys(node.properties).join(', ')}}`;
  return allowed(node);
}

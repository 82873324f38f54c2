/**
 * The pieces every block of configuration is made of: a platform keeps its own variables, what each should
 * look like, which must come together and how they become its typed settings, in one block in its folder
 * (src/adapters/<platform>/<platform>-config.ts). src/config.ts reads them all at once with the rest.
 */
import { z } from 'zod';

/** A variable: how it parses (empty strings count as unset) and, for messages, what it should look like. */
export interface ConfigVariable {
  schema: z.ZodType;
  expected: string;
}

export interface ConfigBlock<C> {
  variables: Record<string, ConfigVariable>;
  /** Variables that are missing given the ones that are set (pairs that must come together). */
  missing?(has: (variable: string) => boolean): string[];
  /** The block's settings from the parsed variables, or undefined when the platform is not configured. */
  build(env: Readonly<Record<string, unknown>>): C | undefined;
}

export const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
export const httpUrl = z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' });

/** A variable's parsed value as a string, when it is one. */
export function text(env: Readonly<Record<string, unknown>>, variable: string): string | undefined {
  const value = env[variable];
  return typeof value === 'string' ? value : undefined;
}

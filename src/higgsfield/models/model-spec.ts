/**
 * What a model entry is, and the small zod builders the entries share. Each schema describes the whole
 * request body (prompt included) and is strict: a parameter a model does not take (a style on Kling, a
 * motion on Veo) is refused by name before anything reaches Higgsfield.
 */
import { z } from 'zod';

export type ModelKind = 'text-to-image' | 'text-to-video' | 'image-to-video';
export type OutputType = 'image' | 'video';

/** Longest prompt we send anywhere; the strictest documented model cap is 2,500 characters. */
export const PROMPT_MAX_CHARS = 2000;

export interface ModelSpec {
  /** The Higgsfield v2 model id: the submit path `POST /{id}`. */
  readonly id: string;
  /** Short human name, e.g. "Soul 2". */
  readonly title: string;
  readonly kind: ModelKind;
  readonly output: OutputType;
  /** One line on what the model is good at, for people and for the agent. */
  readonly strength: string;
  /** The whole request body, strict; `.parse` fills the defaults. */
  readonly schema: z.ZodObject;
  /** Takes a Soul `style_id`. */
  readonly styles: boolean;
  /** Takes DoP `motions` (at most 2). */
  readonly motions: boolean;
  /** Typical time from submit to result, for estimates before we have measurements. */
  readonly typicalSeconds: number;
  /** After this long without a terminal status the generation is ended with a message. */
  readonly deadlineMs: number;
}

export const prompt = () =>
  z
    .string()
    .trim()
    .min(1, 'prompt must not be empty')
    .max(PROMPT_MAX_CHARS, `prompt must be at most ${PROMPT_MAX_CHARS} characters`);

export const httpsUrl = () => z.url({ protocol: /^https?$/ });

export const seed = (min = 1) => z.int().min(min).max(1_000_000);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);

export const minutes = (n: number) => n * 60_000;

/**
 * Text as PostgreSQL will take it. People's words can hold what a JS string allows and PostgreSQL refuses —
 * a NUL character, or half of a surrogate pair (in jsonb, `\u0000` and a lone `\ud800` are errors) — and a
 * write that fails on them would be retried forever. So NULs are dropped and lone surrogates become U+FFFD,
 * in plain text and inside JSON alike.
 */
import { type RawBuilder, sql } from 'kysely';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function dbText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

/** A value as a jsonb parameter (JSON text cast to jsonb: pg would send a JS array as a PostgreSQL array). */
export function jsonb(value: unknown): RawBuilder<unknown> {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? dbText(v) : v));
  return sql`cast(${text} as jsonb)`;
}

/** A time in ms as a timestamptz parameter (an ISO string: exact to the ms on both drivers). */
export function timestamp(ms: number): RawBuilder<Date> {
  return sql<Date>`cast(${new Date(ms).toISOString()} as timestamptz)`;
}

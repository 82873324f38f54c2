/**
 * Event ids: Redis stream ids, `<ms>-<seq>`, the same in a chat's stream and the global one. What a client
 * sends back as `Last-Event-ID` is checked against the format before it reaches Redis (anything else counts
 * as no id: the client gets the chat's kept events from the start).
 */

const EVENT_ID = /^(\d{1,16})-(\d{1,16})$/;

/** The id when it is one, else undefined. */
export function eventIdOrUndefined(value: string | undefined): string | undefined {
  return value !== undefined && EVENT_ID.test(value) ? value : undefined;
}

/** Whether event id `a` comes after `b` (both well formed). */
export function isAfter(a: string, b: string): boolean {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  return ms === 0n ? BigInt(as) > BigInt(bs) : ms > 0n;
}

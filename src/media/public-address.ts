/**
 * Which IP addresses a link a person gave us may be fetched from, and the one-time resolution that keeps
 * it that way. `isPublicAddress` is pure: an address is public unless it is in a loopback, private,
 * shared (CGNAT), link-local, unspecified, documentation, benchmarking, multicast or reserved range, and an
 * IPv6 address is public only in global unicast (2000::/3), outside its special blocks; IPv4 addresses
 * carried in IPv6 (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged as the IPv4
 * address they carry. `resolvePublic` resolves a host once and refuses it when any address is not public;
 * `pinnedDispatcher` then connects to that checked address only, so a second DNS answer (rebinding) is
 * never asked for, while the Host header and TLS name stay the link's own.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent } from 'undici';
import { BadInputError } from '../errors.js';

/** Every address a host name resolves to (node:dns `lookup` with `all: true`). */
export type LookupAll = (hostname: string) => Promise<readonly LookupAddress[]>;

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true });

export const PRIVATE_ADDRESS_MESSAGE = 'That image link points at a private network address; use a public https link.';

/** IPv4 blocks that are not reachable on the public internet, as [a, b, c, d, prefix length]. */
const IPV4_NOT_PUBLIC: ReadonlyArray<readonly [number, number, number, number, number]> = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8], // private
  [100, 64, 0, 0, 10], // shared address space (carrier-grade NAT)
  [127, 0, 0, 0, 8], // loopback
  [169, 254, 0, 0, 16], // link-local (cloud metadata lives here)
  [172, 16, 0, 0, 12], // private
  [192, 0, 0, 0, 24], // IETF protocol assignments
  [192, 0, 2, 0, 24], // TEST-NET-1
  [192, 88, 99, 0, 24], // 6to4 relay anycast
  [192, 168, 0, 0, 16], // private
  [198, 18, 0, 0, 15], // benchmarking
  [198, 51, 100, 0, 24], // TEST-NET-2
  [203, 0, 113, 0, 24], // TEST-NET-3
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, and the broadcast address
];

/** Whether `address` (an IPv4 or IPv6 literal, brackets allowed) is on the public internet. */
export function isPublicAddress(address: string): boolean {
  const text = address.replace(/^\[|\]$/g, '');
  const version = isIP(text);
  if (version === 4) return isPublicIpv4(ipv4Number(text));
  if (version === 6) {
    const groups = ipv6Groups(text);
    return groups !== undefined && isPublicIpv6(groups);
  }
  return false;
}

function ipv4Number(text: string): number {
  return text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function isPublicIpv4(n: number): boolean {
  return !IPV4_NOT_PUBLIC.some(([a, b, c, d, prefix]) => {
    const base = ((a * 256 + b) * 256 + c) * 256 + d;
    const size = 2 ** (32 - prefix);
    return n >= base && n < base + size;
  });
}

/** The eight 16-bit groups of a valid IPv6 literal; undefined for a scoped one (`fe80::1%eth0`). */
function ipv6Groups(text: string): number[] | undefined {
  if (text.includes('%')) return undefined;
  let s = text.toLowerCase();
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1] && dotted[2]) {
    const v4 = ipv4Number(dotted[2]);
    s = `${dotted[1]}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function isPublicIpv6(g: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const carried = (high: number, low: number) => isPublicIpv4(high * 65536 + low);
  // ::/80 followed by ffff: IPv4-mapped. Anything else with the first 80 bits zero (::, ::1, the old
  // IPv4-compatible form) is not public.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) return g5 === 0xffff && carried(g6, g7);
  // NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address; the local-use 64:ff9b:1::/48 is private.
  if (g0 === 0x64 && g1 === 0xff9b) return g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && carried(g6, g7);
  // Outside global unicast 2000::/3: discard-only, ULA fc00::/7, link-local fe80::/10, multicast ff00::/8…
  if ((g0 & 0xe000) !== 0x2000) return false;
  // IETF protocol assignments 2001::/23 (Teredo, benchmarking, ORCHID) and documentation 2001:db8::/32.
  if (g0 === 0x2001 && (g1 < 0x200 || g1 === 0xdb8)) return false;
  // 6to4 2002::/16 carries an IPv4 address in its next 32 bits.
  if (g0 === 0x2002) return carried(g1, g2);
  // Documentation 3fff::/20.
  if (g0 === 0x3fff && g1 < 0x1000) return false;
  return true;
}

export interface ResolvePublicOptions {
  lookup?: LookupAll;
  /** Which resolved addresses count as public. Specs only (to reach a local server); default isPublicAddress. */
  isPublic?: (address: string) => boolean;
  signal?: AbortSignal;
}

/**
 * The one address `hostname` is fetched from: an IP literal as is, else the first of its DNS answers once
 * every answer is public. A private answer among them is refused for the person (BadInputError).
 */
export async function resolvePublic(hostname: string, options: ResolvePublicOptions = {}): Promise<LookupAddress> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const isPublic = options.isPublic ?? isPublicAddress;
  const literal = isIP(host);
  const addresses: readonly LookupAddress[] = literal
    ? [{ address: host, family: literal }]
    : await abortable((options.lookup ?? systemLookup)(host), options.signal);
  const first = addresses[0];
  if (!first) throw new Error(`${host} resolved to no address`);
  if (!addresses.every((a) => isPublic(a.address))) throw new BadInputError(PRIVATE_ADDRESS_MESSAGE);
  return first;
}

/** A dispatcher whose every connection goes to `address` (the checked one); TLS and Host keep the name. */
export function pinnedDispatcher({ address, family }: LookupAddress): Agent {
  return new Agent({
    connect: {
      lookup: (_hostname, options, callback) => {
        // net.connect asks for a list when it may try several families (autoSelectFamily).
        if ((options as { all?: boolean }).all) (callback as AllCallback)(null, [{ address, family }]);
        else callback(null, address, family);
      },
    },
  });
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/** `promise`, or a rejection as soon as `signal` aborts (a DNS lookup takes no signal of its own). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

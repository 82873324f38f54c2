/**
 * fetchImage with `publicOnly` (a link a person gave us) against a real node:http server on 127.0.0.1,
 * with the DNS lookup injected: a name that resolves to a loopback or private address (or to any private
 * address among public ones) is refused before any connection, as are such redirect targets and address
 * literals. Pinning: `images.example.test` (a name no real resolver answers) is looked up once and the
 * connection goes to that checked address, with the link's own Host header, even when a second lookup
 * would answer elsewhere. 127.0.0.1 only counts as public here through the spec-only `isPublicAddress`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { fetchImage } from '../../src/media/image-input.js';
import { type LookupAll, PRIVATE_ADDRESS_MESSAGE } from '../../src/media/public-address.js';
import { startServer, type TestServer } from './support/http-server.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

let server: TestServer;
let port: string;
const seen: Array<{ url: string | undefined; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    switch (req.url) {
      case '/cat.png':
        res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
        return;
      case '/to-inside':
        res.writeHead(302, { location: `http://inside.example.test:${port}/cat.png` }).end();
        return;
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      case '/to-self':
        res.writeHead(302, { location: '/cat.png' }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  port = new URL(server.url).port;
});
afterAll(async () => {
  await server?.close();
});

/** A lookup answering from `table` (each name's answers in turn, the last one repeating). */
function lookupFrom(table: Record<string, string[][]>) {
  const calls: string[] = [];
  const lookup: LookupAll = async (hostname) => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const answer = answers[Math.min(calls.filter((c) => c === hostname).length - 1, answers.length - 1)] ?? [];
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, calls };
}

/** Spec-only: 127.0.0.1 stands in for a public address, so the local server can be reached. */
const loopbackCountsAsPublic = (address: string) => address === '127.0.0.1';

const refusal = async (promise: Promise<unknown>): Promise<BadInputError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadInputError);
  return error as BadInputError;
};

describe('fetchImage with publicOnly', () => {
  it.each([
    [['127.0.0.1']],
    [['10.0.0.5']],
    [['::1']],
    [['::ffff:169.254.169.254']],
    [['93.184.215.14', '10.0.0.5']],
    [['2606:4700:4700::1111', 'fd00::1']],
  ])('a name resolving to %j is refused before any connection', async (addresses) => {
    const { lookup, calls } = lookupFrom({ 'images.example.test': [addresses] });
    const before = seen.length;
    const error = await refusal(
      fetchImage({ url: `http://images.example.test:${port}/cat.png`, publicOnly: true, lookup }),
    );
    expect(error.message).toBe(PRIVATE_ADDRESS_MESSAGE);
    expect(calls).toEqual(['images.example.test']);
    expect(seen.length).toBe(before);
  });

  it('an address literal that is not public is refused without a lookup or a connection', async () => {
    const { lookup, calls } = lookupFrom({});
    const before = seen.length;
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:7f00:1]']) {
      const error = await refusal(fetchImage({ url: `http://${host}:${port}/cat.png`, publicOnly: true, lookup }));
      expect(error.message).toBe(PRIVATE_ADDRESS_MESSAGE);
    }
    expect(calls).toEqual([]);
    expect(seen.length).toBe(before);
  });

  it('connects only to the checked address: one lookup, the link’s own Host header, no second answer asked for', async () => {
    // A rebinding resolver: the first answer passes the check, every later one points inside.
    const { lookup, calls } = lookupFrom({ 'images.example.test': [['127.0.0.1'], ['10.0.0.5']] });
    const before = seen.length;
    const image = await fetchImage({
      url: `http://images.example.test:${port}/cat.png`,
      publicOnly: true,
      lookup,
      isPublicAddress: loopbackCountsAsPublic,
    });
    expect(image).toEqual({ bytes: PNG, contentType: 'image/png', sizeBytes: PNG.length });
    expect(calls).toEqual(['images.example.test']);
    expect(seen.slice(before).map((s) => [s.url, s.headers.host])).toEqual([
      ['/cat.png', `images.example.test:${port}`],
    ]);
  });

  it('every redirect hop is resolved and checked: one into a private network is refused before it is followed', async () => {
    const { lookup, calls } = lookupFrom({
      'images.example.test': [['127.0.0.1']],
      'inside.example.test': [['10.0.0.5']],
    });
    const before = seen.length;
    const error = await refusal(
      fetchImage({
        url: `http://images.example.test:${port}/to-inside`,
        publicOnly: true,
        lookup,
        isPublicAddress: loopbackCountsAsPublic,
      }),
    );
    expect(error.message).toBe(PRIVATE_ADDRESS_MESSAGE);
    expect(calls).toEqual(['images.example.test', 'inside.example.test']);
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/to-inside']);

    const metadata = await refusal(
      fetchImage({
        url: `http://images.example.test:${port}/to-metadata`,
        publicOnly: true,
        lookup,
        isPublicAddress: loopbackCountsAsPublic,
      }),
    );
    expect(metadata.message).toBe(PRIVATE_ADDRESS_MESSAGE);
  });

  it('a redirect that passes the check is resolved afresh and followed', async () => {
    const { lookup, calls } = lookupFrom({ 'images.example.test': [['127.0.0.1']] });
    const image = await fetchImage({
      url: `http://images.example.test:${port}/to-self`,
      publicOnly: true,
      lookup,
      isPublicAddress: loopbackCountsAsPublic,
    });
    expect(image.contentType).toBe('image/png');
    expect(calls).toEqual(['images.example.test', 'images.example.test']);
  });

  it('a name that does not resolve is “could not be reached”', async () => {
    const { lookup } = lookupFrom({});
    const error = await refusal(fetchImage({ url: 'https://nowhere.example.test/cat.png', publicOnly: true, lookup }));
    expect(error.message).toMatch(/could not be reached/);
  });

  it('without publicOnly (a platform’s own link) nothing is looked up and the host allowance alone applies', async () => {
    const lookup = vi.fn<LookupAll>();
    const image = await fetchImage({ url: `${server.url}/cat.png`, allowedHosts: ['127.0.0.1'], lookup });
    expect(image.contentType).toBe('image/png');
    expect(lookup).not.toHaveBeenCalled();
  });
});

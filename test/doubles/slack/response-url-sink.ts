/**
 * A loopback stand-in for Slack's `response_url` endpoints: records what Bolt's respond() (JSON POST) sends.
 * Non-obvious: each URL accepts at most `maxUses` posts (Slack: 5 within 30 min) and then answers 404 `used_url`,
 * so code that keeps updating through response_url instead of chat.update fails in tests as it would in Slack
 * (the 404 body wording is an approximation; the 30-minute expiry is not modelled).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResponseUrlPost {
  /** The path the post went to, e.g. '/commands/1'. */
  path: string;
  body: unknown;
  atMs: number;
}

export interface ResponseUrlSink {
  /** A fresh response_url on this sink (unique path per call unless `name` is given). */
  url(name?: string): string;
  posts: ResponseUrlPost[];
  /** Posts made to one URL returned by `url()`. */
  postsTo(url: string): ResponseUrlPost[];
  close(): Promise<void>;
}

export async function startResponseUrlSink(options: { maxUses?: number } = {}): Promise<ResponseUrlSink> {
  const maxUses = options.maxUses ?? 5;
  const posts: ResponseUrlPost[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      if (posts.filter((p) => p.path === path).length >= maxUses) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('used_url');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // keep the raw text
      }
      posts.push({ path, body, atMs: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let seq = 0;
  return {
    url: (name) => {
      seq += 1;
      return `${origin}/commands/${name ?? String(seq)}`;
    },
    posts,
    postsTo: (url) => posts.filter((p) => p.path === new URL(url).pathname),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

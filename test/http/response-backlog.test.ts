/**
 * The response backlog: who this server still owes an answer (a connection that has not sent its request
 * yet, a request not yet answered), and work that waits for it to drain, but never longer than its bound.
 */
import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { trackResponseBacklog } from '../../src/http/response-backlog.js';

const held: ServerResponse[] = [];
const server = createServer((_req, res) => void held.push(res));
// A long quiet period, so that "a caller arrives within it" does not race the test's own steps.
const backlog = trackResponseBacklog(server, { quietMs: 300 });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address() as AddressInfo;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

afterEach(() => {
  for (const res of held.splice(0)) res.end();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('the response backlog', () => {
  it('is empty when nobody waits, and draining then takes no time', async () => {
    expect(backlog.size()).toBe(0);
    const started = performance.now();
    await backlog.drained(1_000);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('counts a connection that has not sent its request yet, until it closes', async () => {
    const socket = connect(port, '127.0.0.1');
    await until(() => backlog.size() === 1);
    socket.destroy();
    await until(() => backlog.size() === 0);
  });

  it('waits for an unanswered request to be answered', async () => {
    const request = fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    await until(() => held.length === 1);
    expect(backlog.size()).toBe(1);
    let drained = false;
    const waiting = backlog.drained(5_000).then(() => {
      drained = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).toBe(false);
    held.splice(0)[0]?.end('ok');
    await waiting;
    expect(await (await request).text()).toBe('ok');
    await until(() => backlog.size() === 0);
  });

  it('counts a long-lived answer (an event stream) as answered once its head is written', async () => {
    const abort = new AbortController();
    const streaming = fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
    await until(() => held.length === 1);
    expect(backlog.size()).toBe(1);
    const stream = held[0] as ServerResponse;
    stream.writeHead(200, { 'content-type': 'text/event-stream' });
    stream.write(': open\n\n');
    expect((await streaming).status).toBe(200);
    await until(() => backlog.size() === 0);
    const started = performance.now();
    await backlog.drained(1_000);
    expect(performance.now() - started).toBeLessThan(400);
    abort.abort();
  });

  it('holds on while a burst is still arriving: a caller just after the last answer also goes first', async () => {
    const first = fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    await until(() => held.length === 1);
    let drained = false;
    const waiting = backlog.drained(5_000).then(() => {
      drained = true;
    });
    held.splice(0)[0]?.end();
    await first;
    const late = connect(port, '127.0.0.1');
    await until(() => backlog.size() === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(drained).toBe(false);
    late.destroy();
    await waiting;
    expect(backlog.size()).toBe(0);
  });

  it('never waits longer than its bound', async () => {
    const request = fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    await until(() => held.length === 1);
    const started = performance.now();
    await backlog.drained(100);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(1_000);
    held.splice(0)[0]?.end();
    await request;
  });
});

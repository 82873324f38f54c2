/**
 * The HTTP server's side of the acknowledgement backlog (src/ack-backlog.ts): a connection is owed an answer
 * from the moment it is accepted until it sends its request (or closes), and a request until its response
 * head is written (or it closes): a long-lived answer such as an event stream or a large file is answered
 * the moment it starts, so it never holds the acknowledgements behind it. Under load Node accepts about one new connection per event-loop turn, so the rest of a burst waits
 * in the kernel's queue, invisible here; the backlog's quiet period covers that.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { type AckBacklog, createAckBacklog } from '../ack-backlog.js';

export type ResponseBacklog = AckBacklog;

export function trackResponseBacklog(server: Server, options: { quietMs?: number } = {}): ResponseBacklog {
  const backlog = createAckBacklog(options);
  const untilRequest = new WeakMap<Socket, () => void>();
  server.on('connection', (socket: Socket) => {
    const settle = backlog.arrive();
    untilRequest.set(socket, settle);
    socket.once('close', settle);
  });
  server.on('request', (req, res) => {
    untilRequest.get(req.socket)?.();
    untilRequest.delete(req.socket);
    const settle = backlog.arrive();
    res.once('close', settle);
    // Every response writes its head through writeHead (an implicit head too, via _implicitHeader).
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
      settle();
      return writeHead.apply(this, args);
    } as typeof res.writeHead;
  });
  server.once('close', () => backlog.releaseAll());
  return backlog;
}

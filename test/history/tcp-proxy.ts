/**
 * A loopback TCP proxy in front of the real PostgreSQL, to take the "server" away and bring it back on the
 * same port: `stop()` closes the port and cuts every open connection (as a crashed or restarted server
 * does), `start()` listens again.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function tcpProxy(port: number, target: { host: string; port: number }): TcpProxy {
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  return {
    port,
    start: () =>
      new Promise((resolve, reject) => {
        const listening = net.createServer((client) => {
          const upstream = net.connect(target.port, target.host);
          for (const socket of [client, upstream]) {
            sockets.add(socket);
            socket.on('close', () => sockets.delete(socket));
            socket.on('error', () => {
              client.destroy();
              upstream.destroy();
            });
          }
          client.pipe(upstream).pipe(client);
        });
        listening.once('error', reject);
        listening.listen(port, '127.0.0.1', () => {
          server = listening;
          resolve();
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (server === undefined) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
  };
}

/**
 * Minimal Discord gateway (v10, JSON, no compression) on the double's HTTP server via `ws` in noServer mode:
 * HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay, op 7 / op 8, intent-filtered
 * dispatches. Sessions outlive their socket unless the client closed with 1000/1001 (what `client.destroy()`
 * sends), so a shard that drops or is told to reconnect can RESUME, while a restarted bot IDENTIFYs afresh.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export interface GatewayHooks {
  token: string;
  heartbeatIntervalMs: number;
  disallowedIntents: number;
  ready(sessionId: string): Record<string, unknown>;
  guildCreates(): unknown[];
  members(request: Record<string, unknown>): unknown[];
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  socket: WebSocket | null;
  backlog: Array<{ s: number; text: string }>;
}

type Payload = { op?: unknown; d?: unknown };

const BACKLOG = 500;

export class GatewayServer {
  /** How many IDENTIFYs succeeded (a restarted bot adds one; a RESUME does not). */
  identifyCount = 0;
  resumeCount = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly hooks: GatewayHooks) {
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => this.onConnection(ws, req));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Sends `t` to every identified session whose intents let `build` return a payload (null = filtered out). */
  dispatch(t: string, build: (intents: number) => unknown): void {
    for (const session of this.sessions.values()) {
      const d = build(session.intents);
      if (d !== null) this.send(session, t, d);
    }
  }

  /** Identified sessions, connected or waiting to RESUME. */
  sessionCount(): number {
    return this.sessions.size;
  }

  /** Sessions with an open socket. */
  connectedCount(): number {
    return [...this.sessions.values()].filter((s) => s.socket?.readyState === WebSocket.OPEN).length;
  }

  /** op 7: every client closes and RESUMEs on `resume_gateway_url`. */
  requestReconnect(): void {
    for (const s of this.sessions.values()) {
      if (s.socket?.readyState === WebSocket.OPEN) s.socket.send(JSON.stringify({ op: 7, d: null, s: null, t: null }));
    }
  }

  /** Closes every socket with `code` (4000 = unknown error: discord.js resumes; 1000: it re-identifies). */
  disconnectAll(code = 4000): void {
    for (const ws of this.wss.clients) ws.close(code, 'Closed by the double');
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const text = JSON.stringify({ op: 0, t, s: session.seq, d });
    session.backlog.push({ s: session.seq, text });
    if (session.backlog.length > BACKLOG) session.backlog.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(text);
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const params = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    if (params.has('v') && params.get('v') !== '10') {
      ws.close(4012, 'Invalid API version');
      return;
    }
    if (params.has('compress')) {
      ws.close(4002, 'Compression is not supported by the double');
      return;
    }
    const conn: { session: Session | null } = { session: null };
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs }, s: null, t: null }));
    ws.on('error', () => {});
    ws.on('close', (code: number) => {
      const session = conn.session;
      if (!session || session.socket !== ws) return;
      session.socket = null;
      if (code === 1000 || code === 1001) this.sessions.delete(session.id);
    });
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      let payload: Payload;
      try {
        payload = JSON.parse(isBinary ? '' : raw.toString('utf8')) as Payload;
      } catch {
        return ws.close(4002, 'Error while decoding payload.');
      }
      const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Record<string, unknown>;
      switch (payload.op) {
        case 1:
          return ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
        case 2:
          return this.identify(ws, conn, d);
        case 6:
          return this.resume(ws, conn, d);
        case 8:
          if (conn.session) this.membersChunk(conn.session, d);
          return;
        case 3:
        case 4:
          return;
        default:
          return ws.close(4001, 'Unknown opcode.');
      }
    });
  }

  private identify(ws: WebSocket, conn: { session: Session | null }, d: Record<string, unknown>): void {
    if (conn.session) {
      ws.close(4005, 'Already authenticated.');
      return;
    }
    const token = String(d.token ?? '').replace(/^Bot\s+/i, '');
    if (token !== this.hooks.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    const intents = Number(d.intents ?? 0);
    if (intents & this.hooks.disallowedIntents) {
      ws.close(4014, 'Disallowed intent(s).');
      return;
    }
    const session: Session = { id: randomBytes(16).toString('hex'), intents, seq: 0, socket: ws, backlog: [] };
    this.sessions.set(session.id, session);
    conn.session = session;
    this.identifyCount += 1;
    this.send(session, 'READY', this.hooks.ready(session.id));
    for (const guild of this.hooks.guildCreates()) this.send(session, 'GUILD_CREATE', guild);
  }

  private resume(ws: WebSocket, conn: { session: Session | null }, d: Record<string, unknown>): void {
    const session = this.sessions.get(String(d.session_id ?? ''));
    const token = String(d.token ?? '').replace(/^Bot\s+/i, '');
    if (!session || token !== this.hooks.token) {
      ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
      return;
    }
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    conn.session = session;
    this.resumeCount += 1;
    const seq = Number(d.seq ?? 0);
    for (const item of session.backlog) if (item.s > seq) ws.send(item.text);
    this.send(session, 'RESUMED', {});
  }

  private membersChunk(session: Session, d: Record<string, unknown>): void {
    const chunk = {
      guild_id: d.guild_id,
      members: this.hooks.members(d),
      chunk_index: 0,
      chunk_count: 1,
      not_found: [],
    };
    this.send(session, 'GUILD_MEMBERS_CHUNK', d.nonce === undefined ? chunk : { ...chunk, nonce: d.nonce });
  }
}

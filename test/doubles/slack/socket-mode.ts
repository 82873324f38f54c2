/**
 * Socket Mode for the Slack double: apps.connections.open hands out a single-use `ws://127.0.0.1:<port>/socket-mode/…`
 * URL, a `ws` server (noServer, on the double's HTTP server via `upgrade`) greets each connection with `hello`, and
 * tests push envelopes (slash_commands / interactive / events_api) and await the client's ack by envelope_id.
 * Non-obvious: @slack/socket-mode waits `clientPingTimeout` (5 s by default) before every reconnect, including after
 * a `disconnect` message, so a reconnect test wants a small clientPingTimeout on the SocketModeReceiver.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { ApiReply, DoubleState } from './double-state.js';
import {
  type BlockActionInput,
  blockActionPayload,
  type EventEnvelopeInput,
  eventCallback,
  type SlashCommandInput,
  slashCommandFields,
} from './slack-requests.js';

export const SOCKET_PATH_PREFIX = '/socket-mode/';
/** `calls` entry of an envelope sent to the client (args: envelope_id, type, payload). */
export const SOCKET_SEND = 'socket:send';
/** `calls` entry of an ack received from the client (args: envelope_id, type, payload). */
export const SOCKET_ACK = 'socket:ack';
/** `calls` entry of a `disconnect` message sent to the client (args: reason). */
export const SOCKET_DISCONNECT = 'socket:disconnect';

/** What an envelope's ack resolved with. */
export interface SocketAck {
  envelopeId: string;
  /** From sending the envelope to receiving its ack. */
  ackedInMs: number;
  /** The ack's `payload` (`{}` for a bare `ack()`; e.g. `{ text }` when a command handler acks with a message). */
  ackPayload: Record<string, unknown>;
}

export interface SocketSendOptions {
  /** Reject when the ack has not arrived within this many ms (default 5000). */
  timeoutMs?: number;
}

export interface SocketEventOptions extends SocketSendOptions {
  /** `retry_attempt` / `retry_reason` of a redelivered event (default 0 / '', as Slack sends a first delivery). */
  retryAttempt?: number;
  retryReason?: string;
}

interface Connection {
  ws: WebSocket;
  /** The hello has been written to the socket. */
  greeted: boolean;
  /** A `disconnect` was sent: the client is expected to close it and open a new one. */
  disconnecting: boolean;
  ping: NodeJS.Timeout;
}

interface PendingAck {
  type: string;
  sentAt: number;
  timer: NodeJS.Timeout;
  resolve(ack: SocketAck): void;
  reject(error: Error): void;
}

const DEFAULT_ACK_TIMEOUT_MS = 5000;
const PING_INTERVAL_MS = 10_000;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly connections: Connection[] = [];
  private readonly pending = new Map<string, PendingAck>();
  /** envelope_id → type of every envelope sent, to label acks (also late or duplicate ones). */
  private readonly sentTypes = new Map<string, string>();
  private readonly greetedListeners = new Set<() => void>();

  constructor(private readonly state: DoubleState) {}

  /** The apps.connections.open reply (the caller has checked the app token): a fresh single-use WebSocket URL. */
  openConnection(): ApiReply {
    const ticket = randomUUID().replaceAll('-', '');
    this.tickets.add(ticket);
    return { ok: true, url: `${this.state.origin.replace(/^http/, 'ws')}${SOCKET_PATH_PREFIX}${ticket}` };
  }

  /** For the HTTP server's `upgrade` event: accepts only an unused URL from openConnection, destroys the rest. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const ticket = path.startsWith(SOCKET_PATH_PREFIX) ? path.slice(SOCKET_PATH_PREFIX.length) : '';
    if (!this.tickets.delete(ticket)) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  openCount(): number {
    return this.connections.filter((c) => c.ws.readyState === WebSocket.OPEN).length;
  }

  waitForSocket(timeoutMs = 10_000): Promise<void> {
    if (this.target()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (!this.target()) return;
        clearTimeout(timer);
        this.greetedListeners.delete(listener);
        resolve();
      };
      const timer = setTimeout(() => {
        this.greetedListeners.delete(listener);
        reject(new Error(`waitForSocket: no Socket Mode connection got its hello within ${timeoutMs} ms`));
      }, timeoutMs);
      this.greetedListeners.add(listener);
    });
  }

  slashCommand(input: SlashCommandInput, options: SocketSendOptions = {}): Promise<SocketAck> {
    return this.send('slash_commands', slashCommandFields(input), { accepts_response_payload: true }, options);
  }

  blockAction(input: BlockActionInput, options: SocketSendOptions = {}): Promise<SocketAck> {
    return this.send('interactive', blockActionPayload(input), { accepts_response_payload: false }, options);
  }

  event(
    event: Record<string, unknown>,
    envelope: EventEnvelopeInput,
    options: SocketEventOptions = {},
  ): Promise<SocketAck> {
    const extra = {
      accepts_response_payload: false,
      retry_attempt: options.retryAttempt ?? 0,
      retry_reason: options.retryReason ?? '',
    };
    return this.send('events_api', eventCallback(event, envelope), extra, options);
  }

  /** Tells the most recent connection to go away; it stops being a target and the client opens a new one. */
  disconnect(reason = 'refresh_requested'): void {
    const conn = this.target();
    if (!conn) throw new Error('socketDisconnect: no open Socket Mode connection');
    conn.disconnecting = true;
    this.state.calls.push({ method: SOCKET_DISCONNECT, args: { reason }, atMs: Date.now() });
    conn.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'double' } }));
  }

  async close(): Promise<void> {
    for (const [envelopeId, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new Error(`Socket Mode envelope ${envelopeId} (${pending.type}): the double closed before its ack`),
      );
    }
    this.pending.clear();
    this.tickets.clear();
    for (const conn of this.connections) {
      clearInterval(conn.ping);
      conn.ws.terminate();
    }
    this.connections.length = 0;
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** The most recent open connection that got its hello and was not told to disconnect. */
  private target(): Connection | undefined {
    return this.connections.findLast((c) => c.greeted && !c.disconnecting && c.ws.readyState === WebSocket.OPEN);
  }

  private onConnection(ws: WebSocket): void {
    const ping = setInterval(() => ws.ping(), PING_INTERVAL_MS);
    ping.unref();
    const conn: Connection = { ws, greeted: false, disconnecting: false, ping };
    this.connections.push(conn);
    ws.on('error', () => {});
    ws.on('close', () => {
      clearInterval(conn.ping);
      const index = this.connections.indexOf(conn);
      if (index >= 0) this.connections.splice(index, 1);
    });
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      if (!isBinary) this.onMessage(raw.toString());
    });
    const hello = {
      type: 'hello',
      num_connections: this.connections.length,
      debug_info: { host: 'double', approximate_connection_time: 18060 },
      connection_info: { app_id: this.state.ids.appId },
    };
    ws.send(JSON.stringify(hello), (error) => {
      if (error) return;
      conn.greeted = true;
      for (const listener of [...this.greetedListeners]) listener();
    });
  }

  private onMessage(text: string): void {
    let message: Record<string, unknown>;
    try {
      message = asRecord(JSON.parse(text));
    } catch {
      return;
    }
    const envelopeId = message.envelope_id;
    if (typeof envelopeId !== 'string') return;
    const payload = asRecord(message.payload);
    const type = this.sentTypes.get(envelopeId) ?? 'unknown';
    this.state.calls.push({ method: SOCKET_ACK, args: { envelope_id: envelopeId, type, payload }, atMs: Date.now() });
    const pending = this.pending.get(envelopeId);
    if (!pending) return;
    this.pending.delete(envelopeId);
    clearTimeout(pending.timer);
    pending.resolve({ envelopeId, ackedInMs: performance.now() - pending.sentAt, ackPayload: payload });
  }

  private send(
    type: string,
    payload: Record<string, unknown>,
    extra: Record<string, unknown>,
    options: SocketSendOptions,
  ): Promise<SocketAck> {
    const conn = this.target();
    if (!conn) return Promise.reject(new Error(`Socket Mode: no open connection to send a ${type} envelope on`));
    const envelopeId = randomUUID();
    const timeoutMs = options.timeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.sentTypes.set(envelopeId, type);
    this.state.calls.push({ method: SOCKET_SEND, args: { envelope_id: envelopeId, type, payload }, atMs: Date.now() });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`Socket Mode envelope ${envelopeId} (${type}) was not acked within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, { type, sentAt: performance.now(), timer, resolve, reject });
      conn.ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, ...extra }), (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pending.delete(envelopeId);
        reject(new Error(`Socket Mode envelope ${envelopeId} (${type}) could not be sent: ${error.message}`));
      });
    });
  }
}

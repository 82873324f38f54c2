/**
 * Standard Webhooks delivery for terminal requests. One webhook-id per delivery, kept across retries and
 * replays; each attempt is re-signed with a fresh timestamp by every signing secret (rotation sends
 * several signatures). Retries only on network errors and 5xx. A private undici Agent is destroyed on
 * close so no keep-alive socket outlives the simulator.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { Logger } from '../../log.js';
import type { Timers } from './timers.js';
import type { WebhookDeliveryInfo } from './types.js';

const SEND_TIMEOUT_MS = 10_000;

interface Delivery extends WebhookDeliveryInfo {
  readonly body: string;
}

export interface WebhookSenderOptions {
  secrets: string[];
  retryDelaysMs: number[];
  timers: Timers;
  logger: Logger;
}

export class WebhookSender {
  private readonly list: Delivery[] = [];
  private readonly agent = new Agent({ keepAliveTimeout: 1_000, connect: { timeout: SEND_TIMEOUT_MS } });
  private readonly inflight = new Set<AbortController>();
  private readonly signers: Webhook[];
  private closed = false;

  constructor(private readonly options: WebhookSenderOptions) {
    this.signers = options.secrets.map((secret) => new Webhook(secret));
  }

  /** Starts delivering `payload` to `url` (fire and forget; retries are scheduled on the shared timers). */
  deliver(requestId: string, url: string, payload: unknown): void {
    const delivery: Delivery = {
      requestId,
      webhookId: `msg_${randomUUID()}`,
      url,
      body: JSON.stringify(payload),
      attempts: 0,
      lastStatus: null,
      deliveredAtMs: null,
    };
    this.list.push(delivery);
    void this.attempt(delivery, 0);
  }

  /** Sends the last delivery of this request again, same webhook-id, one attempt. */
  async redeliver(requestId: string): Promise<void> {
    const delivery = this.list.findLast((d) => d.requestId === requestId);
    if (!delivery) throw new Error(`No webhook was delivered for request ${requestId}`);
    await this.send(delivery);
  }

  deliveries(): WebhookDeliveryInfo[] {
    return this.list.map(({ requestId, webhookId, url, attempts, lastStatus, deliveredAtMs }) => ({
      requestId,
      webhookId,
      url,
      attempts,
      lastStatus,
      deliveredAtMs,
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.inflight) controller.abort();
    await this.agent.destroy();
  }

  private async attempt(delivery: Delivery, retryIndex: number): Promise<void> {
    const status = await this.send(delivery);
    if (status !== null && status < 500) return; // delivered, or refused with a 4xx: never retried
    const delay = this.options.retryDelaysMs[retryIndex];
    if (delay === undefined || this.closed) return;
    this.options.timers.set(() => void this.attempt(delivery, retryIndex + 1), delay);
  }

  /** One POST; the HTTP status, or null on a network error or timeout. */
  private async send(delivery: Delivery): Promise<number | null> {
    if (this.closed) return null;
    const date = new Date();
    const signature = this.signers.map((signer) => signer.sign(delivery.webhookId, date, delivery.body)).join(' ');
    const controller = new AbortController();
    this.inflight.add(controller);
    const stopTimer = this.options.timers.set(() => controller.abort(), SEND_TIMEOUT_MS);
    delivery.attempts++;
    try {
      const res = await request(delivery.url, {
        method: 'POST',
        dispatcher: this.agent,
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'higgsfield-simulator',
          'webhook-id': delivery.webhookId,
          'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: delivery.body,
      });
      await res.body.dump();
      delivery.lastStatus = res.statusCode;
      if (res.statusCode >= 200 && res.statusCode < 300) delivery.deliveredAtMs = Date.now();
      this.options.logger.debug(
        { requestId: delivery.requestId, webhookId: delivery.webhookId, status: res.statusCode },
        'simulator webhook sent',
      );
      return res.statusCode;
    } catch (err) {
      delivery.lastStatus = null;
      this.options.logger.debug({ requestId: delivery.requestId, err }, 'simulator webhook failed');
      return null;
    } finally {
      stopTimer();
      this.inflight.delete(controller);
    }
  }
}

/**
 * Redis during a run, on its own connection: peak `used_memory` (one INFO a second), and at the end the
 * commands executed (INFO stats; commands inside Lua scripts count too) and server CPU seconds used.
 */
import { Redis } from 'ioredis';

export class RedisSampler {
  baselineBytes = 0;
  peakBytes = 0;
  commands: number | undefined;
  cpuSeconds: number | undefined;
  private commandsStart = 0;
  private cpuStart = 0;
  private readonly redis: Redis;
  private timer: NodeJS.Timeout | undefined;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, connectionName: 'bench-sampler' });
    this.redis.on('error', () => {});
  }

  private async field(section: string, name: string): Promise<number> {
    const info = await this.redis.info(section);
    return Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  }

  private async cpu(): Promise<number> {
    return (await this.field('cpu', 'used_cpu_user')) + (await this.field('cpu', 'used_cpu_sys'));
  }

  async start(): Promise<void> {
    this.baselineBytes = await this.field('memory', 'used_memory');
    this.peakBytes = this.baselineBytes;
    this.commandsStart = await this.field('stats', 'total_commands_processed');
    this.cpuStart = await this.cpu();
    this.timer = setInterval(() => {
      this.field('memory', 'used_memory').then(
        (bytes) => {
          this.peakBytes = Math.max(this.peakBytes, bytes);
        },
        () => undefined,
      );
    }, 1_000);
  }

  /** Reads the end counters, then closes the connection. */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    try {
      this.peakBytes = Math.max(this.peakBytes, await this.field('memory', 'used_memory'));
      this.commands = (await this.field('stats', 'total_commands_processed')) - this.commandsStart;
      this.cpuSeconds = (await this.cpu()) - this.cpuStart;
    } catch {
      // figures stay undefined
    }
    this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.redis.disconnect();
  }
}

import { describe, expect, it } from 'vitest';
import { AppError, BadInputError, ErrorCode, toUserMessage } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { onShutdown } from '../src/shutdown.js';
import { Capture } from './support/capture.js';

function lines(capture: Capture): Array<Record<string, unknown>> {
  return capture.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('logging', () => {
  it('redacts keys, tokens and Authorization headers at any depth, in child loggers too', () => {
    const out = new Capture();
    const log = createLogger({ level: 'info', destination: out }).child({ module: 'test' });
    log.info(
      {
        config: { higgsfield: { credentials: { keyId: 'id', keySecret: 'hf-secret' } }, discord: { token: 'dt' } },
        headers: { authorization: 'Key id:hf-secret', 'x-correlation-id': 'corr-1' },
        apiKey: 'sk-ant-123',
        env: { SLACK_BOT_TOKEN: 'xoxb-999' },
      },
      'hello',
    );
    expect(out.text).not.toMatch(/hf-secret|sk-ant-123|xoxb-999|"dt"/);
    const [record] = lines(out);
    expect(record).toMatchObject({ module: 'test', msg: 'hello', apiKey: '[redacted]' });
    expect(JSON.stringify(record)).toContain('corr-1');
  });

  it('writes one readable line per entry for a terminal, redacted the same way', () => {
    const out = new Capture();
    const log = createLogger({ level: 'warn', destination: out, format: 'line' });
    log.info({ detail: 'quiet' }, 'not shown below warn');
    log.warn({ status: 503, headers: { authorization: 'Key id:hf-secret' } }, 'higgsfield error');
    const written = out.text.split('\n').filter(Boolean);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\d\d:\d\d:\d\d warn {2}higgsfield error · .*status=503/);
    expect(out.text).not.toContain('hf-secret');
    expect(out.text).not.toMatch(/^\{/m);
  });
});

describe('errors', () => {
  it('shows people the user message of an expected error, and a reference for a bug', () => {
    expect(toUserMessage(new BadInputError('The prompt is empty.'), 'ref-1')).toBe('The prompt is empty.');
    const bug = toUserMessage(new TypeError('x is undefined'), 'ref-2');
    expect(bug).toContain('ref-2');
    expect(bug).not.toContain('undefined');
    const internal = new AppError(ErrorCode.Internal, 'invariant broken', { kind: 'internal' });
    expect(toUserMessage(internal, 'ref-3')).toContain('ref-3');
  });
});

describe('graceful shutdown', () => {
  const quiet = () => createLogger({ level: 'silent' });

  it('closes everything once, in order, and exits 0', async () => {
    const order: string[] = [];
    const closer = (name: string) => ({ name, close: async () => void order.push(name) });
    const handle = onShutdown([closer('adapters'), closer('queue'), closer('redis')], {
      logger: quiet(),
      signals: [],
    });
    const [a, b] = await Promise.all([handle.shutdown('test'), handle.shutdown('again')]);
    expect([a, b]).toEqual([0, 0]);
    expect(order).toEqual(['adapters', 'queue', 'redis']);
    handle.dispose();
  });

  it('keeps closing after a failure and reports exit code 1', async () => {
    const closed: string[] = [];
    const handle = onShutdown(
      [
        { name: 'broken', close: () => Promise.reject(new Error('boom')) },
        { name: 'redis', close: () => void closed.push('redis') },
      ],
      { logger: quiet(), signals: [] },
    );
    expect(await handle.shutdown('test')).toBe(1);
    expect(closed).toEqual(['redis']);
  });

  it('gives up at the deadline rather than hanging', async () => {
    const handle = onShutdown([{ name: 'stuck', close: () => new Promise<void>(() => {}) }], {
      logger: quiet(),
      graceMs: 50,
      signals: [],
    });
    const started = performance.now();
    expect(await handle.shutdown('test')).toBe(1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('exits at once on a second signal', async () => {
    const exits: number[] = [];
    const handle = onShutdown([{ name: 'slow', close: () => new Promise<void>((r) => setTimeout(r, 200)) }], {
      logger: quiet(),
      signals: ['SIGUSR2'],
      exit: (code) => exits.push(code),
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(exits).toEqual([1]);
    await new Promise((r) => setTimeout(r, 300));
    expect(exits).toEqual([1, 0]);
    handle.dispose();
  });
});

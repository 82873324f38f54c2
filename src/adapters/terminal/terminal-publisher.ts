/**
 * The terminal's publisher: results and failures as plain lines on a stream (the CLI's stdout, or a
 * worker's log when a terminal generation runs in another process). Idempotent per delivery id.
 */
import type { Writable } from 'node:stream';
import type { Publisher } from '../../core/ports.js';
import type { GenerationFailure, GenerationResult } from '../../core/types.js';

export function createTerminalPublisher(out: Writable): Publisher {
  const delivered = new Set<string>();
  const write = (text: string) => out.write(`${text}\n`);
  return {
    platform: 'terminal',
    async postResult(result: GenerationResult, deliveryId: string) {
      if (delivered.has(deliveryId)) return;
      delivered.add(deliveryId);
      const seconds = (result.durationMs / 1_000).toFixed(1);
      write(`✔ ${result.option.label} — done in ${seconds} s (${result.option.modelId})`);
      for (const asset of result.assets) {
        const size = (asset.sizeBytes / 1_048_576).toFixed(2);
        write(`  saved: ${asset.path ?? asset.key}  (${asset.contentType}, ${size} MB)`);
        write(`  url:   ${asset.url}`);
      }
    },
    async postFailure(failure: GenerationFailure, deliveryId: string) {
      if (delivered.has(deliveryId)) return;
      delivered.add(deliveryId);
      write(`✖ ${failure.option.label}: ${failure.message}`);
    },
  };
}

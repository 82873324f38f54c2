/**
 * The terminal's publisher: results and failures as plain lines on a stream (the CLI's stdout, or a
 * worker's log when a terminal generation runs in another process). Idempotent per delivery id: a line is
 * written at most once per process, and a delivery the ledger shows as begun is not written again (a local
 * write either happened or its process, and the person's terminal with it, is gone). It has no status
 * message (no `showStatus`): the terminal chat prints each job's progress lines itself, from the progress bus.
 */
import type { Writable } from 'node:stream';
import type { DeliveryLedger, Publisher } from '../../core/ports.js';
import type { GenerationFailure, GenerationResult } from '../../core/types.js';

export function createTerminalPublisher(out: Writable): Publisher {
  const delivered = new Set<string>();
  const write = (text: string) => out.write(`${text}\n`);
  /** True when this delivery is to be written now (and marks it begun). */
  const first = async (deliveryId: string, ledger: DeliveryLedger | undefined) => {
    if (delivered.has(deliveryId) || (await ledger?.state('terminal-lines'))) return false;
    delivered.add(deliveryId);
    await ledger?.begin('terminal-lines');
    return true;
  };
  return {
    platform: 'terminal',
    async postResult(result: GenerationResult, deliveryId: string, ledger?: DeliveryLedger) {
      if (!(await first(deliveryId, ledger))) return;
      const seconds = (result.durationMs / 1_000).toFixed(1);
      write(`✔ ${result.option.label} — done in ${seconds} s (${result.option.modelId})`);
      for (const asset of result.assets) {
        const size = (asset.sizeBytes / 1_048_576).toFixed(2);
        write(`  saved: ${asset.path ?? asset.key}  (${asset.contentType}, ${size} MB)`);
        write(`  url:   ${asset.url}`);
      }
    },
    async postFailure(failure: GenerationFailure, deliveryId: string, ledger?: DeliveryLedger) {
      if (!(await first(deliveryId, ledger))) return;
      write(`✖ ${failure.option.label}: ${failure.message}`);
    },
  };
}

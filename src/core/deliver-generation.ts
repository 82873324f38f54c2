/**
 * The delivery step: fetch each output into the media store (streamed, size- and type-checked), then post
 * the result through the conversation's publisher exactly once. Retrying the whole step is safe: stored
 * files are overwritten, a delivery already marked posted is not posted again, and the publisher gets the
 * delivery's ledger to skip (or look for, on the platform) the parts an interrupted attempt may have sent.
 */
import type { DeliveryLedger, MediaStore, Publisher } from './ports.js';
import type { ProviderOutput } from './provider.js';
import type { ConversationRef, GenerationOption, GenerationResult, MediaAsset } from './types.js';

export type { ProviderOutput } from './provider.js';

/** Streams one provider URL into the store under `key` (infrastructure supplies it). */
export type DownloadMedia = (input: {
  url: string;
  key: string;
  allowedTypes: readonly string[];
  signal?: AbortSignal;
}) => Promise<MediaAsset>;

export interface DeliveryDeps {
  store: MediaStore;
  download: DownloadMedia;
  publisher: Publisher;
  /** The delivery's own ledger: its 'done' mark is checked first, and each part's marks are the publisher's. */
  ledgerFor: (deliveryId: string) => DeliveryLedger;
}

export interface DeliveryInput {
  generationId: string;
  option: GenerationOption;
  conversation: ConversationRef;
  outputs: readonly ProviderOutput[];
  submittedAtMs: number;
  nowMs: number;
  signal?: AbortSignal;
}

/** The ledger step that marks a whole delivery posted. */
export const WHOLE = 'posted';

const ALLOWED: Record<ProviderOutput['type'], readonly string[]> = {
  image: ['image/'],
  video: ['video/'],
  audio: ['audio/'],
};

const DEFAULT_EXTENSION: Record<ProviderOutput['type'], string> = { image: 'png', video: 'mp4', audio: 'mp3' };

/** `2026/11/21/<generationId>-0.png`: dated folders keep local directories small. */
export function mediaKey(generationId: string, index: number, output: ProviderOutput, nowMs: number): string {
  const date = new Date(nowMs).toISOString().slice(0, 10).replaceAll('-', '/');
  const fromUrl = /\.([a-z0-9]{2,4})(?:$|\?)/i.exec(new URL(output.url).pathname)?.[1]?.toLowerCase();
  return `${date}/${generationId}-${index}.${fromUrl ?? DEFAULT_EXTENSION[output.type]}`;
}

export async function deliverGeneration(deps: DeliveryDeps, input: DeliveryInput): Promise<GenerationResult> {
  const assets: MediaAsset[] = [];
  for (const [index, output] of input.outputs.entries()) {
    const key = mediaKey(input.generationId, index, output, input.nowMs);
    assets.push(
      await deps.download({
        url: output.url,
        key,
        allowedTypes: ALLOWED[output.type],
        ...(input.signal ? { signal: input.signal } : {}),
      }),
    );
  }
  const result: GenerationResult = {
    generationId: input.generationId,
    option: input.option,
    conversation: input.conversation,
    assets,
    durationMs: Math.max(0, input.nowMs - input.submittedAtMs),
  };
  const deliveryId = input.generationId;
  const ledger = deps.ledgerFor(deliveryId);
  if ((await ledger.state(WHOLE)) !== 'done') {
    await deps.publisher.postResult(result, deliveryId, ledger);
    await ledger.done(WHOLE);
  }
  return result;
}

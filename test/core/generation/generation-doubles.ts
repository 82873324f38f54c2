/**
 * The generation use case's ports in memory, for specs of its decisions: a provider that answers as it is
 * told (and notes what it was asked), records in maps, a bus and a publisher that keep what they were
 * given, a clock the spec moves by hand. Nothing here decides anything: the steps under test do.
 */
import type {
  GenerationDeps,
  GenerationRecord,
  TrackedGeneration,
} from '../../../src/core/generation/generation-ports.js';
import type { DeliveryLedger, DeliveryStepState, Publisher } from '../../../src/core/ports.js';
import type {
  GenerationProvider,
  ModelFacts,
  ProviderCancel,
  ProviderRequest,
  ProviderStatus,
} from '../../../src/core/provider.js';
import type {
  GenerationFailure,
  GenerationResult,
  GenerationSpec,
  GenerationState,
  MediaAsset,
  ProgressEvent,
} from '../../../src/core/types.js';

export const MODEL: ModelFacts = {
  id: 'sim/portrait',
  title: 'Portrait Studio',
  kind: 'text-to-image',
  typicalSeconds: 20,
  deadlineMs: 10 * 60_000,
};

export function request(status: ProviderStatus, extra: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    requestId: 'req-1',
    status,
    terminal: ['completed', 'failed', 'nsfw', 'canceled'].includes(status),
    outputs: [],
    ...extra,
  };
}

/** A provider that answers from the spec's script and notes every call. */
export class ScriptedProvider implements GenerationProvider {
  readonly submits: Array<{ prompt: string; idempotencyKey: string; webhookUrl?: string }> = [];
  readonly statusReads: string[] = [];
  readonly cancels: string[] = [];
  /** What the next submit does: answer with this request, or throw this error. */
  onSubmit: () => Promise<ProviderRequest> = async () => request('queued');
  onStatus: () => Promise<ProviderRequest> = async () => request('queued');
  cancelAnswer: ProviderCancel = 'canceled';

  model(modelId: string): ModelFacts | undefined {
    return modelId === MODEL.id ? MODEL : undefined;
  }
  async submit(
    option: Parameters<GenerationProvider['submit']>[0],
    opts: Parameters<GenerationProvider['submit']>[1],
  ): Promise<ProviderRequest> {
    this.submits.push({
      prompt: option.prompt,
      idempotencyKey: opts.idempotencyKey,
      ...(opts.webhookUrl ? { webhookUrl: opts.webhookUrl } : {}),
    });
    return this.onSubmit();
  }
  async status(requestId: string): Promise<ProviderRequest> {
    this.statusReads.push(requestId);
    return this.onStatus();
  }
  async cancel(requestId: string): Promise<ProviderCancel> {
    this.cancels.push(requestId);
    return this.cancelAnswer;
  }
  async upload(): Promise<string> {
    return 'https://provider.example/upload.png';
  }
  async estimate(): Promise<number> {
    return 2;
  }
  async styles() {
    return [];
  }
  async motions() {
    return [];
  }
}

export class MemoryRecords {
  readonly records = new Map<string, GenerationRecord>();
  readonly marks = new Map<string, DeliveryStepState>();
  readonly durations: Array<{ modelId: string; ms: number }> = [];
  readonly hooks = new Map<string, ProviderRequest>();
  readonly submitted: Array<{ generationId: string; requestId: string; nowMs: number }> = [];
  /** Called after every `get`: lets a spec change the world between two reads (a cancel arriving). */
  afterGet: (generationId: string) => void = () => {};

  async get(generationId: string) {
    const record = this.records.get(generationId);
    this.afterGet(generationId);
    return record ? { ...record } : undefined;
  }
  async update(generationId: string, patch: { state: GenerationState }) {
    const record = this.records.get(generationId);
    if (record) Object.assign(record, patch);
  }
  async markSubmitted(generationId: string, requestId: string, nowMs: number) {
    this.submitted.push({ generationId, requestId, nowMs });
    const record = this.records.get(generationId);
    if (!record) return;
    if (record.state !== 'canceled') record.state = 'submitted';
    record.requestId = requestId;
    record.submittedAtMs = nowMs;
  }
  async finish(generationId: string, state: GenerationState, _spec: GenerationSpec, assets?: MediaAsset[]) {
    const record = this.records.get(generationId);
    if (!record) return;
    record.state = state;
    if (assets) record.assets = assets;
  }
  ledger(deliveryId: string): DeliveryLedger {
    return {
      state: async (step) => this.marks.get(`${deliveryId}:${step}`),
      begin: async (step) => {
        if (!this.marks.has(`${deliveryId}:${step}`)) this.marks.set(`${deliveryId}:${step}`, 'begun');
      },
      done: async (step) => void this.marks.set(`${deliveryId}:${step}`, 'done'),
    };
  }
  async typicalDurationMs(modelId: string) {
    const mine = this.durations.filter((d) => d.modelId === modelId).map((d) => d.ms);
    return mine.length ? mine.sort((a, b) => a - b)[Math.floor(mine.length / 2)] : undefined;
  }
  async recordDuration(modelId: string, ms: number) {
    this.durations.push({ modelId, ms });
  }
  async deliveredStatus(generationId: string) {
    return this.hooks.get(generationId);
  }
}

export class RecordingPublisher implements Publisher {
  readonly platform = 'terminal';
  readonly results: GenerationResult[] = [];
  readonly failures: GenerationFailure[] = [];
  async postResult(result: GenerationResult) {
    this.results.push(result);
  }
  async postFailure(failure: GenerationFailure) {
    this.failures.push(failure);
  }
}

export interface World {
  deps: GenerationDeps;
  provider: ScriptedProvider;
  records: MemoryRecords;
  publisher: RecordingPublisher;
  events: ProgressEvent[];
  downloads: string[];
  /** How often a slot at the provider was reported free. */
  slotsFreed: () => number;
  clock: { nowMs: number };
}

export function world(overrides: Partial<GenerationDeps> = {}): World {
  const provider = new ScriptedProvider();
  const records = new MemoryRecords();
  const publisher = new RecordingPublisher();
  const events: ProgressEvent[] = [];
  const downloads: string[] = [];
  const clock = { nowMs: 1_000_000 };
  let freed = 0;
  const deps: GenerationDeps = {
    provider,
    records,
    bus: {
      publish: async (event) => void events.push(event),
      subscribe: async () => async () => {},
    },
    publishers: new Map([['terminal', publisher]]),
    store: {
      kind: 'local',
      put: async () => {
        throw new Error('the deliver step downloads through `download`');
      },
      open: async () => {
        throw new Error('not used');
      },
      link: async () => {
        throw new Error('not used by the steps');
      },
      remove: async () => {
        throw new Error('not used by the steps');
      },
      exists: async () => false,
    },
    download: async ({ url, key }) => {
      downloads.push(url);
      return { key, contentType: 'image/png', sizeBytes: 3, url: `https://media.example/${key}`, providerUrl: url };
    },
    slots: { freed: async () => void freed++ },
    policy: {
      deadlineScale: 1,
      maxQueueWaitMs: 2 * 3_600_000,
      concurrencyBackoffMs: 5_000,
      poll: { baseMs: 2_000, factor: 1.5, maxMs: 10_000, jitterRatio: 0 },
      pollWithWebhook: { baseMs: 15_000, factor: 2, maxMs: 60_000, jitterRatio: 0 },
    },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    now: () => clock.nowMs,
    random: () => 0.5,
    ...overrides,
  };
  return { deps, provider, records, publisher, events, downloads, slotsFreed: () => freed, clock };
}

export function spec(prompt = 'a lighthouse at dusk'): GenerationSpec {
  return {
    option: { kind: 'text-to-image', modelId: MODEL.id, prompt, params: {}, label: 'Lighthouse', reason: 'test' },
    conversation: { platform: 'terminal', workspaceId: 'local', channelId: 'c1', threadId: 'c1', userId: 'ada' },
  };
}

/** A generation queued in the records, as enqueue leaves it. */
export function queued(w: World, generationId = 'gen-1', prompt?: string): GenerationRecord {
  const record: GenerationRecord = { generationId, spec: spec(prompt), state: 'queued', enqueuedAtMs: w.clock.nowMs };
  w.records.records.set(generationId, record);
  return record;
}

/** A generation the provider accepted `ago` ms before now. */
export function tracked(w: World, ago = 60_000, extra: Partial<TrackedGeneration> = {}): TrackedGeneration {
  const record = queued(w);
  const submittedAtMs = w.clock.nowMs - ago;
  Object.assign(record, { state: 'submitted', requestId: 'req-1', submittedAtMs });
  return {
    generationId: record.generationId,
    spec: record.spec,
    requestId: 'req-1',
    submittedAtMs,
    deadlineAtMs: submittedAtMs + MODEL.deadlineMs,
    polls: 0,
    ...extra,
  };
}

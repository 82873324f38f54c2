/**
 * A HistoryStore in memory, for specs that are about what reaches the store rather than about the database
 * (the history feed, retention). It honours the port's promises: recordProgress is idempotent on
 * (generationId, state), recordTurn on turnId, states are kept in time order and the current one is the
 * furthest, whatever order they arrive in,
 * `get` takes the full or the short id, `purge` deletes whole conversations last active before the cutoff.
 *
 * What a spec can do to it: `fail(error)` makes every write throw (a database outage) until `recover()`;
 * `hold()` makes writes wait until the returned release is called (a slow or hung database). What a spec can
 * read: `written` (writes that answered, duplicates included — one per entry the feed delivered), `attempts`
 * (every call, failed ones too), `rows` (each turn and each state row once, in the order they were created).
 */
import { Readable } from 'node:stream';
import {
  type HistoryAsset,
  type HistoryDeletion,
  type HistoryEntry,
  type HistoryPage,
  type HistoryQuery,
  type HistoryStore,
  type HistoryTurn,
  shortId,
} from '../../src/core/history.js';
import type { MediaStore } from '../../src/core/ports.js';
import type {
  ConversationRef,
  GenerationOption,
  GenerationState,
  Platform,
  ProgressEvent,
} from '../../src/core/types.js';
import { GENERATION_STATES } from '../../src/core/types.js';

const STATE_ORDER: readonly GenerationState[] = GENERATION_STATES;

interface StoredGeneration {
  generationId: string;
  conversation: ConversationRef;
  option?: GenerationOption;
  /** The first event's model and label, until the 'queued' event brings the recipe. */
  modelId: string;
  label?: string;
  states: Array<{ state: GenerationState; atMs: number }>;
  failure?: HistoryEntry['failure'];
  assets: HistoryAsset[];
}

export interface MemoryHistoryStore extends HistoryStore {
  fail(error: Error): void;
  recover(): void;
  /** Writes wait from now on until the returned function is called. */
  hold(): () => void;
  readonly written: { turns: number; progress: number };
  readonly attempts: { turns: number; progress: number };
  /** `turn:<turnId>` and `<generationId>:<state>`, once each, in creation order. */
  readonly rows: string[];
  readonly turns: ReadonlyMap<string, HistoryTurn>;
  readonly purges: number;
  /** A generation as it is stored now (undefined when unknown). */
  generation(generationId: string): HistoryEntry | undefined;
}

export function createMemoryHistoryStore(): MemoryHistoryStore {
  const turns = new Map<string, HistoryTurn>();
  const generations = new Map<string, StoredGeneration>();
  const rows: string[] = [];
  const written = { turns: 0, progress: 0 };
  const attempts = { turns: 0, progress: 0 };
  let failure: Error | undefined;
  let gate: Promise<void> | undefined;
  let purges = 0;

  const enter = async () => {
    if (gate) await gate;
    if (failure) throw failure;
  };

  const entryOf = (g: StoredGeneration): HistoryEntry => {
    const last = g.states[g.states.length - 1];
    const first = g.states[0];
    return {
      generationId: g.generationId,
      conversation: g.conversation,
      option: g.option ?? {
        kind: 'text-to-image',
        modelId: g.modelId,
        prompt: '',
        params: {},
        label: g.label ?? g.modelId,
        reason: '',
      },
      // The furthest state, whatever order they arrived in (as the PostgreSQL store does).
      state: g.states.reduce<GenerationState>(
        (far, s) => (STATE_ORDER.indexOf(s.state) > STATE_ORDER.indexOf(far) ? s.state : far),
        'queued',
      ),
      states: [...g.states],
      createdAtMs: first?.atMs ?? 0,
      updatedAtMs: last?.atMs ?? 0,
      ...(g.failure ? { failure: g.failure } : {}),
      assets: [...g.assets],
    };
  };

  const deleteWhere = (doomed: (conversation: ConversationRef, lastActiveMs: number) => boolean): HistoryDeletion => {
    const lastActive = new Map<string, number>();
    const touch = (c: ConversationRef, atMs: number) =>
      lastActive.set(conversationKey(c), Math.max(lastActive.get(conversationKey(c)) ?? 0, atMs));
    for (const t of turns.values()) touch(t.conversation, t.atMs);
    for (const g of generations.values()) touch(g.conversation, entryOf(g).updatedAtMs);
    const gone = (c: ConversationRef) => doomed(c, lastActive.get(conversationKey(c)) ?? 0);
    const deletion: HistoryDeletion = { generations: 0, turns: 0, mediaKeys: [] };
    for (const [id, t] of turns) {
      if (!gone(t.conversation)) continue;
      turns.delete(id);
      deletion.turns++;
    }
    for (const [id, g] of generations) {
      if (!gone(g.conversation)) continue;
      generations.delete(id);
      deletion.generations++;
      deletion.mediaKeys.push(...g.assets.map((a) => a.key));
    }
    return deletion;
  };

  return {
    written,
    attempts,
    rows,
    turns,
    get purges() {
      return purges;
    },
    fail(error) {
      failure = error;
    },
    recover() {
      failure = undefined;
    },
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
    generation(generationId) {
      const g = generations.get(generationId);
      return g ? entryOf(g) : undefined;
    },

    async recordTurn(turn) {
      attempts.turns++;
      await enter();
      if (!turns.has(turn.turnId)) {
        turns.set(turn.turnId, turn);
        rows.push(`turn:${turn.turnId}`);
      }
      written.turns++;
    },

    async recordProgress(event: ProgressEvent) {
      attempts.progress++;
      await enter();
      let g = generations.get(event.generationId);
      if (!g) {
        g = {
          generationId: event.generationId,
          conversation: event.conversation,
          modelId: event.modelId,
          states: [],
          assets: [],
        };
        if (event.label !== undefined) g.label = event.label;
        generations.set(event.generationId, g);
      }
      if (event.option) g.option = event.option;
      if (!g.states.some((s) => s.state === event.state)) {
        g.states.push({ state: event.state, atMs: event.atMs });
        g.states.sort((a, b) => a.atMs - b.atMs || STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state));
        rows.push(`${event.generationId}:${event.state}`);
      }
      if (event.state === 'done' && event.assets && g.assets.length === 0) {
        g.assets = event.assets.map((a, index) => ({
          index,
          key: a.key,
          contentType: a.contentType,
          sizeBytes: a.sizeBytes,
          providerUrl: a.providerUrl,
        }));
      }
      if ((event.state === 'failed' || event.state === 'canceled') && event.reason) {
        g.failure = { reason: event.reason, message: event.message ?? '' };
      }
      written.progress++;
    },

    async list(query: HistoryQuery): Promise<HistoryPage> {
      if (failure) throw failure;
      const words = (query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const mine = [...generations.values()]
        .map(entryOf)
        .filter((e) => e.conversation.platform === query.platform && e.conversation.userId === query.userId)
        .filter((e) => words.every((w) => e.option.prompt.toLowerCase().includes(w)))
        .sort((a, b) => b.createdAtMs - a.createdAtMs || b.generationId.localeCompare(a.generationId));
      const start = query.cursor ? Number(query.cursor) : 0;
      const items = mine.slice(start, start + query.limit);
      const more = start + query.limit < mine.length;
      return more ? { items, nextCursor: String(start + query.limit) } : { items };
    },

    async get(id, prefer) {
      if (failure) throw failure;
      const exact = generations.get(id);
      if (exact) return entryOf(exact);
      const matches = [...generations.values()].filter((g) => shortId(g.generationId) === id);
      const own = prefer
        ? matches.find((g) => g.conversation.platform === prefer.platform && g.conversation.userId === prefer.userId)
        : undefined;
      const short = own ?? matches[0];
      return short ? entryOf(short) : undefined;
    },

    async forget(platform: Platform, userId: string) {
      if (failure) throw failure;
      return deleteWhere((c) => c.platform === platform && c.userId === userId);
    },

    async purge(beforeMs) {
      if (failure) throw failure;
      purges++;
      return deleteWhere((_c, lastActiveMs) => lastActiveMs < beforeMs);
    },

    async close() {},
  };
}

function conversationKey(c: ConversationRef): string {
  return [c.platform, c.workspaceId, c.channelId, c.threadId, c.userId].join('\u0000');
}

/** A conversation on `platform` of `userId`, in a channel of its own. */
export function conversationOf(
  userId: string,
  platform: Platform = 'discord',
  channelId = `c-${userId}`,
): ConversationRef {
  return { platform, workspaceId: 'w1', channelId, threadId: channelId, userId };
}

export function optionFor(prompt: string): GenerationOption {
  return { kind: 'text-to-image', modelId: 'nano-banana', prompt, params: {}, label: 'Nano Banana', reason: 'quick' };
}

/**
 * Records a whole generation as the feed would — a request turn, then queued and done — with one result
 * file put in `media` under `<generationId>-0.png`; everything happened at `atMs`. Returns the file's key.
 */
export async function recordFinished(
  store: HistoryStore,
  media: MediaStore,
  generation: { generationId: string; conversation: ConversationRef; prompt: string; atMs: number },
): Promise<string> {
  const { generationId, conversation, prompt, atMs } = generation;
  const key = `${new Date(atMs).toISOString().slice(0, 10).replaceAll('-', '/')}/${generationId}-0.png`;
  const bytes = Buffer.from(`png of ${generationId}`);
  const asset = await media.put(key, Readable.from([bytes]), {
    contentType: 'image/png',
    maxBytes: 1_000_000,
    providerUrl: `https://cdn.example/${generationId}.png`,
  });
  const base = { generationId, conversation, modelId: 'nano-banana', label: 'Nano Banana' };
  await store.recordTurn({ kind: 'request', turnId: `turn-${generationId}`, conversation, text: prompt, atMs });
  await store.recordProgress({ ...base, state: 'queued', option: optionFor(prompt), atMs });
  await store.recordProgress({ ...base, state: 'done', assets: [asset], atMs });
  return key;
}

/**
 * Progress events and request turns of one conversation, each later than the one before (the feed specs
 * write them to the streams as the pipeline and the assistant would).
 */
export function feedEntries(conversation: ConversationRef) {
  let clock = Date.now();
  return {
    event(generationId: string, state: ProgressEvent['state'], extra: Partial<ProgressEvent> = {}): ProgressEvent {
      return {
        generationId,
        conversation,
        state,
        modelId: 'nano-banana',
        label: 'Nano Banana',
        atMs: ++clock,
        ...(state === 'queued' ? { option: optionFor(`prompt of ${generationId}`) } : {}),
        ...extra,
      };
    },
    request(turnId: string, text: string): HistoryTurn {
      return { kind: 'request', turnId, conversation, text, atMs: ++clock };
    },
    reply(turnId: string, text: string, optionSet?: { key: string; options: GenerationOption[] }): HistoryTurn {
      return { kind: 'reply', turnId, conversation, text, ...(optionSet ? { optionSet } : {}), atMs: ++clock };
    },
  };
}

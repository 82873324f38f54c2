/**
 * The history use cases behind `/history`, `/show` and `/forget`, and the history side of Re-roll and
 * Animate: a person's generations newest first in pages of ten (a "next page" is a short key kept an hour),
 * a result posted again with fresh links to its stored files, and a person's record deleted after they
 * confirm. The Assistant holds one of these and answers with it (assistant.ts).
 *
 * Decisions:
 * - Any failure of the history store reads as "history is unavailable" (logged once, at warn): generations
 *   never depend on it, so a person only hears that this one command cannot answer right now.
 * - `/show` is narrower than a button press, because an id can be typed anywhere: the requester may show
 *   their own generation on the platform it was made on, and an admin only one of their own workspace
 *   (admin rights are per workspace). A generation from another platform is not found at all.
 */
import type { Actor } from './assistant.js';
import { type HistoryEntry, type HistoryStore, shortId, toMediaAsset } from './history.js';
import type { HistoryPageStore } from './history-pages.js';
import { forgetPerson } from './history-retention.js';
import type { ForgetOutcome, HistoryLine, HistoryView, ShowOutcome } from './history-views.js';
import type { CoreLogger, GenerationLookup, MediaStore } from './ports.js';
import type { ConversationRef, MediaAsset, Platform } from './types.js';

export interface HistoryUseCaseDeps {
  history?: HistoryStore | undefined;
  media?: MediaStore | undefined;
  pages?: HistoryPageStore | undefined;
  logger: CoreLogger;
}

/** What a lookup in history found, for Re-roll and Animate once the queue has forgotten a generation. */
export type HistoryLookup =
  | { kind: 'found'; generation: GenerationLookup }
  | { kind: 'not-found' }
  | { kind: 'unavailable'; message: string };

const PAGE_SIZE = 10;
const SEARCH_MAX_CHARS = 200;
const FULL_ID = /^gen-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHORT_ID = /^[0-9a-f]{8}$/;

const UNAVAILABLE = 'History is unavailable right now; your generations are not affected. Try again in a moment.';
const PAGE_EXPIRED = 'This page of your history has expired. Ask for your history again to see the latest.';
const NOT_YOURS = 'That generation is not yours to show. Only the person who made it (or an admin here) can.';

export class HistoryUseCases {
  constructor(private readonly deps: HistoryUseCaseDeps) {}

  /** Page 1 of the actor's own generations on this platform, newest first, matching `search` when given. */
  async history(actor: Actor, conversation: ConversationRef, search: string): Promise<HistoryView> {
    const words = searchWords(search);
    return this.page({ platform: conversation.platform, userId: actor.userId, search: words, page: 1 });
  }

  /** The page a "next page" button names; another person's key, or one that expired, is 'expired'. */
  async historyPage(actor: Actor, pageKey: string): Promise<HistoryView> {
    const { pages } = this.deps;
    const query = pages ? await pages.get(pageKey) : undefined;
    if (!query || query.userId !== actor.userId) return { kind: 'expired', message: PAGE_EXPIRED };
    return this.page(query);
  }

  /** A result to post again in `conversation`, with its original id (so its buttons act on it). */
  async show(id: string, actor: Actor, conversation: ConversationRef): Promise<ShowOutcome> {
    const wanted = id.trim().replace(/^#/, '').toLowerCase();
    if (!FULL_ID.test(wanted) && !SHORT_ID.test(wanted)) {
      return {
        kind: 'not-found',
        message: `"${clip(id.trim(), 40)}" is not a generation id. An id is the 8 characters shown in your history, e.g. 1a2b3c4d.`,
      };
    }
    const found = await this.read(() =>
      this.store().get(wanted, { platform: conversation.platform, userId: actor.userId }),
    );
    if (found.kind === 'unavailable') return found;
    const entry = found.value;
    if (!entry || entry.conversation.platform !== conversation.platform) {
      return { kind: 'not-found', message: `I found no generation ${shortId(wanted)}. Your history lists the ids.` };
    }
    if (!mayShow(actor, entry, conversation)) return { kind: 'not-allowed', message: NOT_YOURS };
    const missing = noMediaReason(entry);
    if (missing) return { kind: 'no-media', message: missing };
    const assets = await this.read(() => this.assetsOf(entry));
    if (assets.kind === 'unavailable') return assets;
    if (assets.value.length === 0) {
      return { kind: 'no-media', message: `${shortId(entry.generationId)} has no stored images or videos any more.` };
    }
    return {
      kind: 'result',
      result: {
        generationId: entry.generationId,
        option: entry.option,
        conversation,
        assets: assets.value,
        durationMs: durationOf(entry),
      },
    };
  }

  /** Unconfirmed: what will be deleted. Confirmed: the actor's history and stored media on this platform, gone. */
  async forget(actor: Actor, conversation: ConversationRef, confirmed: boolean): Promise<ForgetOutcome> {
    if (!confirmed) {
      return {
        kind: 'confirm',
        message:
          'This deletes what Higgsbot keeps about you here: your requests, the options you were shown, your ' +
          'generations and their stored images and videos. It cannot be undone.',
      };
    }
    const { history, media, logger } = this.deps;
    if (!history || !media) return { kind: 'unavailable', message: UNAVAILABLE };
    const done = await this.read(() => forgetPerson({ history, media, logger }, conversation.platform, actor.userId));
    if (done.kind === 'unavailable') return done;
    const { generations, turns, mediaFiles } = done.value;
    const message =
      generations + turns + mediaFiles === 0
        ? 'There was nothing to delete: your history here was already empty.'
        : `Done: I deleted ${count(generations, 'generation')}, ${count(turns, 'turn')} and ${count(mediaFiles, 'media file')} from your history.`;
    return { kind: 'forgotten', message, generations, mediaFiles };
  }

  /** A generation as the queue would give it (recipe, state, assets with fresh links), from history. */
  async lookup(generationId: string): Promise<HistoryLookup> {
    if (!this.deps.history) return { kind: 'not-found' };
    const found = await this.read(async () => {
      const entry = await this.store().get(generationId);
      return entry ? { entry, assets: await this.assetsOf(entry) } : undefined;
    });
    if (found.kind === 'unavailable') {
      return {
        kind: 'unavailable',
        message:
          'That result is older than the queue remembers, and history is unavailable right now. Try again in a moment.',
      };
    }
    if (!found.value) return { kind: 'not-found' };
    const { entry, assets } = found.value;
    return {
      kind: 'found',
      generation: {
        generationId: entry.generationId,
        spec: { option: entry.option, conversation: entry.conversation },
        state: entry.state,
        ...(assets.length > 0 ? { assets } : {}),
      },
    };
  }

  private async page(query: {
    platform: Platform;
    userId: string;
    search: string;
    page: number;
    cursor?: string;
  }): Promise<HistoryView> {
    const { pages } = this.deps;
    const listed = await this.read(() =>
      this.store().list({
        platform: query.platform,
        userId: query.userId,
        limit: PAGE_SIZE,
        ...(query.search ? { search: query.search } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      }),
    );
    if (listed.kind === 'unavailable') return listed;
    const { items, nextCursor } = listed.value;
    const nextPage =
      nextCursor && pages
        ? await pages.save({
            platform: query.platform,
            userId: query.userId,
            search: query.search,
            cursor: nextCursor,
            page: query.page + 1,
          })
        : undefined;
    return {
      kind: 'page',
      search: query.search,
      lines: items.map(lineOf),
      page: query.page,
      ...(nextPage ? { nextPage } : {}),
    };
  }

  /** The entry's files that are still stored, with fresh links. */
  private async assetsOf(entry: HistoryEntry): Promise<MediaAsset[]> {
    const { media } = this.deps;
    const sorted = [...entry.assets].sort((a, b) => a.index - b.index);
    if (!media) return sorted.map((a) => toMediaAsset(a, a.providerUrl));
    const kept = await Promise.all(sorted.map(async (a) => ((await media.exists(a.key)) ? a : undefined)));
    return Promise.all(
      kept.filter((a) => a !== undefined).map(async (a) => toMediaAsset(a, await media.link(a.key, a.providerUrl))),
    );
  }

  private store(): HistoryStore {
    const { history } = this.deps;
    if (!history) throw new Error('history is not configured');
    return history;
  }

  /** A read of history, or 'unavailable' (logged) when the store is absent or fails. */
  private async read<T>(
    run: () => Promise<T>,
  ): Promise<{ kind: 'ok'; value: T } | { kind: 'unavailable'; message: string }> {
    if (!this.deps.history) return { kind: 'unavailable', message: UNAVAILABLE };
    try {
      return { kind: 'ok', value: await run() };
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'history could not be read; told the person it is unavailable');
      return { kind: 'unavailable', message: UNAVAILABLE };
    }
  }
}

/** Search text as words: trimmed, runs of spaces as one, at most 200 characters. Anything else is just text. */
function searchWords(search: string): string {
  return search.trim().replace(/\s+/g, ' ').slice(0, SEARCH_MAX_CHARS).trim();
}

function mayShow(actor: Actor, entry: HistoryEntry, here: ConversationRef): boolean {
  if (entry.conversation.userId === actor.userId) return true;
  return actor.isAdmin && entry.conversation.workspaceId === here.workspaceId;
}

function lineOf(entry: HistoryEntry): HistoryLine {
  return {
    generationId: entry.generationId,
    shortId: shortId(entry.generationId),
    label: entry.option.label,
    prompt: entry.option.prompt,
    modelId: entry.option.modelId,
    state: entry.state,
    createdAtMs: entry.createdAtMs,
  };
}

/** Why a generation has nothing to post, or undefined when it has stored files. */
function noMediaReason(entry: HistoryEntry): string | undefined {
  const id = shortId(entry.generationId);
  switch (entry.state) {
    case 'done':
      return entry.assets.length > 0 ? undefined : `${id} finished without any images or videos to show.`;
    case 'failed':
      return `${id} failed, so there is nothing to show.${entry.failure ? ` ${entry.failure.message}` : ''}`;
    case 'canceled':
      return `${id} was canceled, so there is nothing to show.`;
    default:
      return `${id} is still ${entry.state}; its result is posted where you asked for it once it is done.`;
  }
}

/** From its first recorded state to 'done' (or its last change). */
function durationOf(entry: HistoryEntry): number {
  const start = entry.states[0]?.atMs ?? entry.createdAtMs;
  const end = entry.states.find((s) => s.state === 'done')?.atMs ?? entry.updatedAtMs;
  return Math.max(0, end - start);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

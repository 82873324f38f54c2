/**
 * The assistant use cases, shared by Discord, Slack and the terminal: a message becomes a saved option set
 * (Claude first, the offline recommender as the floor), a click becomes one durable generation, and a
 * result can be re-rolled, animated or canceled. Only the requester, or an admin, may act on a set.
 *
 * The history use cases (`/history`, `/show`, `/forget`) are history-use-cases.ts's, answered through here.
 *
 * Decisions:
 * - A recommender never sees or returns URLs of its own. Input images come from the request or from the
 *   thread's results, and options refer to them by name ("attached", "result 2").
 * - Every turn is appended to the history log (a request, then the reply with the options shown), and a
 *   failing append is only logged: history never fails or delays a turn beyond that one quick write.
 * - Re-roll and Animate look a generation up in the queue, then in history, so a result `/show`n long after
 *   its Redis records expired still has working buttons.
 */
import type {
  ChatRequest,
  ImageInput,
  MemoryTurn,
  OptionSet,
  RecommendInput,
  ResultSummary,
} from './assistant-types.js';
import type { HistoryLog, HistoryStore, HistoryTurn } from './history.js';
import type { HistoryPageStore } from './history-pages.js';
import { HistoryUseCases } from './history-use-cases.js';
import type { ForgetOutcome, HistoryView, ShowOutcome } from './history-views.js';
import { summarizeOption } from './option-summary.js';
import type {
  ConversationMemory,
  CoreLogger,
  EnqueueResult,
  GenerationLookup,
  GenerationQueue,
  MediaStore,
  OptionEstimator,
  OptionStore,
  Recommender,
} from './ports.js';
import { proposeOptions, withEstimates } from './proposals.js';
import { EMPTY_MESSAGE_HINT, normalizeRequestText } from './request-text.js';
import type { ConversationRef, GenerationOption } from './types.js';

export interface AssistantDeps {
  /** Claude; absent when no API key is configured. */
  agent?: Recommender;
  offline: Recommender;
  optionStore: OptionStore;
  memory: ConversationMemory;
  queue: GenerationQueue;
  estimator?: OptionEstimator;
  /** Longest wait for the agent before the offline recommender answers. */
  agentTimeoutMs: number;
  /** Longest wait for the estimates of one option set. */
  estimateTimeoutMs?: number;
  logger: CoreLogger;
  /** The params of a Re-roll: the same recipe with a new seed where the model takes one. */
  reseed: (option: GenerationOption) => Record<string, unknown>;
  /** The durable record (`/history`, `/show`, `/forget`, and Re-roll/Animate once Redis forgot a result). */
  history?: HistoryStore;
  /** Where each turn is appended on its way to `history` (a Redis stream). */
  historyLog?: HistoryLog;
  /** Where results are stored: fresh links for `/show`, and the files `/forget` deletes. */
  media?: MediaStore;
  /** The keys of `/history`'s "next page" buttons. */
  pages?: HistoryPageStore;
}

/** Who pressed a button or typed a command. */
export interface Actor {
  userId: string;
  /** Discord Manage Server, Slack workspace admin: may act on anyone's options. */
  isAdmin: boolean;
}

export type AssistantReply = { kind: 'hint'; text: string } | { kind: 'options'; set: OptionSet; notes: string[] };

/** A turn's reply, with the history turns it appended (the web also writes them straight to its store). */
export type TurnReply = AssistantReply & { turns: readonly HistoryTurn[] };

/** The answer to "may this person do this?", with what the action needs when they may. */
export type Check<T> =
  | ({ kind: 'ok' } & T)
  | { kind: 'expired'; message: string }
  | { kind: 'not-allowed'; message: string };

/** What Re-roll and Animate may also answer: the generation is known to history only, which is down. */
type Unavailable = { kind: 'unavailable'; message: string };

export type ChoiceOutcome =
  | ({ kind: 'queued'; option: GenerationOption; conversation: ConversationRef } & EnqueueResult)
  | { kind: 'expired'; message: string }
  | { kind: 'not-allowed'; message: string }
  | { kind: 'unavailable'; message: string };

const EXPIRED = 'This option expired. Ask again and I will propose fresh ones.';
const NOT_YOURS =
  'Only the person who asked (or an admin) can use these buttons. Ask me yourself for your own options.';
const NOTHING_TO_OFFER = 'I could not find a good option for that. Try describing the picture or clip you want to see.';
const RESULTS_IN_CONTEXT = 5;
const REROLL_WINDOW_MS = 5_000;

export class Assistant {
  private readonly records: HistoryUseCases;

  constructor(private readonly deps: AssistantDeps) {
    this.records = new HistoryUseCases(deps);
  }

  get agentConfigured(): boolean {
    return this.deps.agent !== undefined;
  }

  /**
   * A person's turn: options to show, or a hint when there is nothing to go on. Both the request and the
   * reply are appended to the history log (an empty message, which asks nothing, is not).
   */
  async handleMessage(request: ChatRequest): Promise<TurnReply> {
    const normalized = normalizeRequestText(request.text, request.image !== undefined || request.intent === 'animate');
    if (normalized.kind === 'empty') return { kind: 'hint', text: EMPTY_MESSAGE_HINT, turns: [] };
    const { conversation } = request;
    const asked: HistoryTurn = {
      kind: 'request',
      turnId: crypto.randomUUID(),
      conversation,
      text: normalized.text,
      ...(request.attachments?.length ? { attachments: request.attachments } : {}),
      atMs: Date.now(),
    };
    await this.log(asked);
    const reply = await this.answer(request, normalized.text, normalized.note ? [normalized.note] : []);
    const answered: HistoryTurn = {
      kind: 'reply',
      turnId: crypto.randomUUID(),
      conversation,
      text: reply.kind === 'hint' ? reply.text : reply.set.text,
      ...(reply.kind === 'options' ? { optionSet: { key: reply.set.key, options: reply.set.options } } : {}),
      // A reply is never earlier than its request, even when both land in the same millisecond.
      atMs: Math.max(Date.now(), asked.atMs + 1),
    };
    await this.log(answered);
    return { ...reply, turns: [asked, answered] };
  }

  /** A page of the actor's own generations on this platform (page 1), matching `search` when not empty. */
  history(actor: Actor, conversation: ConversationRef, search: string): Promise<HistoryView> {
    return this.records.history(actor, conversation, search);
  }

  /** The page a "next page" button names (`HistoryView.nextPage`). */
  historyPage(actor: Actor, pageKey: string): Promise<HistoryView> {
    return this.records.historyPage(actor, pageKey);
  }

  /** A result to post again in `conversation` (its Re-roll and Animate buttons act on the original). */
  show(id: string, actor: Actor, conversation: ConversationRef): Promise<ShowOutcome> {
    return this.records.show(id, actor, conversation);
  }

  /** `/forget`: what will go (unconfirmed), or the actor's history and media on this platform deleted. */
  forget(actor: Actor, conversation: ConversationRef, confirmed: boolean): Promise<ForgetOutcome> {
    return this.records.forget(actor, conversation, confirmed);
  }

  /** One turn's answer: recommenders, estimates, the saved set and the thread's memory. */
  private async answer(request: ChatRequest, text: string, notes: string[]): Promise<AssistantReply> {
    const { deps } = this;
    const memory = await deps.memory.recent(request.conversation);
    const results = await this.recentResults(memory);
    const input: RecommendInput = {
      text,
      memory,
      results,
      ...(request.intent ? { intent: request.intent } : {}),
      ...(request.image ? { image: request.image } : {}),
      ...(request.onText ? { onText: request.onText } : {}),
    };
    if (input.intent === 'animate' && !input.image && !results.some((r) => r.imageUrl)) {
      return {
        kind: 'hint',
        text: 'To animate, attach an image (or make one first: ask for a picture, then press Animate on it).',
      };
    }

    const proposal = await proposeOptions(this.deps, input, notes);
    if (proposal.declined || proposal.options.length === 0) {
      return { kind: 'hint', text: proposal.declined ? proposal.text : NOTHING_TO_OFFER };
    }
    const options = await withEstimates(this.deps, proposal.options);
    const set = await deps.optionStore.save({
      conversation: request.conversation,
      text: proposal.text,
      options,
      mode: proposal.mode,
      createdAtMs: Date.now(),
    });
    const now = Date.now();
    await deps.memory.append(
      request.conversation,
      { role: 'user', text, atMs: now },
      { role: 'options', key: set.key, options: options.map(summarizeOption), atMs: now },
    );
    return { kind: 'options', set, notes };
  }

  /** Whether `actor` may press option `index` of set `key`: answered before anything is posted or started. */
  async checkOption(
    key: string,
    index: number,
    actor: Actor,
  ): Promise<Check<{ option: GenerationOption; conversation: ConversationRef; createdAtMs: number }>> {
    const set = await this.deps.optionStore.get(key);
    const option = set?.options[index];
    if (!set || !option) return { kind: 'expired', message: EXPIRED };
    if (!mayAct(actor, set.conversation)) return { kind: 'not-allowed', message: NOT_YOURS };
    return { kind: 'ok', option, conversation: set.conversation, createdAtMs: set.createdAtMs };
  }

  /**
   * Whether `actor` may act on a generation (Re-roll, Animate), found in the queue's records or, once they
   * expired, in history. With `where` (the conversation the button was pressed in), the new work goes there,
   * still on behalf of the person who asked for the original.
   */
  private async checkGeneration(
    generationId: string,
    actor: Actor,
    where: ConversationRef | undefined,
  ): Promise<Check<{ generation: GenerationLookup }> | Unavailable> {
    let generation = await this.deps.queue.lookup(generationId);
    if (!generation) {
      const found = await this.records.lookup(generationId);
      if (found.kind === 'unavailable') return found;
      if (found.kind === 'found') generation = found.generation;
    }
    if (!generation)
      return { kind: 'expired', message: 'That result is too old to act on. Ask again for fresh options.' };
    if (!mayAct(actor, generation.spec.conversation)) return { kind: 'not-allowed', message: NOT_YOURS };
    if (!where) return { kind: 'ok', generation };
    const conversation = { ...where, userId: generation.spec.conversation.userId };
    return { kind: 'ok', generation: { ...generation, spec: { ...generation.spec, conversation } } };
  }

  /**
   * A click on option `index` of set `key`: one generation (a double click collapses onto it). Its status
   * message, where the platform shows one, is the publisher's (status-messages.ts), not the caller's.
   */
  async choose(key: string, index: number, actor: Actor): Promise<ChoiceOutcome> {
    const check = await this.checkOption(key, index, actor);
    if (check.kind !== 'ok') return check;
    // The estimate stays on the recipe (history keeps it); the provider is only ever sent model, prompt and params.
    return this.enqueue(check.conversation, check.option, `${key}:${index}`);
  }

  /**
   * The same recipe again with a new seed. `where`: the conversation the button was pressed in (a `/show`n
   * result's), when it may differ from the original's; by default the original's.
   */
  async reroll(generationId: string, actor: Actor, where?: ConversationRef): Promise<ChoiceOutcome> {
    const check = await this.checkGeneration(generationId, actor, where);
    if (check.kind !== 'ok') return check;
    const { conversation, option } = check.generation.spec;
    const params = this.deps.reseed(option);
    const label = option.label.startsWith('Re-roll: ') ? option.label : `Re-roll: ${option.label}`.slice(0, 75);
    return this.enqueue(conversation, { ...option, params, label }, `reroll:${generationId}`, REROLL_WINDOW_MS);
  }

  /** Image-to-video options for an image result, from the agent (or offline); `where` as for `reroll`. */
  async animate(generationId: string, actor: Actor, where?: ConversationRef): Promise<TurnReply | ChoiceOutcome> {
    const check = await this.checkGeneration(generationId, actor, where);
    if (check.kind !== 'ok') return check;
    const { spec, state, assets } = check.generation;
    const image = imageOf(assets);
    if (!image) {
      return {
        kind: 'unavailable',
        message:
          state === 'done'
            ? 'Only images can be animated.'
            : 'That result is not ready yet; animate it once it is posted.',
      };
    }
    return this.handleMessage({ conversation: spec.conversation, text: spec.option.prompt, intent: 'animate', image });
  }

  /** Whether this thread has been talked in (a reply there continues the conversation). */
  /**
   * A recipe the caller built and validated itself (the web's direct model routes, or an option with the
   * person's overrides): one durable generation, a repeat of the same `choiceKey` collapsing onto it.
   */
  async generate(conversation: ConversationRef, option: GenerationOption, choiceKey: string): Promise<ChoiceOutcome> {
    return this.enqueue(conversation, option, choiceKey);
  }

  /** A generation's recipe, state and results: the queue's records, else history's (for its owner to read). */
  async lookup(generationId: string): Promise<GenerationLookup | undefined> {
    const live = await this.deps.queue.lookup(generationId);
    if (live) return live;
    const found = await this.records.lookup(generationId);
    return found.kind === 'found' ? found.generation : undefined;
  }

  /** The key of the newest option set shown in this conversation ("make option 2" picks from it). */
  async latestOptionSet(conversation: ConversationRef): Promise<string | undefined> {
    const memory = await this.deps.memory.recent(conversation);
    for (let i = memory.length - 1; i >= 0; i -= 1) {
      const turn = memory[i];
      if (turn?.role === 'options') return turn.key;
    }
    return undefined;
  }

  async hasHistory(conversation: ConversationRef): Promise<boolean> {
    return (await this.deps.memory.recent(conversation)).length > 0;
  }

  async cancel(generationId: string, actor: Actor) {
    return this.deps.queue.cancel(generationId, actor.userId, actor.isAdmin);
  }

  async activeJobs(conversation: ConversationRef) {
    return this.deps.queue.listActive(conversation.platform, conversation.userId);
  }

  private async enqueue(
    conversation: ConversationRef,
    option: GenerationOption,
    choiceKey: string,
    choiceWindowMs?: number,
  ): Promise<ChoiceOutcome> {
    const queued = await this.deps.queue.enqueue({
      option,
      conversation,
      choiceKey,
      ...(choiceWindowMs ? { choiceWindowMs } : {}),
    });
    if (!queued.duplicate) {
      await this.deps.memory.append(conversation, {
        role: 'chosen',
        generationId: queued.generationId,
        option: summarizeOption(option),
        atMs: Date.now(),
      });
    }
    return { kind: 'queued', option, conversation, ...queued };
  }

  /** Appends a turn to the history log; a failure is logged and the turn goes on. */
  private async log(turn: HistoryTurn): Promise<void> {
    const { historyLog, logger } = this.deps;
    if (!historyLog) return;
    try {
      await historyLog.append(turn);
    } catch (error) {
      logger.warn({ err: error, turnId: turn.turnId, kind: turn.kind }, 'a turn could not be added to the history log');
    }
  }

  /** The thread's recent generations with their state, and the image to animate where there is one. */
  private async recentResults(memory: readonly MemoryTurn[]): Promise<ResultSummary[]> {
    const chosen = memory.filter((t) => t.role === 'chosen').slice(-RESULTS_IN_CONTEXT);
    const found = await Promise.all(chosen.map((t) => this.deps.queue.lookup(t.generationId)));
    return chosen.map((turn, i) => {
      const lookup = found[i];
      const image = imageOf(lookup?.assets);
      return {
        generationId: turn.generationId,
        option: turn.option,
        state: lookup?.state ?? 'expired',
        ...(image ? { imageUrl: image.url } : {}),
      };
    });
  }
}

function mayAct(actor: Actor, conversation: ConversationRef): boolean {
  return actor.isAdmin || actor.userId === conversation.userId;
}

function imageOf(
  assets: readonly { contentType: string; providerUrl: string; sizeBytes: number }[] | undefined,
): ImageInput | undefined {
  const image = assets?.find((a) => a.contentType.startsWith('image/'));
  // The provider's URL: Higgsfield can fetch it, whatever our own store is.
  return image ? { url: image.providerUrl, contentType: image.contentType, sizeBytes: image.sizeBytes } : undefined;
}

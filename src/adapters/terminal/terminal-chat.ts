/**
 * The terminal chat: the embedded chat platform for development and demos, on the same Assistant as
 * Discord and Slack. Lines come from a terminal or a pipe and are handled one at a time; progress and
 * results arrive from the progress bus, so a job run by another worker process shows up here too. When the
 * input ends, the chat waits for its running jobs (up to a limit) before it returns.
 *
 * Jobs are numbered in the order they were started (#1, #2, …); `r N`, `a N` and `c N` use those numbers.
 * `history` numbers its lines apart from them (1, 2, …, continued by `more`); `show N` posts line N again
 * as a job of this chat (a new number, or the one it already has), so `r` and `a` work on it as on any job.
 * `forget` only asks; `forget yes` on the next line deletes.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Actor, Assistant, AssistantReply, ChoiceOutcome } from '../../core/assistant.js';
import type { OptionSet } from '../../core/assistant-types.js';
import type { HistoryLine, HistoryView } from '../../core/history-views.js';
import type { CoreLogger, ProgressBus } from '../../core/ports.js';
import { type ConversationRef, isEnded, type ProgressEvent } from '../../core/types.js';
import { reportFailure } from '../../errors.js';
import { jobsText } from '../shared/message-text.js';
import { chatHelp, matchCommand, type TerminalCommand } from './terminal-commands.js';
import { renderHistoryPage, renderOptionSet, renderProgress, renderResult } from './terminal-render.js';

export interface TerminalChatOptions {
  assistant: Assistant;
  bus: ProgressBus;
  input: Readable;
  output: Writable;
  conversation: ConversationRef;
  /** Show a `> ` prompt (a terminal, not a pipe). */
  interactive: boolean;
  /** After the input ends, how long to wait for running jobs. */
  settleTimeoutMs?: number;
  /** A line printed first (mode, where results go). */
  banner?: readonly string[];
  /** Aborted (Ctrl-C): stop reading and leave without waiting for running jobs. */
  signal?: AbortSignal;
  /** Where a failure to handle a line is logged (with the reference id the person is shown). */
  logger?: CoreLogger & { error(details: object, message: string): void };
}

const SILENT = { error: () => {}, warn: () => {}, info: () => {} };

interface Job {
  number: number;
  generationId: string;
  label: string;
  state: string;
  imageReady: boolean;
}

export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  const { assistant, bus, output, conversation } = options;
  const print = (...lines: string[]) => {
    for (const l of lines) output.write(`${l}\n`);
  };
  const actor: Actor = { userId: conversation.userId, isAdmin: true };
  const jobs: Job[] = [];
  const byId = new Map<string, Job>();
  let lastSet: OptionSet | undefined;
  /** The lines of the last `history` and the `more` pages after it, numbered from 1. */
  let listing: HistoryLine[] = [];
  let listed = false;
  let nextPage: string | undefined;
  let forgetAsked = false;
  let settled: () => void = () => {};

  const unsubscribe = await bus.subscribe((event: ProgressEvent) => {
    const job = byId.get(event.generationId);
    if (!job || isEnded(job.state)) return;
    if (event.state === job.state && event.state !== 'queued') return;
    job.state = event.state;
    const line = renderProgress(job.number, event);
    if (line) print(line);
    if (event.state === 'done') {
      job.imageReady = (event.assets ?? []).some((a) => a.contentType.startsWith('image/'));
      print(...renderResult(job.number, job.label, event.assets ?? []));
    }
    if (jobs.every((j) => isEnded(j.state))) settled();
  });

  const track = (outcome: ChoiceOutcome): void => {
    if (outcome.kind !== 'queued') {
      print(outcome.message);
      return;
    }
    const known = byId.get(outcome.generationId);
    if (known) {
      print(`That is already job #${known.number} (${known.state}).`);
      return;
    }
    const job: Job = {
      number: jobs.length + 1,
      generationId: outcome.generationId,
      label: outcome.option.label,
      state: 'new',
      imageReady: false,
    };
    jobs.push(job);
    byId.set(job.generationId, job);
    print(
      `#${job.number} ${outcome.option.label}: queued (position ${outcome.position}, about ${Math.round(outcome.estimatedWaitMs / 1_000)} s)`,
    );
  };

  const showReply = (reply: AssistantReply): void => {
    if (reply.kind === 'hint') {
      print(reply.text);
      return;
    }
    lastSet = reply.set;
    print(...renderOptionSet(reply.set, reply.notes));
  };

  const jobByNumber = (raw: string): Job | undefined => {
    const job = jobs[Number(raw) - 1];
    if (!job) print(`There is no job #${raw}${jobs.length ? ` (jobs run from #1 to #${jobs.length})` : ' yet'}.`);
    return job;
  };

  const withJob = (run: (job: Job) => Promise<void>) => async (n: string) => {
    const job = jobByNumber(n);
    if (job) await run(job);
  };

  /** A page of history, appended to the listing (`first` is the number of its first line). */
  const showPage = (view: HistoryView, fresh: boolean): void => {
    if (view.kind !== 'page') {
      print(view.message);
      return;
    }
    if (fresh) listing = [];
    listed = true;
    const first = listing.length + 1;
    listing.push(...view.lines);
    nextPage = view.nextPage;
    print(...renderHistoryPage(view, first, Date.now()));
  };

  /** `show N` (a line of the listing) or `show <id>`: the result printed again as a job of this chat. */
  const showAgain = async (arg: string): Promise<void> => {
    let id = arg;
    if (/^\d{1,3}$/.test(arg)) {
      const line = listing[Number(arg) - 1];
      if (!line) {
        print(
          listing.length
            ? `There is no ${arg} in your history list (it runs from 1 to ${listing.length}).`
            : listed
              ? 'Your history list is empty.'
              : 'Type history first: show N posts line N of it again.',
        );
        return;
      }
      id = line.generationId;
    }
    const outcome = await assistant.show(id, actor, conversation);
    if (outcome.kind !== 'result') {
      print(outcome.message);
      return;
    }
    const { result } = outcome;
    const imageReady = result.assets.some((a) => a.contentType.startsWith('image/'));
    let job = byId.get(result.generationId);
    if (!job) {
      job = {
        number: jobs.length + 1,
        generationId: result.generationId,
        label: result.option.label,
        state: 'done',
        imageReady,
      };
      jobs.push(job);
      byId.set(job.generationId, job);
    }
    print(...renderResult(job.number, job.label, result.assets));
  };

  const forget = async (arg: string): Promise<void> => {
    const confirmed = arg.toLowerCase() === 'yes' && forgetAsked;
    const outcome = await assistant.forget(actor, conversation, confirmed);
    forgetAsked = outcome.kind === 'confirm';
    if (outcome.kind === 'confirm') {
      print(outcome.message, 'Type "forget yes" to confirm, or anything else to keep it.');
      return;
    }
    if (outcome.kind === 'forgotten') {
      listing = [];
      listed = false;
      nextPage = undefined;
    }
    print(outcome.message);
  };
  /** What each command of terminal-commands.ts does. */
  const actions: Record<TerminalCommand['action'], (arg: string) => Promise<void>> = {
    help: async () => print(...chatHelp()),
    jobs: async () => {
      const active = await assistant.activeJobs(conversation);
      print(jobsText(active, (job, i) => `#${byId.get(active[i]?.generationId ?? '')?.number ?? '?'} ${job.label}`));
    },
    choose: async (n) => {
      if (!lastSet) print('There are no options yet: describe what you would like to see first.');
      else if (Number(n) < 1 || Number(n) > lastSet.options.length) {
        print(`Pick a number from 1 to ${lastSet.options.length}.`);
      } else track(await assistant.choose(lastSet.key, Number(n) - 1, actor));
    },
    // In this chat's conversation: a result shown from an earlier chat is re-rolled or animated here.
    reroll: withJob(async (job) => track(await assistant.reroll(job.generationId, actor, conversation))),
    animate: withJob(async (job) => {
      const reply = await assistant.animate(job.generationId, actor, conversation);
      if (reply.kind === 'options' || reply.kind === 'hint') showReply(reply);
      else if (reply.kind !== 'queued') print(reply.message);
    }),
    cancel: withJob(async (job) =>
      print(cancelText(job.number, (await assistant.cancel(job.generationId, actor)).outcome)),
    ),
    history: async (words) => showPage(await assistant.history(actor, conversation, words), true),
    more: async () => {
      if (nextPage) showPage(await assistant.historyPage(actor, nextPage), false);
      else
        print(
          listing.length ? 'That was the last page of your history.' : 'Type history first to list your generations.',
        );
    },
    show: showAgain,
    forget,
    quit: async () => {},
  };

  /** One line; false when the person wants to leave. */
  const handle = async (line: string): Promise<boolean> => {
    const text = line.trim();
    const command = matchCommand(text);
    if (command?.action === 'quit') return false;
    // "forget yes" confirms only the line right after "forget".
    if (command?.action !== 'forget') forgetAsked = false;
    if (command) {
      await actions[command.action](command.arg);
      return true;
    }
    showReply(await assistant.handleMessage({ conversation, text }));
    return true;
  };

  if (options.banner) print(...options.banner);
  const rl = createInterface({ input: options.input, terminal: false });
  let quit = false;
  options.signal?.addEventListener(
    'abort',
    () => {
      quit = true;
      rl.close();
      settled();
    },
    { once: true },
  );
  const prompt = () => options.interactive && output.write('> ');
  prompt();
  try {
    for await (const line of rl) {
      try {
        if (!(await handle(line))) {
          quit = true;
          break;
        }
      } catch (error) {
        print(reportFailure(options.logger ?? SILENT, error, { line: 'chat input' }));
      }
      prompt();
    }
  } finally {
    rl.close();
  }
  const running = jobs.filter((j) => !isEnded(j.state));
  if (!quit && running.length > 0) {
    print(`Waiting for ${running.length} running job${running.length === 1 ? '' : 's'} to finish…`);
    await new Promise<void>((resolve) => {
      settled = resolve;
      if (jobs.every((j) => isEnded(j.state))) resolve();
      setTimeout(resolve, options.settleTimeoutMs ?? 15 * 60_000).unref();
    });
  }
  await unsubscribe();
}

function cancelText(job: number, outcome: string): string {
  switch (outcome) {
    case 'canceled':
      return `#${job} is being canceled.`;
    case 'too-late':
      return `#${job} is already rendering at Higgsfield and can no longer be canceled.`;
    case 'already-finished':
      return `#${job} has already finished.`;
    case 'not-allowed':
      return `#${job} is not yours to cancel.`;
    default:
      return `#${job} is no longer known.`;
  }
}

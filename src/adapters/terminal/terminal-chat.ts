/**
 * The terminal chat: the embedded chat platform for development and demos, on the same Assistant as
 * Discord and Slack. Lines come from a terminal or a pipe and are handled one at a time; progress and
 * results arrive from the progress bus, so a job run by another worker process shows up here too. When the
 * input ends, the chat waits for its running jobs (up to a limit) before it returns.
 *
 * Jobs are numbered in the order they were started (#1, #2, …); `r N`, `a N` and `c N` use those numbers.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Actor, Assistant, AssistantReply, ChoiceOutcome } from '../../core/assistant.js';
import type { OptionSet } from '../../core/assistant-types.js';
import type { CoreLogger, ProgressBus } from '../../core/ports.js';
import type { ConversationRef, ProgressEvent } from '../../core/types.js';
import { reportFailure } from '../../errors.js';
import { CHAT_HELP, renderOptionSet, renderProgress, renderResult } from './terminal-render.js';

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

const FINAL = new Set(['done', 'failed', 'canceled']);

export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  const { assistant, bus, output, conversation } = options;
  const print = (...lines: string[]) => {
    for (const l of lines) output.write(`${l}\n`);
  };
  const actor: Actor = { userId: conversation.userId, isAdmin: true };
  const jobs: Job[] = [];
  const byId = new Map<string, Job>();
  let lastSet: OptionSet | undefined;
  let settled: () => void = () => {};

  const unsubscribe = await bus.subscribe((event: ProgressEvent) => {
    const job = byId.get(event.generationId);
    if (!job || FINAL.has(job.state)) return;
    if (event.state === job.state && event.state !== 'queued') return;
    job.state = event.state;
    const line = renderProgress(job.number, event);
    if (line) print(line);
    if (event.state === 'done') {
      job.imageReady = (event.assets ?? []).some((a) => a.contentType.startsWith('image/'));
      print(...renderResult(job.number, job.label, event.assets ?? []));
    }
    if (jobs.every((j) => FINAL.has(j.state))) settled();
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
  const commands: ReadonlyArray<readonly [RegExp, (arg: string) => Promise<void>]> = [
    [/^(help|\?)$/i, async () => print(...CHAT_HELP)],
    [
      /^jobs$/i,
      async () => {
        const active = await assistant.activeJobs(conversation);
        if (active.length === 0) print('No active jobs.');
        for (const a of active) {
          const position = a.position ? ` (position ${a.position})` : '';
          print(`#${byId.get(a.generationId)?.number ?? '?'} ${a.label}: ${a.state}${position}`);
        }
      },
    ],
    [
      /^(\d{1,2})$/,
      async (n) => {
        if (!lastSet) print('There are no options yet: describe what you would like to see first.');
        else if (Number(n) < 1 || Number(n) > lastSet.options.length) {
          print(`Pick a number from 1 to ${lastSet.options.length}.`);
        } else track(await assistant.choose(lastSet.key, Number(n) - 1, actor));
      },
    ],
    [/^r\s*#?(\d+)$/i, withJob(async (job) => track(await assistant.reroll(job.generationId, actor)))],
    [
      /^a\s*#?(\d+)$/i,
      withJob(async (job) => {
        const reply = await assistant.animate(job.generationId, actor);
        if (reply.kind === 'options' || reply.kind === 'hint') showReply(reply);
        else if (reply.kind !== 'queued') print(reply.message);
      }),
    ],
    [
      /^c\s*#?(\d+)$/i,
      withJob(async (job) => print(cancelText(job.number, (await assistant.cancel(job.generationId, actor)).outcome))),
    ],
  ];

  /** One line; false when the person wants to leave. */
  const handle = async (line: string): Promise<boolean> => {
    const text = line.trim();
    if (/^(quit|exit|:q)$/i.test(text)) return false;
    for (const [pattern, run] of commands) {
      const match = pattern.exec(text);
      if (match) {
        await run(match[1] ?? '');
        return true;
      }
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
  const running = jobs.filter((j) => !FINAL.has(j.state));
  if (!quit && running.length > 0) {
    print(`Waiting for ${running.length} running job${running.length === 1 ? '' : 's'} to finish…`);
    await new Promise<void>((resolve) => {
      settled = resolve;
      if (jobs.every((j) => FINAL.has(j.state))) resolve();
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

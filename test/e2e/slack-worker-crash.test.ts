/**
 * A worker process killed (SIGKILL) in the middle of posting results to Slack, at the worst moments: Slack has
 * already accepted a step but the worker never hears so, or the worker has marked a step begun but Slack never
 * got it. A holding proxy between the worker and the Slack double keeps the call (or, once the double processed
 * it, its answer) back. Three results are caught at once: one whose upload completion never reached Slack, one
 * right after Slack accepted the upload (files.completeUploadExternal), and one right after it accepted the
 * result message (the chat.postMessage with Re-roll). The spec kills the worker
 * and starts a new one. For each, the person must see the result exactly once — one file, one result message,
 * the status saying done — from one generation at Higgsfield, and soon: within 15 s of the new worker starting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliChild } from './support/cli-process.js';
import { OPTION_LABELS, promptsFor } from './support/e2e-world.js';
import type { Hold, HoldMatch } from './support/holding-proxy.js';
import { printChildLogsOnFailure } from './support/report.js';
import { type SlackOptions, type SlackWorld, startSlackWorld } from './support/slack-world.js';
import { settle, waitUntil, within } from './support/wait.js';

/** How long a new worker may take to finish a delivery a killed one left half done. */
const RECOVERY_MS = 15_000;
/** To watch what happens after the deadline (e.g. whether a late retry posts twice), raise this. */
const WAIT_FOR_RECOVERY_MS = Number(process.env.E2E_RECOVERY_WAIT_MS ?? RECOVERY_MS);

let world: SlackWorld;
let worker: CliChild;
printChildLogsOnFailure();

beforeAll(async () => {
  world = await startSlackWorld({ name: 'slack-crash', mode: 'http' });
  const [, started] = await Promise.all([world.startBot(), world.startWorker()]);
  worker = started;
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const formField = (body: Buffer, name: string) => new URLSearchParams(body.toString('utf8')).get(name) ?? '';
const label = OPTION_LABELS[0];

interface Case {
  step: string;
  request: string;
  hold: HoldMatch;
  /** Keep the answer back once Slack did the step (default), or the call itself, so Slack never sees it. */
  before?: true;
  /** What Slack shows once it accepted the held call. */
  accepted: (thread: string) => boolean;
  held?: Hold;
  options?: SlackOptions;
}

const CASES: Case[] = [
  {
    step: 'files.completeUploadExternal, before Slack saw it',
    request: 'a heron wading at first light',
    hold: { method: 'POST', path: /^\/api\/files\.completeUploadExternal$/ },
    before: true,
    accepted: (thread) => world.filesIn(thread).length === 0,
  },
  {
    step: 'files.completeUploadExternal',
    request: 'an owl in a moonlit birch forest',
    hold: { method: 'POST', path: /^\/api\/files\.completeUploadExternal$/ },
    accepted: (thread) => world.filesIn(thread).length === 1,
  },
  {
    step: 'chat.postMessage (the result, with Re-roll)',
    request: 'a tram climbing a rainy hill at dusk',
    hold: {
      method: 'POST',
      path: /^\/api\/chat\.postMessage$/,
      where: (r) => formField(r.body, 'blocks').includes('"r:gen-'),
    },
    accepted: (thread) => world.resultsIn(thread).length === 1,
  },
];

describe('a worker killed while it posts results to Slack', () => {
  it(
    'before an upload reached Slack, right after Slack accepted one, and right after it accepted a result message: each posted once, within 15 s',
    async () => {
      for (const c of CASES) {
        // One hold at a time, so each catches the step of its own generation.
        c.held = c.before ? world.slackProxy.holdRequest(c.hold) : world.slackProxy.holdResponse(c.hold);
        c.options = await world.imagine('U0ALICE', c.request);
        await world.press('U0ALICE', c.options, 0);
        const exchange = await within(c.held.reached, 30_000, undefined);
        if (!exchange) throw new Error(`the worker's ${c.step} never reached the proxy`);
        expect(c.accepted(c.options.thread), `Slack's side of the held ${c.step}`).toBe(true);
      }
      // Slack has done both; the worker dies before it hears of either.
      await worker.kill9();
      for (const c of CASES) {
        const exchange = c.held!.held[0]!;
        await waitUntil(() => exchange.callerGone, { timeoutMs: 5_000, what: `the killed worker gone from ${c.step}` });
        c.held!.release();
      }
      const startedAt = Date.now();
      worker = await world.startWorker();

      const recovered = new Map<Case, number>();
      const complete = (c: Case) =>
        world.statusIn(c.options!.thread, label)?.text.includes(`${label}: done`) === true &&
        world.resultsIn(c.options!.thread).length > 0;
      await waitUntil(
        () => {
          for (const c of CASES) if (!recovered.has(c) && complete(c)) recovered.set(c, Date.now() - startedAt);
          return recovered.size === CASES.length;
        },
        {
          timeoutMs: WAIT_FOR_RECOVERY_MS,
          what: `the new worker to finish the deliveries (status done, result message posted) within ${WAIT_FOR_RECOVERY_MS} ms`,
          detail: () =>
            CASES.map(
              (c) =>
                `${c.step}: files ${world.filesIn(c.options!.thread).length}, result messages ` +
                `${world.resultsIn(c.options!.thread).length}, status "${world.statusIn(c.options!.thread, label)?.text}"`,
            ).join('; '),
        },
      );
      for (const c of CASES)
        console.info(
          `Slack: recovery after a kill during ${c.step}: ${recovered.get(c)} ms from the new worker's start`,
        );
      await settle(1_500);

      for (const c of CASES) {
        const thread = c.options!.thread;
        const [prompt] = promptsFor(c.request);
        expect.soft(world.filesIn(thread).length, `${c.step}: files in the thread`).toBe(1);
        expect.soft(world.resultsIn(thread).length, `${c.step}: result messages in the thread`).toBe(1);
        expect
          .soft(JSON.stringify(world.resultsIn(thread)[0]?.blocks), `${c.step}: the result's words`)
          .toContain(`✅ *${label}* — done in`);
        expect.soft(world.failuresIn(thread).length, `${c.step}: failure notes in the thread`).toBe(0);
        expect.soft(world.generationsOf(prompt), `${c.step}: generations at Higgsfield`).toBe(1);
        expect
          .soft(recovered.get(c), `${c.step}: ms from the new worker starting to the result complete`)
          .toBeLessThanOrEqual(RECOVERY_MS);
      }
      expect(
        world.ephemeralsFor('U0ALICE').map((e) => e.text),
        'private notes to the person',
      ).toEqual([]);
    },
    60_000 + WAIT_FOR_RECOVERY_MS,
  );
});

/**
 * Slack benchmark: 200 correctly signed slash commands sent at once to the bot's /slack/events (Bolt over
 * HTTP), measuring the time to the HTTP acknowledgement, then option clicks (block actions): all at once, and
 * at a steady 20/s, measuring click → the generation's `queued` event. The bot runs as in production
 * (`higgsbot start`, its own process); a load process (bench/slack-load.ts) sends and times the requests;
 * this process runs the Slack Web API double, the simulator and the Anthropic fake. Bounded: one burst of
 * each, then it stops. A full run writes its section of bench/RESULTS.md; a quick one (or --count) only prints it.
 *
 *   npx tsx bench/slack.bench.ts [--quick | --count <n>]
 */

import { spawn } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { text as readText } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { type SlackStoredMessage, startSlackApiDouble } from '../test/doubles/index.js';
import { isEntry } from './entry.js';
import { ROOT } from './environment.js';
import { latencyRow, startPlatformRig } from './platform-rig.js';
import { recordResults } from './results-file.js';
import type { LoadJob } from './slack-load.js';
import { latency } from './stats.js';
import { sleep, waitFor } from './waits.js';

const SECRET = 'bench-signing-secret';
const CHANNEL = 'C0BENCH';
const WARM_UP = 10;

const actionIds = (m: SlackStoredMessage): string[] =>
  (JSON.stringify(m.blocks ?? []).match(/"action_id":"(o:[^"]+)"/g) ?? []).map((s) => s.slice(13, -1));

/** Runs one job in the load generator process (bench/slack-load.ts) and returns what it timed. */
async function load<T>(job: LoadJob): Promise<T[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/slack-load.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify(job));
  const [out, code] = await Promise.all([
    readText(child.stdout),
    new Promise<number | null>((resolve) => child.once('exit', resolve)),
  ]);
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(out) as T[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, count: { type: 'string' } },
  });
  const N = values.count ? Number(values.count) : values.quick ? 50 : 200;
  const double = await startSlackApiDouble();
  const users = Array.from({ length: N }, (_, i) => `U${String(i).padStart(6, '0')}`);
  for (const id of users) double.addUser({ id, name: id });
  const rig = await startPlatformRig({
    name: 'slack',
    platformEnv: { SLACK_BOT_TOKEN: double.botToken, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: double.apiUrl },
  }).catch(async (err: unknown) => {
    await double.close();
    throw err;
  });
  const { bot, queuedStampedAt, httpPort: port } = rig;
  const events = `http://127.0.0.1:${port}/slack/events`;
  try {
    const ready = async () => {
      if (bot.exitCode() !== undefined) return true;
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return res?.ok === true && double.calls.some((c) => c.method === 'auth.test');
    };
    if (!(await waitFor(ready, 30_000)) || bot.exitCode() !== undefined)
      throw new Error(`the bot did not start: ${bot.stderr.tail}`);
    await sleep(500);

    const threadOwner = (ts: string) =>
      /<@(U[0-9A-Z]+)>/.exec(double.messages(CHANNEL).find((m) => m.ts === ts)?.text ?? '')?.[1];
    const optionsOf = (userId: string) =>
      double
        .messages(CHANNEL)
        .find(
          (m) =>
            m.bot_id &&
            m.thread_ts &&
            m.thread_ts !== m.ts &&
            actionIds(m).length > 0 &&
            threadOwner(m.thread_ts) === userId,
        );
    // 0. Warm-up, as a bot that has been running: a few commands and clicks, not measured.
    const target = { url: events, secret: SECRET, teamId: double.teamId, channelId: CHANNEL };
    const warmUsers = Array.from({ length: WARM_UP }, (_, i) => `UW${String(i).padStart(5, '0')}`);
    for (const id of warmUsers) double.addUser({ id, name: id });
    await load({ ...target, kind: 'commands', command: '/imagine', users: warmUsers });
    await double.waitFor(() => warmUsers.every((u) => optionsOf(u)), 30_000);

    // 1. N signed slash commands at once, from N different people, sent and timed by a process of its own.
    const acks = await load<{ userId: string; status: number; ackMs: number; sentAtMs: number }>({
      ...target,
      kind: 'commands',
      command: '/imagine',
      users,
    });
    const ackMs = acks.map((a) => a.ackMs);
    const failedAcks = acks.filter((a) => a.status !== 200).length;
    await double.waitFor(() => users.every((u) => optionsOf(u)), 120_000);
    // When each person's options were posted (the double stamps every call as it arrives).
    const optionsPosted = acks.map(({ userId, sentAtMs }) => {
      const thread = optionsOf(userId)!.thread_ts;
      const call = double.calls.find(
        (c) => c.method === 'chat.postMessage' && c.args.thread_ts === thread && JSON.stringify(c.args).includes('o:'),
      );
      return call!.atMs - sentAtMs;
    });

    // 2. Clicks: option 1 of every set at once, then option 2 at a steady 20 clicks/s. Click → queued is the
    // bot's own stamp on the queued event minus the load process's send time (one machine, one wall clock).
    const clickAll = async (index: number, paceMs: number, who = users) => {
      const clicks = who.map((userId) => {
        const message = optionsOf(userId)!;
        return {
          key: `${message.thread_ts}:${index}`,
          userId,
          actionId: actionIds(message)[index]!,
          messageTs: message.ts,
          threadTs: message.thread_ts!,
        };
      });
      return load<{ key: string; status: number; sentAtMs: number }>({ ...target, kind: 'clicks', paceMs, clicks });
    };
    const warm = await clickAll(0, 0, warmUsers);
    await waitFor(() => warm.every((c) => queuedStampedAt.has(c.key)), 30_000);
    const burst = await clickAll(0, 0);
    await waitFor(() => burst.every((c) => queuedStampedAt.has(c.key)), 60_000);
    const paced = await clickAll(1, 50);
    await waitFor(() => paced.every((c) => queuedStampedAt.has(c.key)), 60_000);
    const toQueued = (clicks: typeof burst) => latency(clicks.map((c) => queuedStampedAt.get(c.key)! - c.sentAtMs));
    const enqueue = toQueued(burst);
    const enqueuePaced = toQueued(paced);
    const ack = latency(ackMs);
    const toOptions = latency(optionsPosted);

    const cpus = os.cpus();
    const burstSpanMs =
      Math.max(...burst.map((c) => queuedStampedAt.get(c.key)!)) - Math.min(...burst.map((c) => c.sentAtMs));
    const text = `# Slack benchmark results

Generated by \`npx tsx bench/slack.bench.ts${values.quick ? ' --quick' : ''}\` on ${new Date().toISOString()}: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? '?'}), Node ${process.version}.
${N} correctly signed \`/imagine\` slash commands (${N} different people) POSTed at once, each on its own connection, to the
bot's \`/slack/events\` (Bolt's HTTP receiver on our server), then option clicks (block actions). The bot runs as in
production (\`higgsbot start --role all\`, its own process, after a warm-up of ${WARM_UP} commands and clicks); a load
process of its own sends and times the requests; the benchmark process runs the Slack Web API double, the simulator and
the Anthropic fake (Claude answers at once); Redis shares the same 2 cores.

| Figure | p50 | p95 | p99 | max | Target |
| --- | --- | --- | --- | --- | --- |
${latencyRow('Slash command → HTTP acknowledgement', ack, 'p99 < 250 ms (Slack: 3 s)')}
${latencyRow('Slash command → options posted in the thread (Claude answering at once)', toOptions, '—')}
${latencyRow(`Click → generation enqueued, ${N} at once`, enqueue, 'p99 < 50 ms')}
${latencyRow(`Click → generation enqueued, ${N} clicks at a steady 20/s`, enqueuePaced, 'p99 < 50 ms')}

Acknowledgements that were not 200: ${failedAcks} of ${N}. The ${N} simultaneous clicks were all queued within
${Math.round(burstSpanMs)} ms (${Math.round((N * 1_000) / burstSpanMs)} clicks/s). Click → enqueued is the bot's own stamp on the
\`queued\` event minus the load process's send time: the signed request, Bolt's verification and ack, the permission
check and the enqueue; the status message is posted after the generation is queued.
`;
    console.log(text);
    console.log(await recordResults('slack', text, { quick: values.quick === true || values.count !== undefined }));
  } finally {
    await rig.close();
    await double.close();
  }
}

if (isEntry(import.meta.url)) await main();

/**
 * The Slack benchmark's load generator, run as its own process so that its clock is not held up by the
 * Slack double, the simulator and the Anthropic fake: it reads one job as JSON on stdin, sends the signed
 * requests (all at once, or paced), and writes what it timed as JSON on stdout.
 *
 *   commands: slash commands → { userId, status, ackMs, sentAtMs }[]   (time to Bolt's acknowledgement)
 *   clicks:   block actions  → { key, status, sentAtMs }[]   (wall clock at sending, for click → queued)
 */
import { json } from 'node:stream/consumers';
import { z } from 'zod';
import { sendBlockAction, sendSlashCommand } from '../test/doubles/index.js';
import { isEntry } from './entry.js';
import { sleep } from './waits.js';

const Common = z.object({ url: z.string().url(), secret: z.string(), teamId: z.string(), channelId: z.string() });
export const LoadJob = z.discriminatedUnion('kind', [
  Common.extend({ kind: z.literal('commands'), command: z.string(), users: z.array(z.string()) }),
  Common.extend({
    kind: z.literal('clicks'),
    paceMs: z.number().min(0),
    clicks: z.array(
      z.object({
        key: z.string(),
        userId: z.string(),
        actionId: z.string(),
        messageTs: z.string(),
        threadTs: z.string(),
      }),
    ),
  }),
]);
export type LoadJob = z.infer<typeof LoadJob>;

async function run(job: LoadJob): Promise<unknown[]> {
  if (job.kind === 'commands') {
    return Promise.all(
      job.users.map(async (userId, i) => {
        const sentAtMs = Date.now();
        const res = await sendSlashCommand(job.url, job.secret, {
          command: job.command,
          text: `a red fox ${i}`,
          userId,
          channelId: job.channelId,
          teamId: job.teamId,
        });
        return { userId, status: res.status, ackMs: res.elapsedMs, sentAtMs };
      }),
    );
  }
  const start = Date.now();
  return Promise.all(
    job.clicks.map(async (click, i) => {
      if (job.paceMs > 0) await sleep(start + i * job.paceMs - Date.now());
      const sentAtMs = Date.now();
      const res = await sendBlockAction(job.url, job.secret, {
        actionId: click.actionId,
        value: click.actionId,
        userId: click.userId,
        channelId: job.channelId,
        messageTs: click.messageTs,
        threadTs: click.threadTs,
        teamId: job.teamId,
      });
      return { key: click.key, status: res.status, sentAtMs };
    }),
  );
}

async function main(): Promise<void> {
  const job = LoadJob.parse(await json(process.stdin));
  process.stdout.write(JSON.stringify(await run(job)));
}

if (isEntry(import.meta.url)) await main();

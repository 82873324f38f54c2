/**
 * Seed A's documented shapes, transcribed from its "API Documentation" examples (shared/seeds/000_*.txt),
 * independently of the server's own schemas: the contract specs parse every answer with these, so a change
 * on our side that breaks a seed client fails here. Objects are not strict: seed clients ignore fields
 * they do not know (our `options`, a submission's `notes`), and must still find every field they do.
 */
import { z } from 'zod';
import type { WebWorld } from './web-world.js';

/** `{"detail": "Invalid aspect_ratio provided. Must be one of [...]"}` and every other error. */
export const SeedError = z.object({ detail: z.string().min(1) });

export const SeedJobType = z.enum(['text-to-image', 'text-to-video', 'image-to-video']);

/** `queued`, `processing`, `completed`, `failed` (the Job Handling Guide's step 3). */
export const SeedJobStatus = z.enum(['queued', 'processing', 'completed', 'failed']);

/** The chat's `job_details`, and the answer of every direct model route ("confirmation that the job has been submitted"). */
export const SeedJobDetails = z.object({
  job_set_id: z.string().min(1),
  status: SeedJobStatus,
  job_type: SeedJobType,
  model: z.string().min(1),
  parameters: z.object({ prompt: z.string().min(1) }).catchall(z.unknown()),
  estimated_time: z.string().min(1),
});

export const SeedChatResponse = z.object({
  message: z.string(),
  job_details: SeedJobDetails.nullable(),
  action_performed: z.enum(['generate_video', 'generate_image', 'no_action']),
});

/** Our addition beside the seed's fields: the options a reply proposes. */
export const OurOption = z.object({
  option_id: z.string().regex(/^[A-Za-z0-9_-]+\.\d+$/),
  label: z.string().min(1),
  reason: z.string(),
  kind: SeedJobType,
  model: z.string().min(1),
  prompt: z.string().min(1),
});
export const OurChatResponse = SeedChatResponse.extend({ options: z.array(OurOption) });

const isoTime = z.iso.datetime({ offset: true });

export const SeedJobResult = z.object({
  url: z.string().nullable(),
  min_url: z.string().nullable(),
  raw_url: z.string().nullable(),
  duration: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});

export const SeedJobSetStatus = z.object({
  id: z.string().min(1),
  status: SeedJobStatus,
  jobs: z
    .array(
      z.object({
        id: z.string().min(1),
        status: SeedJobStatus,
        progress: z.number().min(0).max(100),
        result: SeedJobResult.nullable(),
        error: z.string().nullable(),
        created_at: isoTime,
        updated_at: isoTime,
      }),
    )
    .min(1),
  created_at: isoTime,
  updated_at: isoTime,
  metadata: z.record(z.string(), z.unknown()),
});
export type SeedJobSetStatus = z.infer<typeof SeedJobSetStatus>;

export const SeedHealthResponse = z.object({
  status: z.literal('healthy'),
  version: z.string().min(1),
  service: z.string().min(1),
});

/** The stream's frames: `event: message` with `{"chunk": "..."}` (ours also send options, job and done). */
export const SeedStreamChunk = z.object({ chunk: z.string() });

// --- a seed A client's habits (the Job Handling Guide) ------------------------------------------------------

/** What a seed A client sees of a job set while it polls `GET /v1/jobs/{id}` until the set has ended. */
export interface PolledJobSet {
  final: SeedJobSetStatus;
  /** Every status seen, in order (each parsed with `SeedJobSetStatus`). */
  seen: SeedJobSetStatus['status'][];
}

/** Polls a job set (every 100 ms; the guide says 3-5 s, a spec has no such patience) until it ends. */
export async function pollJobSet(
  world: Pick<WebWorld, 'api'>,
  id: string,
  key: string,
  timeoutMs = 20_000,
): Promise<PolledJobSet> {
  const seen: SeedJobSetStatus['status'][] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await world.api(`/v1/jobs/${encodeURIComponent(id)}`, { key });
    if (answer.status !== 200) throw new Error(`GET /v1/jobs/${id} answered ${answer.status}: ${answer.text}`);
    const status = SeedJobSetStatus.parse(answer.body);
    if (seen.at(-1) !== status.status) seen.push(status.status);
    if (status.status === 'completed' || status.status === 'failed') return { final: status, seen };
    if (Date.now() > deadline) throw new Error(`job set ${id} still ${status.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the simulator was asked that costs: submits and upload links. A refused request adds to neither. */
export function spending(world: Pick<WebWorld, 'sim'>): { submits: number; uploads: number } {
  const stats = world.sim.stats();
  return {
    submits: stats.submitCalls,
    uploads: stats.calls.filter((call) => call.path.startsWith('/files/generate-upload-url')).length,
  };
}

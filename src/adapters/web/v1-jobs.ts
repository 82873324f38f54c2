/**
 * A generation as seed A's `JobSetStatus`: the job set is the generation (its id is the generation id), and
 * its jobs are the generation's results, one per stored file (`<generation id>-<index>`, as the files are
 * keyed); before there are results it holds one job, `<generation id>-0`.
 *
 * Mapping: queued → queued; submitted, rendering, delivering → processing; done → completed; failed and
 * canceled → failed. Progress follows the state: queued 0, submitted 25, rendering 60, delivering 90, and
 * 100 once it ended (done, failed or canceled: nothing more will happen). `url` and `min_url` are a fresh
 * link to our stored file (the media store's link, made anew on every read), `raw_url` is the provider's own
 * URL. Times come from history's record of the states when it has one (the history feed may lag a moment
 * behind a new generation, or the database may be down: then both times are the time of the read).
 *
 * `toJobSubmission` is the answer to starting one (a direct route, or a pick in `/v1/chat`): the seed's
 * `job_details`, whose `parameters` are the body sent to the v2 model (prompt included).
 */
import type { HistoryEntry } from '../../core/history.js';
import type { GenerationLookup } from '../../core/ports.js';
import type { GenerationOption, GenerationState, MediaAsset } from '../../core/types.js';
import { isoTime } from './schemas/common.js';
import type { Job, JobSetState, JobSetStatus, V1JobSubmission } from './schemas/seed-a.js';

const STATE: Readonly<Record<GenerationState, JobSetState>> = {
  queued: 'queued',
  submitted: 'processing',
  rendering: 'processing',
  delivering: 'processing',
  done: 'completed',
  failed: 'failed',
  canceled: 'failed',
};

const PROGRESS: Readonly<Record<GenerationState, number>> = {
  queued: 0,
  submitted: 25,
  rendering: 60,
  delivering: 90,
  done: 100,
  failed: 100,
  canceled: 100,
};

export function jobSetState(state: GenerationState): JobSetState {
  return STATE[state];
}

export interface JobSetInput {
  generation: GenerationLookup;
  /** History's record of it, when the store has one. */
  entry?: HistoryEntry | undefined;
  /** A fresh link people can open to a stored file. */
  link(key: string, providerUrl: string): Promise<string>;
  nowMs: number;
}

export async function toJobSetStatus(input: JobSetInput): Promise<JobSetStatus> {
  const { generation, entry } = input;
  // The queue's state is the live one; history's may trail it by a feed step (or lead it once Redis forgot).
  const state = generation.state;
  const status = jobSetState(state);
  const createdAt = isoTime(entry?.createdAtMs ?? input.nowMs);
  const updatedAt = isoTime(Math.max(entry?.updatedAtMs ?? input.nowMs, entry?.createdAtMs ?? 0));
  const error = status === 'failed' ? failureText(state, entry) : null;
  const assets = state === 'done' ? (generation.assets ?? []) : [];

  const jobs: Job[] =
    assets.length > 0
      ? await Promise.all(
          assets.map(async (asset, index) => ({
            id: `${generation.generationId}-${index}`,
            status,
            progress: PROGRESS[state],
            result: await resultOf(asset, input.link),
            error,
            created_at: createdAt,
            updated_at: updatedAt,
          })),
        )
      : [
          {
            id: `${generation.generationId}-0`,
            status,
            progress: PROGRESS[state],
            result: null,
            error,
            created_at: createdAt,
            updated_at: updatedAt,
          },
        ];
  return { id: generation.generationId, status, jobs, created_at: createdAt, updated_at: updatedAt, metadata: {} };
}

async function resultOf(asset: MediaAsset, link: JobSetInput['link']): Promise<NonNullable<Job['result']>> {
  const url = await link(asset.key, asset.providerUrl);
  return {
    url,
    min_url: url,
    raw_url: asset.providerUrl,
    duration: asset.durationS ?? null,
    metadata: {
      content_type: asset.contentType,
      size_bytes: asset.sizeBytes,
      ...(asset.width !== undefined ? { width: asset.width } : {}),
      ...(asset.height !== undefined ? { height: asset.height } : {}),
    },
  };
}

function failureText(state: GenerationState, entry: HistoryEntry | undefined): string {
  if (entry?.failure?.message) return entry.failure.message;
  return state === 'canceled' ? 'The generation was canceled.' : 'The generation failed.';
}

export interface SubmissionInput {
  generationId: string;
  option: GenerationOption;
  /** 'queued' for a new generation; a repeat (same idempotency key or pick) answers where it is now. */
  status: JobSetState;
  estimatedWaitMs: number;
  /** The name answered as `model`: the seed's route name on a direct route, else the v2 model id. */
  model: string;
  notes?: readonly string[];
}

export function toJobSubmission(input: SubmissionInput): V1JobSubmission {
  const { option } = input;
  return {
    job_set_id: input.generationId,
    status: input.status,
    job_type: option.kind,
    model: input.model,
    parameters: { prompt: option.prompt, ...option.params },
    estimated_time: describeWait(input.estimatedWaitMs),
    ...(input.notes?.length ? { notes: [...input.notes] } : {}),
  };
}

/** "about 25 s", "about 3 min": the queue's estimate in words. */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds < 120 ? `about ${seconds} s` : `about ${Math.round(seconds / 60)} min`;
}

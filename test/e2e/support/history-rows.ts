/**
 * What the history database holds after a flow, read straight from PostgreSQL (the processes under test
 * write it; the spec only reads): the turns, and each generation with its states and assets.
 */
import pg from 'pg';
import { expect } from 'vitest';
import { OPTION_LABELS } from './e2e-world.js';
import { waitUntil } from './wait.js';

export interface RecordedHistory {
  turns: Array<{ role: string; text: string; options: number; platform: string; title: string | null }>;
  generations: Array<{
    generationId: string;
    state: string;
    modelId: string;
    prompt: string;
    label: string;
    hasEstimate: boolean;
    states: string[];
    assets: Array<{ contentType: string; sizeBytes: number; storageKey: string; width: number; height: number }>;
  }>;
}

export async function recordedHistory(databaseUrl: string): Promise<RecordedHistory> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const turns = await client.query(
      `select t.role, t.text, coalesce(jsonb_array_length(t.option_set->'options'), 0) as options, c.platform, c.title
         from turns t join conversations c using (conversation_id) order by t.at, t.role`,
    );
    const generations = await client.query(
      `select g.generation_id, g.state, g.model_id, g.prompt, g.label, g.estimate is not null as has_estimate,
              coalesce((select array_agg(s.state order by s.at) from generation_states s
                         where s.generation_id = g.generation_id), '{}') as states,
              coalesce((select json_agg(json_build_object('contentType', a.content_type, 'sizeBytes', a.size_bytes,
                        'storageKey', a.storage_key, 'width', a.width, 'height', a.height) order by a."index") from assets a
                         where a.generation_id = g.generation_id), '[]') as assets
         from generations g order by g.created_at`,
    );
    return {
      turns: turns.rows.map((r) => ({
        role: r.role,
        text: r.text,
        options: Number(r.options),
        platform: r.platform,
        title: r.title,
      })),
      generations: generations.rows.map((r) => ({
        generationId: r.generation_id,
        state: r.state,
        modelId: r.model_id,
        prompt: r.prompt,
        label: r.label,
        hasEstimate: r.has_estimate,
        states: r.states,
        assets: r.assets,
      })),
    };
  } catch (error) {
    // Before the first process migrated, there are no tables yet: nothing recorded.
    if ((error as { code?: string }).code === '42P01') return { turns: [], generations: [] };
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * A request, its options and the first option's generation to the end, recorded once each: the request and
 * reply turns (with the option set), the recipe with its estimate, every state in order, the image asset.
 */
export async function expectFlowRecorded(
  databaseUrl: string,
  flow: { platform: string; request: string; prompt: string },
): Promise<void> {
  let history = await recordedHistory(databaseUrl);
  await waitUntil(
    async () => {
      history = await recordedHistory(databaseUrl);
      return history.generations[0]?.state === 'done' && history.turns.length >= 2;
    },
    { timeoutMs: 10_000, what: 'the flow recorded in history', detail: () => JSON.stringify(history) },
  );
  expect(history.turns.map((t) => [t.role, t.platform])).toEqual([
    ['request', flow.platform],
    ['reply', flow.platform],
  ]);
  expect(history.turns[0]?.text).toBe(flow.request);
  expect(history.turns[0]?.title).toBe(flow.request);
  expect(history.turns[1]?.options).toBe(OPTION_LABELS.length);
  expect(history.generations).toHaveLength(1);
  expect(history.generations[0]).toMatchObject({ label: OPTION_LABELS[0], prompt: flow.prompt, hasEstimate: true });
  // Every state once, in order ('rendering' only when a poll saw the render under way: short renders skip it).
  const states = history.generations[0]?.states ?? [];
  const life = ['queued', 'submitted', 'rendering', 'delivering', 'done'];
  expect(states).toEqual(life.filter((state) => states.includes(state)));
  expect(states).toEqual(expect.arrayContaining(['queued', 'submitted', 'delivering', 'done']));
  // The simulator's images are 64 × 64 PNGs; their size is read from the file on its way into the store.
  expect(history.generations[0]?.assets).toEqual([
    expect.objectContaining({ contentType: 'image/png', width: 64, height: 64 }),
  ]);
}

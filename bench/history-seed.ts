/**
 * Seeds the history benchmark's database on the server itself (INSERT … SELECT over generate_series), so a
 * million generations take seconds, not a million round trips. Prompts are 6–15 words drawn from a word
 * list with a skewed distribution (a few words are in most prompts, most words in few), so a full-text
 * search meets both common and rare words. Every generation has the five states of a good run and one
 * asset, as the real pipeline leaves them.
 */
import type pg from 'pg';

/** Prompt words, the most common first (the draw favours the start of the list). */
export const WORDS = (
  'the a of in with at and on portrait cinematic light sunset night city forest mountain ocean street ' +
  'golden hour soft warm cold neon rain fog snow dusk dawn sky clouds river lake desert beach island ' +
  'woman man child girl boy old young dog cat fox wolf bird horse dragon robot astronaut knight ' +
  'wizard samurai pirate castle tower bridge temple market cafe library train car ship boat plane ' +
  'garden field meadow flowers roses tree leaves autumn winter spring summer storm lightning moon ' +
  'stars galaxy planet nebula space station cyberpunk steampunk fantasy vintage retro futuristic ' +
  'minimal surreal dreamy moody dramatic epic serene peaceful vibrant pastel monochrome black white ' +
  'red blue green yellow orange purple pink silver gold glass metal wood stone paper watercolor oil ' +
  'painting sketch illustration photo photograph render anime comic poster cover wallpaper closeup ' +
  'wide aerial drone macro bokeh reflection shadow silhouette glow smoke fire water ice crystal ' +
  'lantern candle window door staircase rooftop alley subway harbor lighthouse cliff waterfall cave ' +
  'volcano canyon valley glacier jungle swamp prairie vineyard orchard farm village skyline tokyo ' +
  'paris venice kyoto iceland sahara patagonia himalaya amazon nordic mediterranean victorian gothic ' +
  'baroque artdeco bauhaus brutalist ukiyoe impressionist expressionist cubist renaissance noir ' +
  'kodachrome polaroid lomography tiltshift fisheye anamorphic handheld dolly orbit timelapse ' +
  'slowmotion hyperlapse koi whale jellyfish octopus butterfly owl raven tiger lion elephant bear'
).split(' ');

export interface SeedSize {
  people: number;
  generations: number;
  threadsPerPerson: number;
}

export const PLATFORM = 'discord';
export const userOf = (n: number): string => `user-${n}`;

/** Conversations, then generations in chunks (reporting progress), then their states and assets. */
export async function seedHistory(
  client: pg.ClientBase,
  size: SeedSize,
  progress: (line: string) => void,
): Promise<void> {
  await client.query("set synchronous_commit = off; set maintenance_work_mem = '256MB'; set work_mem = '64MB'");
  await client.query(
    `insert into conversations (platform, workspace_id, channel_id, thread_id, user_id, title, created_at, last_activity_at)
     select $1, 'bench-guild', 'channel-' || (u % 50), 'thread-' || t, 'user-' || u, 'bench conversation',
            now() - interval '200 days', now()
     from generate_series(0, $2::int - 1) u cross join generate_series(0, $3::int - 1) t`,
    [PLATFORM, size.people, size.threadsPerPerson],
  );
  await client.query('analyze conversations');
  const chunk = 100_000;
  for (let from = 0; from < size.generations; from += chunk) {
    const to = Math.min(size.generations, from + chunk);
    await client.query(
      `insert into generations (generation_id, short_id, platform, user_id, conversation_id, kind, model_id, prompt,
         params, label, reason, estimate, state, created_at, updated_at)
       with g as materialized (
         select i, i % $2::int as u, (i / $2::int) % $3::int as t, 'gen-' || gen_random_uuid() as id,
                now() - random() * interval '180 days' as created,
                (select string_agg(($4::text[])[1 + floor(power(random(), 2) * $5::int)::int], ' ')
                   from generate_series(1, 6 + i % 10)) as prompt
         from generate_series($6::int, $7::int - 1) i
       )
       select g.id, substr(g.id, 5, 8), $1, 'user-' || g.u, c.conversation_id, 'text-to-image',
              'higgsfield-ai/soul/v2/standard', g.prompt, '{"aspect_ratio": "9:16"}', 'Soul · bench', 'Seeded.',
              '{"waitSeconds": 40}', 'done', g.created, g.created + interval '40 seconds'
       from g join conversations c on c.platform = $1 and c.workspace_id = 'bench-guild'
        and c.channel_id = 'channel-' || (g.u % 50) and c.thread_id = 'thread-' || g.t and c.user_id = 'user-' || g.u`,
      [PLATFORM, size.people, size.threadsPerPerson, WORDS, WORDS.length, from, to],
    );
    progress(`  generations ${to.toLocaleString('en-US')} / ${size.generations.toLocaleString('en-US')}`);
  }
  await client.query(
    `insert into generation_states (generation_id, state, at)
     select g.generation_id, s.state, g.created_at + s.offset_s * interval '1 second'
     from generations g cross join (values ('queued', 0), ('submitted', 1), ('rendering', 5), ('delivering', 38),
       ('done', 40)) as s(state, offset_s)`,
  );
  progress('  states written');
  await client.query(
    `insert into assets (generation_id, "index", storage_key, content_type, size_bytes, provider_url, width, height)
     select generation_id, 0, '2026/bench/' || generation_id || '-0.png', 'image/png', 1500000,
            'https://cdn.example/' || generation_id || '.png', 1152, 2048
     from generations`,
  );
  progress('  assets written');
}

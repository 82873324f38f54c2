/**
 * The comparison for the agent benchmark: the earlier system's request, which turned both catalogs into
 * Anthropic tools, one per Soul style (106, `create_image_<slug>`) and one per DoP motion (121,
 * `create_video_<slug>`), each with a description and a single `user_prompt` input (reference/higgsfield-api.md
 * §5.3). The real catalog files are not in this repository, so catalogs of the same sizes are generated
 * deterministically, with descriptions of the same kind and length as the simulator's (35 styles without one,
 * as in the real file). The same catalogs feed our agent's search tools, so both designs see the same data.
 */
import type { CatalogEntry } from '../src/higgsfield/wire.js';

const LOOKS = ['Golden', 'Neon', 'Velvet', 'Paper', 'Chrome', 'Misty', 'Retro', 'Lunar', 'Coral', 'Ivory', 'Storm'];
const THINGS = ['Hour', 'Dream', 'Noir', 'Portrait', 'Poster', 'Street', 'Garden', 'Studio', 'Film', 'Glow'];
const MOVES = ['Zoom', 'Dolly', 'Crane', 'Orbit', 'Pan', 'Tilt', 'Push', 'Pull', 'Drift', 'Whip', 'Track'];
const WAYS = ['In', 'Out', 'Left', 'Right', 'Up', 'Down', 'Around', 'Slow', 'Fast', 'Spiral', 'Wobble'];
const ADJ = ['warm', 'soft', 'crisp', 'grainy', 'bold', 'muted', 'glossy', 'dreamy', 'stark', 'vivid'];
const NOUN = ['light', 'shadows', 'colour', 'texture', 'contrast', 'haze', 'reflections', 'skin tones'];

function uuid(n: number, kind: number): string {
  const hex = (n * 7919 + kind * 104_729).toString(16).padStart(12, '0').slice(-12);
  return `${kind}0000000-0000-4000-8000-${hex}`;
}

export function legacyCatalogs(): { styles: CatalogEntry[]; motions: CatalogEntry[] } {
  const styles: CatalogEntry[] = [];
  for (let i = 0; styles.length < 106; i++) {
    const name = `${LOOKS[i % LOOKS.length]} ${THINGS[Math.floor(i / LOOKS.length) % THINGS.length]}`;
    const description =
      i % 3 === 2 && styles.filter((s) => s.description === '').length < 35
        ? ''
        : `${cap(ADJ[i % ADJ.length]!)} ${NOUN[i % NOUN.length]} with ${ADJ[(i + 3) % ADJ.length]} ${NOUN[(i + 5) % NOUN.length]} and a polished finish.`;
    styles.push({ id: uuid(i, 1), name, description });
  }
  const motions: CatalogEntry[] = [];
  for (let i = 0; motions.length < 121; i++) {
    const name = `${MOVES[i % MOVES.length]} ${WAYS[Math.floor(i / MOVES.length) % WAYS.length]}`;
    const description = `The camera moves ${WAYS[Math.floor(i / MOVES.length) % WAYS.length]!.toLowerCase()} with a ${ADJ[i % ADJ.length]} ${MOVES[i % MOVES.length]!.toLowerCase()} toward the subject.`;
    motions.push({ id: uuid(i, 2), name, description, startEndFrame: i % 8 !== 0 });
  }
  return { styles, motions };
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_');

/** The earlier design's tool list: 227 tools, rebuilt from the catalogs on every request. */
export function legacyTools(catalogs: { styles: CatalogEntry[]; motions: CatalogEntry[] }) {
  const tool = (name: string, description: string, what: string) => ({
    name,
    description,
    input_schema: {
      type: 'object' as const,
      properties: { user_prompt: { type: 'string', description: `The enhanced prompt for the ${what}` } },
      required: ['user_prompt'],
    },
  });
  return [
    ...catalogs.styles.map((s) =>
      tool(`create_image_${slug(s.name)}`, `Create an image in the ${s.name} style. ${s.description}`.trim(), 'image'),
    ),
    ...catalogs.motions.map((m) =>
      tool(
        `create_video_${slug(m.name)}`,
        `Create a video with the ${m.name} motion. ${m.description}`.trim(),
        'video',
      ),
    ),
  ];
}

export const LEGACY_SYSTEM =
  'You are a creative assistant for Higgsfield image and video generation. Read the request and call 2 to 4 of the tools, each with an enhanced prompt, to offer the person distinct options.';

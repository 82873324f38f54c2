/**
 * The simulator's Soul style and DoP motion catalogs: a small fixed subset. The named ids (General,
 * Creatures, Elevator Mirror; Zoom In, Static, General) are the real ones from the reference snapshots;
 * the rest are invented but fixed, so tests and demos can rely on them. Preview urls point at the simulator.
 */

export interface SoulStyle {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly preview_url: string;
}

export interface Motion extends SoulStyle {
  readonly start_end_frame: boolean;
}

type Entry = readonly [id: string, name: string, description: string];

export const SOUL_STYLE_ENTRIES: readonly Entry[] = [
  ['464ea177-8d40-4940-8d9d-b438bab269c7', 'General', 'Clean, balanced, and natural look for any subject.'],
  ['b3c8075a-cb4c-42de-b8b3-7099dd2df672', 'Creatures', 'Fantastical beings with detailed textures and lifelike eyes.'],
  ['524be50a-4388-4ff5-a843-a73d2dd7ef87', 'Elevator Mirror', 'Casual mirror selfie in a metallic elevator.'],
  ['0b6f2c1e-3f4a-4d8e-9a51-7c2e8d1f4a01', 'Cinematic', 'Widescreen framing, shallow depth of field, film grading.'],
  ['1c7a3d2f-4b5e-4e9f-8b62-8d3f9e2a5b02', 'Film Noir', 'High-contrast black and white with hard shadows.'],
  ['2d8b4e3a-5c6f-4fa0-9c73-9e4a0f3b6c03', 'Anime', 'Cel-shaded characters with bold lines and bright colour.'],
  ['3e9c5f4b-6d7a-40b1-8d84-af5b1a4c7d04', 'Watercolor', 'Soft washes of pigment bleeding on textured paper.'],
  ['4fad6a5c-7e8b-41c2-9e95-b06c2b5d8e05', 'Neon Nights', 'Rain-slick streets lit by magenta and cyan signs.'],
  ['50be7b6d-8f9c-42d3-8fa6-c17d3c6e9f06', 'Golden Hour', 'Warm low sun, long shadows and glowing skin.'],
  ['61cf8c7e-9aad-43e4-90b7-d28e4d7fa007', 'Minimalist', 'Sparse composition with plenty of negative space.'],
  ['72d09d8f-abbe-44f5-a1c8-e39f5e80b108', 'Vintage Polaroid', 'Faded instant-film colours with a white border.'],
  ['83e1ae90-bccf-4506-b2d9-f4a06f91c209', 'Fantasy', 'Epic painterly worlds with magic light and mist.'],
];

export const MOTION_ENTRIES: readonly (readonly [...Entry, startEndFrame: boolean])[] = [
  ['fbcbec5b-30f8-4b17-ba6e-8e8d5b265562', 'Zoom In', 'The camera pushes steadily towards the subject.', true],
  ['fa3ddb7c-53ee-4383-aa17-97ae65f180e5', 'Static', 'A locked-off camera; only the scene moves.', true],
  ['31177282-bde3-4870-b283-1135ca0a201a', 'General', 'Natural, model-chosen camera movement.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c01', 'Zoom Out', 'The camera pulls back to reveal the surroundings.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c02', 'Dolly Left', 'The camera tracks sideways to the left.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c03', 'Dolly Right', 'The camera tracks sideways to the right.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c04', 'Crane Up', 'The camera rises smoothly above the subject.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c05', 'Crane Down', 'The camera descends from a high angle.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c06', 'Orbit', 'The camera circles around the subject.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c07', 'Handheld', 'Slight organic shake, like a documentary camera.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c08', 'Whip Pan', 'A fast blurred pan that snaps to a new view.', true],
  ['9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c09', 'Super 8MM', 'Grainy, jittery home-movie footage.', false],
];

/** The styles as `GET /v1/text2image/soul-styles/v2` returns them, previews on `baseUrl`. */
export function soulStyles(baseUrl: string): SoulStyle[] {
  return SOUL_STYLE_ENTRIES.map(([id, name, description]) => ({
    id,
    name,
    description,
    preview_url: `${baseUrl}/previews/${id}.webp`,
  }));
}

/** The motions as `GET /v1/motions` returns them, previews on `baseUrl`. */
export function motions(baseUrl: string): Motion[] {
  return MOTION_ENTRIES.map(([id, name, description, startEndFrame]) => ({
    id,
    name,
    description,
    preview_url: `${baseUrl}/previews/${id}.webp`,
    start_end_frame: startEndFrame,
  }));
}

/**
 * Seed B's catalog lists: `GET /higgsfield/text2image/styles` and `GET /higgsfield/image2video/motions`
 * answer `[{id, name, description}]`, every style and motion the provider offers (the simulator's catalog
 * here), for a person with a key only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTION_ENTRIES, SOUL_STYLE_ENTRIES } from '../../src/higgsfield/simulator/index.js';
import { catalogList } from './support/seed-b-generate-shapes.js';
import { errorBody } from './support/seed-b-shapes.js';
import { startWebWorld, type WebWorld } from './support/web-world.js';

let world: WebWorld;
let alice: string;

beforeAll(async () => {
  world = await startWebWorld({ name: 'catalog' });
  alice = await world.newKey('alice');
}, 30_000);

afterAll(async () => {
  await world?.close();
});

describe('GET /higgsfield/text2image/styles', () => {
  it('lists every Soul style as {id, name, description}', async () => {
    const answer = await world.api('/higgsfield/text2image/styles', { key: alice });
    expect(answer.status).toBe(200);
    const styles = catalogList.parse(answer.body);
    expect(styles.map((s) => [s.id, s.name, s.description])).toEqual(SOUL_STYLE_ENTRIES.map((e) => [...e]));
  });
});

describe('GET /higgsfield/image2video/motions', () => {
  it('lists every DoP motion as {id, name, description}', async () => {
    const answer = await world.api('/higgsfield/image2video/motions', { key: alice });
    expect(answer.status).toBe(200);
    const motions = catalogList.parse(answer.body);
    expect(motions.map((m) => [m.id, m.name, m.description])).toEqual(
      MOTION_ENTRIES.map(([id, name, d]) => [id, name, d]),
    );
    expect(Object.keys(motions[0] ?? {}).sort()).toEqual(['description', 'id', 'name']);
  });
});

describe('the catalog lists', () => {
  it('answer 401 without a key', async () => {
    for (const path of ['/higgsfield/text2image/styles', '/higgsfield/image2video/motions']) {
      const answer = await world.api(path);
      expect(answer.status, path).toBe(401);
      errorBody.parse(answer.body);
    }
  });
});

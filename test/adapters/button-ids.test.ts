/**
 * The ids our buttons carry (src/adapters/shared/button-ids.ts), as a round trip: every kind of action
 * encodes to an id that fits Discord's custom_id (100 characters) and Slack's action_id (255) and decodes
 * back to the same action, for random valid option keys and generation ids; anything malformed or foreign
 * (someone else's button, a hand-edited id, an id from an older format) names no action at all.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ButtonAction, decodeButton, encodeButton } from '../../src/adapters/shared/button-ids.js';
import { newGenerationId } from '../../src/queue/jobs.js';
import { newOptionKey } from '../../src/store/redis-option-store.js';

const DISCORD_CUSTOM_ID_MAX = 100;
const SLACK_ACTION_ID_MAX = 255;
const SAMPLES = 25;

/** Every kind, with random valid parts made the way the product makes them. */
function randomActions(): ButtonAction[] {
  const id = newGenerationId(randomUUID());
  return [
    { kind: 'option', key: newOptionKey(), index: randomBytes(1)[0]! % 10 },
    { kind: 'reroll', generationId: id },
    { kind: 'animate', generationId: id },
    { kind: 'cancel', generationId: id },
    { kind: 'history-page', key: newOptionKey() },
    { kind: 'forget' },
  ];
}

const GEN = newGenerationId('0f8fad5b-d9cb-469f-a165-70867728950e');
const KEY = 'xkmcDrAUms';

describe('button ids', () => {
  it('decode back to the action they were made from, for every kind', () => {
    for (let i = 0; i < SAMPLES; i++) {
      for (const action of randomActions()) expect(decodeButton(encodeButton(action))).toEqual(action);
    }
  });

  it('cover every kind of action a button can launch', () => {
    expect(new Set(randomActions().map((a) => a.kind))).toEqual(
      new Set(['option', 'reroll', 'animate', 'cancel', 'history-page', 'forget']),
    );
  });

  it("fit Discord's 100-character custom_id and Slack's 255-character action_id", () => {
    for (let i = 0; i < SAMPLES; i++) {
      for (const action of randomActions()) {
        const id = encodeButton(action);
        expect(id.length).toBeLessThanOrEqual(DISCORD_CUSTOM_ID_MAX);
        expect(id.length).toBeLessThanOrEqual(SLACK_ACTION_ID_MAX);
      }
    }
  });

  it('a history page and the forget confirmation have the short ids the platforms show', () => {
    expect(encodeButton({ kind: 'history-page', key: KEY })).toBe(`h:${KEY}`);
    expect(decodeButton(`h:${KEY}`)).toEqual({ kind: 'history-page', key: KEY });
    expect(encodeButton({ kind: 'forget' })).toBe('f:confirm');
    expect(decodeButton('f:confirm')).toEqual({ kind: 'forget' });
  });

  it('every index an option set can have (0 to 9) makes a valid id', () => {
    for (let index = 0; index <= 9; index++) {
      expect(decodeButton(encodeButton({ kind: 'option', key: KEY, index }))).toEqual({
        kind: 'option',
        key: KEY,
        index,
      });
    }
  });

  it.each([
    ['an empty id', ''],
    ['a tag that is not ours', `z:${GEN}`],
    ['a tag alone', 'r'],
    ['an object built-in as a tag', 'toString'],
    ['an object built-in with parts', `constructor:${GEN}`],
    ['a prototype key as a tag', `__proto__:${GEN}`],
    ['a generation id that is not a uuid', 'r:gen-1234'],
    ['a generation id of dashes only', `x:gen-${'-'.repeat(36)}`],
    ['a generation id in capitals', `a:${GEN.toUpperCase()}`],
    ['a uuid without the gen- prefix', 'r:0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['an extra part after a generation id', `r:${GEN}:extra`],
    ['an empty part after a generation id', `x:${GEN}:`],
    ['an option key that is too short', 'o:abc:1'],
    ['an option key with a symbol', 'o:xkmcDrAU-s:1'],
    ['an option without an index', `o:${KEY}`],
    ['an option with an empty index', `o:${KEY}:`],
    ['an index out of range', `o:${KEY}:10`],
    ['a negative index', `o:${KEY}:-1`],
    ['an index written as a decimal', `o:${KEY}:1.0`],
    ['an index written in hex', `o:${KEY}:0x1`],
    ['an index with a space', `o:${KEY}: 1`],
    ['an extra part after an option', `o:${KEY}:1:2`],
    ['an id over 100 characters', `o:${KEY}:1${'x'.repeat(90)}`],
    ['a foreign id that is simply long', 'x'.repeat(101)],
    ['an older id format', 'gen:k:1'],
    ['a history page without a key', 'h:'],
    ['a history page key alone as a tag', 'h'],
    ['a history page key that is too short', 'h:abc'],
    ['a history page key that is too long', `h:${KEY}x`],
    ['a history page key with a symbol', 'h:xkmcDrAU-s'],
    ['a history page key with a space', `h: ${KEY}`],
    ['an extra part after a history page key', `h:${KEY}:2`],
    ['a generation id where a history page key goes', `h:${GEN}`],
    ['a forget button without its confirmation', 'f'],
    ['a forget button with an empty part', 'f:'],
    ['a forget button confirming something else', 'f:yes'],
    ['a forget button in capitals', 'f:CONFIRM'],
    ['a forget button naming a person', 'f:confirm:u-alice'],
    ['a forget button naming a generation', `f:${GEN}`],
  ])('name no action for %s', (_what, id) => {
    expect(decodeButton(id)).toBeUndefined();
  });
});

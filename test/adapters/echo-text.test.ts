/**
 * What a person typed, repeated back: one clean line, never a control or bidi-override character, never
 * longer than asked, never cut inside an emoji or an accented letter.
 */
import { describe, expect, it } from 'vitest';
import { cleanEcho, cutGraphemes, ECHO_MAX_CHARS } from '../../src/adapters/shared/echo-text.js';

describe('cleanEcho', () => {
  it('removes NUL, ESC and other controls, bidi overrides and invisible separators, and folds whitespace', () => {
    expect(cleanEcho('a\u0000b\u001b[31m red\u202Eevil\u202C\r\n\tnext\u2028line\ufeff')).toBe(
      'a b [31m redevil nextline',
    );
  });

  it('shortens a 20,000-character request to the echo length, with an ellipsis', () => {
    const echo = cleanEcho('word '.repeat(4_000));
    expect(echo.length).toBeLessThanOrEqual(ECHO_MAX_CHARS);
    expect(echo.endsWith('…')).toBe(true);
  });

  it('cuts on a grapheme boundary: skin-toned emoji and combining accents stay whole', () => {
    const cut = cutGraphemes('👍🏽'.repeat(10), 9);
    expect(cut).toBe('👍🏽👍🏽…');
    expect(cutGraphemes('e\u0301'.repeat(10), 6)).toBe('e\u0301e\u0301…');
  });

  it('leaves a short clean text as it is', () => {
    expect(cleanEcho('a heron at dawn')).toBe('a heron at dawn');
  });
});

import { describe, expect, it } from 'vitest';
import { cleanForAnalysis, cleanForDisplay, MAX_ANALYSED_CHARS, PhraseMatcher, tokenize, truncate } from '../../src/coach/text.js';

describe('tokenize', () => {
  it('lower-cases words and keeps contractions, possessives, c++ and c#', () => {
    expect(tokenize("I don't know Go's C++ or C#, honestly").words).toEqual(['i', "don't", 'know', "go's", 'c++', 'or', 'c#', 'honestly']);
  });

  it('treats curly apostrophes like straight ones', () => {
    expect(tokenize('I\u2019m here').words).toEqual(["i'm", 'here']);
  });

  it('marks words that follow punctuation', () => {
    expect(tokenize('it was, like, fine').breakBefore).toEqual([true, false, true, true]);
  });

  it('finds no words in emoji, whitespace or NULs', () => {
    expect(tokenize(cleanForAnalysis('😀 \u0000 🚀\n\t')).words).toEqual([]);
  });
});

describe('cleaning', () => {
  it('replaces NULs and other control characters with spaces', () => {
    expect(cleanForAnalysis('a\u0000b\u0007c\nd')).toBe('a b c\nd');
  });

  it('replaces lone surrogates but keeps valid pairs', () => {
    expect(cleanForAnalysis('\uD800x😀\uDC00')).toBe('\uFFFDx😀\uFFFD');
  });

  it('caps the analysed length', () => {
    expect(cleanForAnalysis('a'.repeat(MAX_ANALYSED_CHARS * 2))).toHaveLength(MAX_ANALYSED_CHARS);
  });

  it('treats a non-string as empty text', () => {
    expect(cleanForAnalysis(undefined)).toBe('');
    expect(cleanForDisplay(42, 10)).toBe('');
  });

  it('makes display text one trimmed line without bidi overrides', () => {
    expect(cleanForDisplay('  Staff\n\n Engineer \u202E ', 50)).toBe('Staff Engineer');
  });

  it('truncates with an ellipsis without splitting a surrogate pair', () => {
    const cut = truncate('ab😀cd', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('PhraseMatcher', () => {
  const matcher = new PhraseMatcher<string>([
    ['node', 'node'],
    ['node js', 'node'],
    ['js', 'javascript'],
    ['system design', 'system-design'],
  ]);

  it('prefers the longest phrase and does not reuse its words', () => {
    expect(matcher.distinct(tokenize('We used Node.js daily').words)).toEqual(['node']);
  });

  it('finds multi-word phrases anywhere, in order of first appearance', () => {
    expect(matcher.distinct(tokenize('JS plus system design, then node').words)).toEqual(['javascript', 'system-design', 'node']);
  });

  it('matches possessives', () => {
    expect(matcher.distinct(tokenize("Node's event loop").words)).toEqual(['node']);
  });

  it('ignores phrases too long to match cheaply', () => {
    const long = new PhraseMatcher([[Array.from({ length: PhraseMatcher.MAX_PHRASE_WORDS + 1 }, () => 'a').join(' '), 'x']]);
    expect(long.distinct(Array.from({ length: 50 }, () => 'a'))).toEqual([]);
  });
});

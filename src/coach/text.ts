// Text utilities shared by the coach: cleaning untrusted text and splitting it into words.
// Every regular expression here is linear-time (no nested or overlapping quantifiers).

/** Text beyond this many UTF-16 code units is ignored when analysing, which bounds the work per call. */
export const MAX_ANALYSED_CHARS = 50_000;

// C0/C1 control characters (NUL included) except tab, line feed and carriage return.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// Bidirectional overrides and isolates: harmless to analysis, confusing in text we show back.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
// Surrogate halves without their partner (not valid Unicode; PostgreSQL and JSON encoders dislike them).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const WHITESPACE_RUN = /\s+/g;

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Untrusted text made safe to analyse: capped in length, control characters and lone surrogates replaced. */
export function cleanForAnalysis(value: unknown): string {
  let text = asString(value);
  if (text.length > MAX_ANALYSED_CHARS) text = text.slice(0, MAX_ANALYSED_CHARS);
  return text.replace(CONTROL, ' ').replace(LONE_SURROGATE, '\uFFFD');
}

/** Untrusted text made safe to quote back to the user: one line, no control characters, at most `maxChars`. */
export function cleanForDisplay(value: unknown, maxChars: number): string {
  return truncate(cleanForAnalysis(value).replace(BIDI, '').replace(WHITESPACE_RUN, ' ').trim(), maxChars);
}

/** `text` cut to at most `maxChars` code units (ending in an ellipsis when cut), never splitting a surrogate pair. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = text.slice(0, Math.max(0, maxChars - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** Lower-cased words of a text, and for each whether punctuation separates it from the word before. */
export interface Tokens {
  words: string[];
  /** `breakBefore[i]`: a clause break (comma, full stop, dash, …) lies between word i-1 and word i; true for word 0. */
  breakBefore: boolean[];
}

// A word: letters, marks and digits, with inner apostrophes ("don't", "go's") and a trailing "++" or "#" ("c++", "c#").
const WORD = /[\p{L}\p{M}\p{N}]+(?:['\u2019][\p{L}\p{M}\p{N}]+)*(?:\+\+|#)?/gu;
const CLAUSE_BREAK = /[,.;:!?()[\]{}\u2013\u2014\u2026]/;

/** Splits already-cleaned text into words. */
export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const breakBefore: boolean[] = [];
  let previousEnd = 0;
  for (const match of text.matchAll(WORD)) {
    const start = match.index;
    words.push(match[0].toLowerCase().replaceAll('\u2019', "'"));
    breakBefore.push(words.length === 1 || CLAUSE_BREAK.test(text.slice(previousEnd, start)));
    previousEnd = start + match[0].length;
  }
  return { words, breakBefore };
}

/** Words of a short phrase, for building matchers. */
export function phraseWords(phrase: string): string[] {
  return tokenize(cleanForAnalysis(phrase)).words;
}

export interface PhraseMatch<T> {
  value: T;
  /** Index of the first matched word. */
  index: number;
  /** Number of words matched. */
  length: number;
}

/**
 * Finds multi-word phrases in a word list: left to right, longest phrase first at each position, without overlaps
 * (so "node js" is one match, not "node" plus "js"). Possessives count ("Python's"). Cost is linear in the words
 * times the few, short phrases per first word.
 */
export class PhraseMatcher<T> {
  /** Longer phrases are ignored, which bounds the work per word. */
  static readonly MAX_PHRASE_WORDS = 8;
  private readonly byFirstWord = new Map<string, { words: string[]; value: T }[]>();

  constructor(entries: Iterable<readonly [phrase: string, value: T]>) {
    for (const [phrase, value] of entries) {
      const words = phraseWords(phrase);
      const first = words[0];
      if (first === undefined || words.length > PhraseMatcher.MAX_PHRASE_WORDS) continue;
      const list = this.byFirstWord.get(first) ?? [];
      list.push({ words, value });
      this.byFirstWord.set(first, list);
    }
    for (const list of this.byFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length);
  }

  /** A text word matches a phrase word exactly or as its possessive ("typescript's" matches "typescript"). */
  private static same(word: string | undefined, phraseWord: string): boolean {
    return (
      word === phraseWord ||
      (word !== undefined && word.length === phraseWord.length + 2 && word.endsWith("'s") && word.startsWith(phraseWord))
    );
  }

  private candidates(word: string): { words: string[]; value: T }[] | undefined {
    const exact = this.byFirstWord.get(word);
    if (!word.endsWith("'s")) return exact;
    const base = this.byFirstWord.get(word.slice(0, -2));
    return exact && base ? [...exact, ...base].sort((a, b) => b.words.length - a.words.length) : (exact ?? base);
  }

  matches(words: readonly string[]): PhraseMatch<T>[] {
    const found: PhraseMatch<T>[] = [];
    let i = 0;
    while (i < words.length) {
      const candidates = this.candidates(words[i] as string);
      const hit = candidates?.find((c) => c.words.every((w, k) => PhraseMatcher.same(words[i + k], w)));
      if (hit) {
        found.push({ value: hit.value, index: i, length: hit.words.length });
        i += hit.words.length;
      } else {
        i += 1;
      }
    }
    return found;
  }

  /** Distinct matched values in order of first appearance. */
  distinct(words: readonly string[]): T[] {
    return [...new Set(this.matches(words).map((m) => m.value))];
  }
}

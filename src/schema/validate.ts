// Input checks shared by mutations: length caps, NUL bytes, array sizes. Errors are BAD_USER_INPUT.
import { badInput } from '../errors.js';

export const LIMITS = {
  email: 254,
  name: 100,
  apiKeyName: 100,
  title: 200,
  company: 200,
  description: 20_000,
  skill: 50,
  skills: 50,
  resumeContent: 50_000,
  answer: 10_000,
  /** Unrevoked API keys one user may hold at once (each is a live credential to keep track of). */
  liveApiKeys: 100,
} as const;

/** Trimmed, well-formed text within `max` characters (code points) and at least `min`, with no NUL or other C0 controls but \t\n\r. */
export function text(value: string, argument: string, max: number, min = 1): string {
  const trimmed = value.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(trimmed)) {
    throw badInput(`${argument} contains control characters`, argument);
  }
  // A lone UTF-16 surrogate is not a character: PostgreSQL would store U+FFFD in its place.
  if (LONE_SURROGATE.test(trimmed)) throw badInput(`${argument} is not well-formed Unicode (a lone surrogate)`, argument);
  const characters = codePoints(trimmed, max);
  if (characters < min) throw badInput(`${argument} must not be empty`, argument);
  if (characters > max) throw badInput(`${argument} must be at most ${max} characters`, argument);
  return trimmed;
}

/** With the `u` flag a surrogate pair is one code point, so only an unpaired surrogate matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Characters as a person counts them (code points, so an emoji is one), counting no further than `max + 1`. */
export function codePoints(value: string, max: number): number {
  if (value.length <= max) return value.length; // never more code points than UTF-16 units
  let count = 0;
  for (const _ of value) if (++count > max) break;
  return count;
}

export function email(value: string, argument = 'email'): string {
  const trimmed = text(value, argument, LIMITS.email).toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) throw badInput(`${argument} is not an email address`, argument);
  return trimmed;
}

export function textList(values: readonly string[], argument: string, maxItems: number, maxEach: number): string[] {
  if (values.length > maxItems) throw badInput(`${argument} takes at most ${maxItems} items`, argument);
  const cleaned = values.map((v) => text(v, argument, maxEach));
  return [...new Set(cleaned.map((v) => v.toLowerCase()))].map((lower) => cleaned.find((v) => v.toLowerCase() === lower)!);
}

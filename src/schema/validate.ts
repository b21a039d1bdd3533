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
} as const;

/** Trimmed text within `max` characters (and at least `min`), with no NUL or other C0 controls but \t\n\r. */
export function text(value: string, argument: string, max: number, min = 1): string {
  const trimmed = value.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(trimmed)) {
    throw badInput(`${argument} contains control characters`, argument);
  }
  if (trimmed.length < min) throw badInput(`${argument} must not be empty`, argument);
  if (trimmed.length > max) throw badInput(`${argument} must be at most ${max} characters`, argument);
  return trimmed;
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

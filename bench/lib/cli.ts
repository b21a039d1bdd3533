// Command-line helpers shared by the bench scripts: flags, usage errors, paths.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECT_ROOT = path.resolve(BENCH_DIR, '..');
export const DATA_DIR = path.join(BENCH_DIR, '.data');
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');

/** A mistake on the command line: printed with a hint, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A problem with the environment (database down, server failed): printed plainly, exit status 1. */
export class BenchError extends Error {
  override name = 'BenchError';
}

export function positiveNumber(
  flag: string,
  value: string | undefined,
  fallback: number,
  opts: { integer?: boolean; min?: number } = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value.trim());
  const min = opts.min ?? (opts.integer ? 1 : Number.MIN_VALUE);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (opts.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} must be ${opts.integer ? 'an integer' : 'a number'} >= ${min}, got "${value}"`);
  }
  return n;
}

export function oneOfList<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (value === undefined) return [...fallback];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(`--${flag}: unknown value "${item}" (allowed: ${allowed.join(', ')})`);
    }
  }
  if (items.length === 0) throw new UsageError(`--${flag} needs at least one of: ${allowed.join(', ')}`);
  return [...new Set(items)] as T[];
}

/** `2026-05-01T10-20-30Z`: sortable and safe in file names. */
export function timestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/** The run was stopped by SIGINT/SIGTERM: exit status 130. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Runs `main`, mapping our error classes to exit statuses and plain messages. */
export function runMain(main: () => Promise<void>, help: string): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`error: ${error.message}\n\n${help}`);
        process.exit(2);
      }
      if (error instanceof InterruptedError) {
        console.error('interrupted');
        process.exit(130);
      }
      if (error instanceof BenchError) {
        console.error(`\nerror: ${error.message}`);
        process.exit(1);
      }
      console.error(error);
      process.exit(1);
    },
  );
}

export const log = (message: string) => process.stderr.write(`${message}\n`);

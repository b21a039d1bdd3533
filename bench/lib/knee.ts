// The step search's decisions: which rates to offer, whether a step met every budget, and the
// knee (the highest offered rate that did, below the first one that did not).

export interface Budgets {
  /** p95 of a query, ms. */
  queryP95Ms: number;
  /** p95 of a mutation, ms. */
  mutationP95Ms: number;
  /** p99 of every operation, ms. */
  p99Ms: number;
}

export interface OperationOutcome {
  operation: string;
  kind: 'query' | 'mutation' | string;
  count: number;
  errors: number;
  p95Ms: number;
  p99Ms: number;
}

export interface StepVerdict {
  pass: boolean;
  /** Why it failed, one line per broken budget (empty when it passed). */
  reasons: string[];
}

/** A step passes when no request failed and every operation that ran kept its p95 and p99 budgets. */
export function judgeStep(ops: readonly OperationOutcome[], budgets: Budgets, extraErrors = 0): StepVerdict {
  const reasons: string[] = [];
  const errors = ops.reduce((a, o) => a + o.errors, 0) + extraErrors;
  if (errors > 0) reasons.push(`${errors} errors`);
  for (const o of ops) {
    if (o.count === 0) continue;
    const p95Budget = o.kind === 'mutation' ? budgets.mutationP95Ms : budgets.queryP95Ms;
    if (!(o.p95Ms <= p95Budget)) reasons.push(`${o.operation} p95 ${o.p95Ms.toFixed(1)} ms > ${p95Budget} ms`);
    if (!(o.p99Ms <= budgets.p99Ms)) reasons.push(`${o.operation} p99 ${o.p99Ms.toFixed(1)} ms > ${budgets.p99Ms} ms`);
  }
  return { pass: reasons.length === 0, reasons };
}

/**
 * The knee of steps run in increasing order: the last passing rate before the first failing one
 * (a later pass after a failure is noise, not capacity). null: the first step already failed.
 */
export function kneeOf(steps: readonly { rate: number; pass: boolean }[]): number | null {
  let knee: number | null = null;
  for (const s of steps) {
    if (!s.pass) break;
    knee = s.rate;
  }
  return knee;
}

/** Rates from `from` to `to` (inclusive) by `by`. */
export function stepRates(from: number, by: number, to: number): number[] {
  if (!(from > 0 && by > 0 && to >= from)) throw new RangeError(`steps: need 0 < from <= to and by > 0 (got ${from}, ${by}, ${to})`);
  const rates: number[] = [];
  for (let r = from; r <= to + 1e-9; r += by) rates.push(Math.round(r * 1000) / 1000);
  return rates;
}

/** `100,200,400`: strictly increasing positive rates. */
export function parseSteps(list: string): number[] {
  const rates = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (rates.length === 0 || rates.some((r) => !Number.isFinite(r) || r <= 0))
    throw new RangeError(`--steps: positive numbers separated by commas, got "${list}"`);
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]! <= rates[i - 1]!) throw new RangeError(`--steps: rates must increase, got "${list}"`);
  }
  return rates;
}

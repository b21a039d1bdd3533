import { describe, expect, it } from 'vitest';
import { judgeStep, kneeOf, parseSteps, stepRates, type OperationOutcome } from '../../bench/lib/knee.js';

const budgets = { queryP95Ms: 50, mutationP95Ms: 100, p99Ms: 200 };
const op = (over: Partial<OperationOutcome>): OperationOutcome => ({
  operation: 'SessionsList',
  kind: 'query',
  count: 100,
  errors: 0,
  p95Ms: 10,
  p99Ms: 20,
  ...over,
});

describe('judgeStep', () => {
  it('passes when every budget holds, at the budget itself', () => {
    expect(judgeStep([op({ p95Ms: 50, p99Ms: 200 }), op({ operation: 'SubmitAnswer', kind: 'mutation', p95Ms: 100 })], budgets)).toEqual({
      pass: true,
      reasons: [],
    });
  });
  it('fails a query over 50 ms p95 that a mutation budget would allow', () => {
    const v = judgeStep([op({ p95Ms: 50.1 })], budgets);
    expect(v.pass).toBe(false);
    expect(v.reasons).toEqual(['SessionsList p95 50.1 ms > 50 ms']);
  });
  it('fails a mutation over 100 ms p95, and p99 over 200 ms on its own', () => {
    expect(judgeStep([op({ operation: 'SubmitAnswer', kind: 'mutation', p95Ms: 101 })], budgets).reasons).toEqual([
      'SubmitAnswer p95 101.0 ms > 100 ms',
    ]);
    expect(judgeStep([op({ p99Ms: 201 })], budgets).reasons).toEqual(['SessionsList p99 201.0 ms > 200 ms']);
  });
  it('fails on a single error, counted per operation or outside the mix', () => {
    expect(judgeStep([op({ errors: 1 })], budgets)).toEqual({ pass: false, reasons: ['1 errors'] });
    expect(judgeStep([op({})], budgets, 2).reasons).toEqual(['2 errors']);
  });
  it('ignores operations that did not run, but not a NaN percentile of one that did', () => {
    expect(judgeStep([op({ count: 0, p95Ms: Number.NaN, p99Ms: Number.NaN })], budgets).pass).toBe(true);
    expect(judgeStep([op({ p95Ms: Number.NaN })], budgets).pass).toBe(false);
  });
});

describe('kneeOf', () => {
  it('is the last pass before the first failure', () => {
    expect(
      kneeOf([
        { rate: 100, pass: true },
        { rate: 200, pass: true },
        { rate: 300, pass: false },
        { rate: 400, pass: true },
      ]),
    ).toBe(200);
  });
  it('is null when the first step fails, and the last rate when none does', () => {
    expect(kneeOf([{ rate: 100, pass: false }])).toBeNull();
    expect(
      kneeOf([
        { rate: 100, pass: true },
        { rate: 200, pass: true },
      ]),
    ).toBe(200);
    expect(kneeOf([])).toBeNull();
  });
});

describe('step rates', () => {
  it('spans from..to by step, inclusive', () => {
    expect(stepRates(100, 100, 500)).toEqual([100, 200, 300, 400, 500]);
    expect(stepRates(50, 25, 110)).toEqual([50, 75, 100]);
  });
  it('refuses impossible ranges and unordered lists', () => {
    expect(() => stepRates(0, 100, 500)).toThrow(RangeError);
    expect(() => stepRates(300, 100, 200)).toThrow(RangeError);
    expect(parseSteps('100, 200,400')).toEqual([100, 200, 400]);
    expect(() => parseSteps('200,100')).toThrow(/increase/);
    expect(() => parseSteps('100,x')).toThrow(RangeError);
  });
});

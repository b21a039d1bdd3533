// The CI latency gate's verdict (bench/lib/latency-gate.ts) and its command's exit status: a ratio
// beyond the baseline's tolerance fails with the operation's name and both figures; an operation
// without a baseline fails; within the tolerance passes. The command is run for real on one
// operation against baselines written here, set so far from any machine's figure that the
// outcome cannot depend on its speed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineAttempts, gatedOperations, judgeRatios, type Baseline, type OperationRatio } from '../../bench/lib/latency-gate.js';

const measured = (operation: string, ratio: number): OperationRatio => ({ operation, ratio, cpuUs: 1_000 * ratio, floorUs: 1_000 });
const baseline = (ratios: Record<string, number>, tolerance = 0.3): Baseline => ({ tolerance, note: 'test', ratios });

describe('judgeRatios', () => {
  it('fails a ratio 1.6× its baseline, naming the operation and both figures', () => {
    const [verdict] = judgeRatios([measured('SessionsList', 2.4)], baseline({ SessionsList: 1.5 }));
    expect(verdict!.failure).toContain('SessionsList');
    expect(verdict!.failure).toContain('2.40×');
    expect(verdict!.failure).toContain('1.50×');
    expect(verdict!.change).toBeCloseTo(1.6, 5);
  });

  it('passes within the tolerance, and a faster operation', () => {
    const verdicts = judgeRatios([measured('SessionsList', 1.9), measured('Viewer', 0.2)], baseline({ SessionsList: 1.5, Viewer: 0.6 }));
    expect(verdicts.map((v) => v.failure)).toEqual([null, null]);
  });

  it('fails an operation without a baseline, and a baseline operation that was not measured', () => {
    const verdicts = judgeRatios([measured('Viewer', 0.6)], baseline({ SessionsList: 1.5 }));
    expect(verdicts.find((v) => v.operation === 'Viewer')!.failure).toContain('no baseline');
    expect(verdicts.find((v) => v.operation === 'SessionsList')!.failure).toContain('not measured');
  });

  it('judges re-measured operations on the median attempt: one disturbed attempt passes, a regression in most fails', () => {
    const base = baseline({ SessionsList: 1.5, Viewer: 1.0 });
    // SessionsList: one attempt 1.8× its baseline, two near it. Viewer: two of three 1.6×.
    const attempts = [
      [measured('SessionsList', 2.7), measured('Viewer', 1.6)],
      [measured('SessionsList', 1.55), measured('Viewer', 1.6)],
      [measured('SessionsList', 1.6), measured('Viewer', 1.1)],
    ];
    const verdicts = judgeRatios(combineAttempts(attempts), base);
    expect(verdicts.find((v) => v.operation === 'SessionsList')!.failure).toBeNull();
    expect(verdicts.find((v) => v.operation === 'SessionsList')!.measured).toBe(1.6);
    expect(verdicts.find((v) => v.operation === 'Viewer')!.failure).toContain('1.60×');
  });

  it('keeps an operation measured once as it was', () => {
    const [only] = combineAttempts([[measured('Viewer', 1.25)]]);
    expect(only).toEqual(measured('Viewer', 1.25));
  });

  it('gates every query and mutation of schema/operations, and no subscription', () => {
    const gated = gatedOperations();
    expect(gated).toContain('SessionsList');
    expect(gated).toContain('SubmitAnswer');
    expect(gated).not.toContain('SessionEvents');
  });

  it('keeps a baseline for every gated operation in the committed file', () => {
    const committed = JSON.parse(readFileSync(new URL('../../bench/baselines/latency.json', import.meta.url), 'utf8')) as Baseline;
    expect(Object.keys(committed.ratios).sort()).toEqual([...gatedOperations()].sort());
    expect(committed.tolerance).toBeGreaterThan(0);
  });
});

describe('npm run gates:latency', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cadence-latency-gate-'));
  const run = (ratios: Record<string, number>) => {
    const file = path.join(dir, `baseline-${Object.values(ratios).join('-')}.json`);
    writeFileSync(file, JSON.stringify(baseline(ratios, 0.5)));
    return spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'bench/latency-gate.ts',
        '--only',
        'Viewer',
        '--batches',
        '1',
        '--per-batch',
        '5',
        '--warmup',
        '5',
        '--baseline',
        file,
      ],
      { cwd: new URL('../..', import.meta.url), encoding: 'utf8', timeout: 120_000 },
    );
  };

  it('exits 1 and names the operation when its ratio is far above a (tampered) baseline', () => {
    const result = run({ Viewer: 0.001 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Viewer: [\d.]+× the floor, baseline 0\.00×/);
    // Measured twice more before it failed: a real regression is confirmed, not taken on one reading.
    expect(result.stderr).toContain('re-measuring Viewer (attempt 3 of 3)');
    expect(result.stdout).toMatch(/Viewer: attempts [\d.]+, [\d.]+, [\d.]+; judged on their median/);
  }, 120_000);

  it('exits 0 when the ratio is within the tolerance of its baseline', () => {
    const result = run({ Viewer: 1_000 });
    expect(result.stderr).toContain('All 1 operations within 1.50× of their baseline.');
    expect(result.status).toBe(0);
  }, 120_000);
});

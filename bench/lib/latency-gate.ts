// The CI latency gate's measurement and verdict (bench/latency-gate.ts is the command). CPU per
// request of each operation in one process, as a ratio to a floor measured in the same run,
// batch by batch: a machine that is twice as slow, or busy, moves both alike, so the ratio stays.
import { createHash } from 'node:crypto';
import { getOperationAST } from 'graphql';
import { operationFiles, SCENARIOS, seedWorld, typedDocuments, type World } from '../../src/policy/gates.js';
import { callOperation, type Transport } from '../../src/policy/operations.js';
import { SESSIONS_LIST_SQL } from '../raw/sql.js';

export interface GateSettings {
  /** Paired batches per operation (the median batch ratio is the figure). */
  batches: number;
  /** Requests per batch. */
  perBatch: number;
  /** Unmeasured requests first, per operation (JIT, caches). */
  warmup: number;
}

export interface OperationRatio {
  operation: string;
  /** Median over batches of (operation CPU per request) / (floor CPU per call). */
  ratio: number;
  /** The operation's CPU per request, µs (median batch): for the report only, machines differ. */
  cpuUs: number;
  floorUs: number;
}

export interface Baseline {
  /** Allowed ratio growth: measured / baseline above 1 + tolerance fails. */
  tolerance: number;
  /** How the tolerance was chosen, for whoever updates it. */
  note: string;
  ratios: Record<string, number>;
}

export interface Verdict {
  operation: string;
  baseline: number | null;
  measured: number | null;
  /** measured / baseline. */
  change: number | null;
  failure: string | null;
}

/** The floor: the raw server's one hand-written SessionsList statement, run on the same database. */
export type Floor = () => Promise<void>;

export function rawFloor(run: (sql: string, params: unknown[]) => Promise<unknown>, key: string): Floor {
  const hash = createHash('sha256').update(key).digest('hex');
  return async () => {
    await run(SESSIONS_LIST_SQL, [hash, 20]);
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** Node's gc(), when started with --expose-gc (the npm script does). */
const collect = (globalThis as { gc?: () => void }).gc;

/**
 * CPU µs per call of `calls` run one after another. A full collection first, unmeasured: garbage
 * left by the setup or the other side of the pair is not charged to this batch.
 */
async function cpuPerCall(calls: (() => Promise<void>)[]): Promise<number> {
  collect?.();
  const start = cpuUs();
  for (const call of calls) await call();
  return (cpuUs() - start) / calls.length;
}

/**
 * Operations the gate measures: every query and mutation of schema/operations (subscriptions are
 * long-lived streams, not requests). Queries first: the mutations' scenarios add rows (keys,
 * sessions) that some queries read, which would make a query's figure depend on the order.
 */
export function gatedOperations(): string[] {
  const typed = typedDocuments();
  const kind = (name: string) => getOperationAST(typed.get(name)!)?.operation;
  const names = [...operationFiles().keys()].filter((name) => kind(name) !== 'subscription').sort();
  return [...names.filter((name) => kind(name) === 'query'), ...names.filter((name) => kind(name) === 'mutation')];
}

/**
 * Measures every gated operation: its scenario prepares each request's state (unmeasured), then
 * batches of the operation alternate with batches of the floor.
 */
export async function measureRatios(
  transport: Transport,
  floorFor: (world: World) => Floor,
  settings: GateSettings,
  only: string[] | null,
  progress: (line: string) => void,
): Promise<OperationRatio[]> {
  const typed = typedDocuments();
  const world = await seedWorld(transport);
  const floor = floorFor(world);
  const results: OperationRatio[] = [];
  const names = gatedOperations().filter((name) => only === null || only.includes(name));
  for (const [index, name] of names.entries()) {
    const operation = typed.get(name)!;
    const scenario = SCENARIOS[name]!;
    // Each request's state first (a fresh session to answer, a key to revoke), none of it measured.
    const prepare = async (count: number) => {
      const calls: (() => Promise<void>)[] = [];
      for (let i = 0; i < count; i++) {
        const { variables, key } = await scenario(world);
        calls.push(async () => {
          const response = await callOperation(transport, operation, variables, { key });
          if (response.status !== 200 || response.body.errors?.length) {
            throw new Error(`${name} failed: HTTP ${response.status} ${JSON.stringify(response.body.errors ?? [])}`);
          }
        });
      }
      return calls;
    };
    await cpuPerCall(await prepare(settings.warmup));
    await cpuPerCall(Array.from({ length: settings.warmup }, () => floor));
    const ratios: number[] = [];
    const opUs: number[] = [];
    const floorUs: number[] = [];
    for (let b = 0; b < settings.batches; b++) {
      const calls = await prepare(settings.perBatch);
      // Alternate which goes first, so a drift within the pair does not favour one side.
      const runFloor = () => cpuPerCall(Array.from({ length: settings.perBatch }, () => floor));
      let f: number;
      let o: number;
      if (b % 2 === 0) {
        f = await runFloor();
        o = await cpuPerCall(calls);
      } else {
        o = await cpuPerCall(calls);
        f = await runFloor();
      }
      ratios.push(o / f);
      opUs.push(o);
      floorUs.push(f);
    }
    const result = { operation: name, ratio: median(ratios), cpuUs: median(opUs), floorUs: median(floorUs) };
    results.push(result);
    progress(
      `[${index + 1}/${names.length}] ${name}: ${result.ratio.toFixed(2)}× floor (${Math.round(result.cpuUs)} µs vs ${Math.round(result.floorUs)} µs)`,
    );
  }
  return results;
}

/**
 * One figure per operation from several attempts (a first run and its re-measures): the median
 * attempt's ratio. One attempt disturbed by the machine (a neighbour's burst, a GC storm) cannot
 * fail the gate alone; a real regression reads high in most attempts and still fails.
 */
export function combineAttempts(attempts: OperationRatio[][]): OperationRatio[] {
  const byName = new Map<string, OperationRatio[]>();
  for (const attempt of attempts) for (const m of attempt) byName.set(m.operation, [...(byName.get(m.operation) ?? []), m]);
  return [...byName.entries()].map(([operation, all]) => ({
    operation,
    ratio: median(all.map((m) => m.ratio)),
    cpuUs: median(all.map((m) => m.cpuUs)),
    floorUs: median(all.map((m) => m.floorUs)),
  }));
}

/** Each operation against the baseline: a ratio more than `tolerance` above its baseline fails, and so does one without a baseline. */
export function judgeRatios(measured: OperationRatio[], baseline: Baseline): Verdict[] {
  const verdicts: Verdict[] = measured.map(({ operation, ratio }) => {
    const base = baseline.ratios[operation];
    if (base === undefined) {
      return {
        operation,
        baseline: null,
        measured: ratio,
        change: null,
        failure: `${operation}: no baseline (run npm run gates:latency -- --update)`,
      };
    }
    const change = ratio / base;
    const failure =
      change > 1 + baseline.tolerance
        ? `${operation}: ${ratio.toFixed(2)}× the floor, baseline ${base.toFixed(2)}× (${change.toFixed(2)}× slower; tolerance ${(1 + baseline.tolerance).toFixed(2)}×)`
        : null;
    return { operation, baseline: base, measured: ratio, change, failure };
  });
  for (const operation of Object.keys(baseline.ratios)) {
    if (!measured.some((m) => m.operation === operation) && gatedOperations().includes(operation)) {
      verdicts.push({
        operation,
        baseline: baseline.ratios[operation]!,
        measured: null,
        change: null,
        failure: `${operation}: not measured`,
      });
    }
  }
  return verdicts;
}

export function formatVerdicts(verdicts: Verdict[], measured: OperationRatio[]): string {
  const byName = new Map(measured.map((m) => [m.operation, m]));
  const rows = verdicts.map((v) => {
    const m = byName.get(v.operation);
    return [
      v.operation,
      v.baseline === null ? '–' : `${v.baseline.toFixed(2)}×`,
      v.measured === null ? '–' : `${v.measured.toFixed(2)}×`,
      v.change === null ? '–' : `${v.change.toFixed(2)}`,
      m ? String(Math.round(m.cpuUs)) : '–',
      v.failure ? 'FAIL' : 'ok',
    ];
  });
  const head = ['operation', 'baseline', 'measured', 'change', 'CPU µs/req', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

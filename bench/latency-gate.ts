// `npm run gates:latency`: the CI latency gate (issue 9, item 6). Every query and mutation of
// schema/operations/, CPU per request in one process on embedded PGlite (Node and the database
// engine both in this process: all the work a request causes), as a ratio to the raw floor's
// SessionsList statement run on the same database in the same run. A ratio that grew beyond the
// baseline's tolerance fails, naming the operation and both figures.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { log, PROJECT_ROOT, runMain, UsageError } from './lib/cli.js';
import {
  combineAttempts,
  formatVerdicts,
  gatedOperations,
  judgeRatios,
  measureRatios,
  median,
  rawFloor,
  type Baseline,
  type GateSettings,
} from './lib/latency-gate.js';

// Before graphql-js loads: its production paths, as the server runs.
process.env.NODE_ENV ??= 'production';

export const BASELINE_FILE = path.join(PROJECT_ROOT, 'bench', 'baselines', 'latency.json');

const HELP = `Usage: npm run gates:latency -- [options]

The CI latency gate: for every query and mutation of schema/operations/, CPU per request in one
process (yoga.fetch on embedded PGlite, by persisted id, response cache off), as a ratio to the raw
floor (bench/raw/sql.ts, the hand-written SessionsList statement, run on the same database),
measured in alternating batches; each operation's median batch ratio is compared with
bench/baselines/latency.json. An operation above the tolerance is measured --confirm more times
(a fresh world each time) and judged by the median of its attempts, so one attempt disturbed by
the machine cannot fail the run alone. Exits 1 when an operation's ratio is more than the
baseline's tolerance above its baseline (or has none), naming it with both figures.

Options:
  --update          write the measured ratios as the new baseline (keeps the tolerance), with
                    --runs N the median of N runs (recommended: --runs 3); commit it with the change
                    that moved them
  --runs N          measure N times and print each run's ratios and their spread (how the
                    tolerance was chosen); without --update the baseline is not checked (default 1)
  --only LIST       only these operations (comma-separated)
  --confirm N       re-measures of an operation over its tolerance before it fails (default 2;
                    0 judges the first measurement alone)
  --batches N       paired batches per operation (default 7)
  --per-batch N     requests per batch (default 40)
  --warmup N        unmeasured requests per operation first (default 50)
  --baseline FILE   compare with (or --update) this file instead of bench/baselines/latency.json
  --json FILE       also write the measured ratios and verdicts as JSON
  -h, --help        this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      update: { type: 'boolean' },
      runs: { type: 'string' },
      only: { type: 'string' },
      confirm: { type: 'string' },
      batches: { type: 'string' },
      'per-batch': { type: 'string' },
      warmup: { type: 'string' },
      json: { type: 'string' },
      baseline: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const int = (flag: string, value: string | undefined, fallback: number, min = 1) => {
    const n = Number(value ?? fallback);
    if (!Number.isInteger(n) || n < min || n > 10_000) throw new UsageError(`--${flag} must be a whole number from ${min} to 10000`);
    return n;
  };
  const settings: GateSettings = {
    batches: int('batches', values.batches, 7),
    perBatch: int('per-batch', values['per-batch'], 40),
    warmup: int('warmup', values.warmup, 50),
  };
  const runs = int('runs', values.runs, 1);
  const confirm = int('confirm', values.confirm, 2, 0);
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : null;
  const known = gatedOperations();
  for (const name of only ?? [])
    if (!known.includes(name)) throw new UsageError(`--only: unknown operation ${name} (known: ${known.join(', ')})`);
  if (values.update && only) throw new UsageError('--update measures every operation: drop --only');

  const { loadConfig } = await import('../src/config.js');
  const { openDatabase, useDatabase } = await import('../src/db/client.js');
  const { applyMigrations } = await import('../src/db/migrations.js');
  const { createLogger } = await import('../src/log.js');
  const { GATE_ENV_TTL_MS } = await import('../src/policy/gates.js');
  const config = loadConfig({
    NODE_ENV: 'production',
    CADENCE_EMBEDDED: '1',
    PGLITE_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    GRAPHIQL: 'false',
    AUTH_CACHE_TTL_MS: String(GATE_ENV_TTL_MS),
    RESPONSE_CACHE_TTL_MS: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_BURST: '0',
    ABUSE_MAX_REJECTIONS: '0',
    // The feedback worker would run between batches on the same CPU and connection.
    QUEUE_IN_SERVER: 'false',
  });
  const database = await openDatabase(config);
  if (database.kind !== 'pglite') throw new Error('the latency gate runs on embedded PGlite');
  const pglite = database.pglite;
  await applyMigrations({ kind: 'pglite', client: pglite });
  useDatabase(database);
  const { createCadence } = await import('../src/http/yoga.js');
  const yoga = createCadence({ config, log: createLogger({ level: 'silent' }), database });
  try {
    const measure = (names: string[] | null = only) =>
      measureRatios(yoga, (world) => rawFloor((sql, params) => pglite.query(sql, params), world.key), settings, names, log);
    // The machine's state, for whoever reads a failure: the ratio is steadier than time, not immune.
    log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const baselineFile = values.baseline ? path.resolve(values.baseline) : BASELINE_FILE;
    const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline;
    const update = (ratios: Record<string, number>) => {
      writeFileSync(baselineFile, `${JSON.stringify({ ...baseline, ratios }, null, 2)}\n`);
      log(`wrote ${path.relative(PROJECT_ROOT, baselineFile)}: commit it with the change that moved it`);
    };
    if (runs > 1) {
      const all: Record<string, number[]> = {};
      for (let r = 1; r <= runs; r++) {
        log(`run ${r}/${runs}`);
        for (const m of await measure()) (all[m.operation] ??= []).push(Math.round(m.ratio * 1000) / 1000);
      }
      const spread = Object.entries(all).map(([operation, ratios]) => ({
        operation,
        ratios,
        maxOverMin: Math.max(...ratios) / Math.min(...ratios),
      }));
      for (const s of spread) {
        const mid = median(s.ratios);
        console.log(
          `${s.operation.padEnd(18)} max/min ${s.maxOverMin.toFixed(3)}  max/median ${(Math.max(...s.ratios) / mid).toFixed(3)}  ${s.ratios.map((r) => r.toFixed(2)).join(' ')}`,
        );
      }
      if (values.json) writeFileSync(values.json, `${JSON.stringify({ settings, runs: spread }, null, 2)}\n`);
      if (values.update) update(Object.fromEntries(spread.map((s) => [s.operation, Math.round(median(s.ratios) * 1000) / 1000])));
      return;
    }
    const first = await measure();
    if (values.update) {
      update(Object.fromEntries(first.map((m) => [m.operation, Math.round(m.ratio * 1000) / 1000])));
      return;
    }
    // With --only, the operations left out on purpose are not "not measured" failures.
    const judge = (m: typeof first) => judgeRatios(m, baseline).filter((v) => only === null || only.includes(v.operation));
    // Only a measured operation with a baseline can be re-measured; "no baseline" fails as it is.
    const over = judge(first)
      .filter((v) => v.failure && v.measured !== null && v.baseline !== null)
      .map((v) => v.operation);
    const attempts = [first];
    for (let a = 1; a <= confirm && over.length; a++) {
      log(`re-measuring ${over.join(', ')} (attempt ${a + 1} of ${confirm + 1})`);
      attempts.push(await measure(over));
    }
    const measured = combineAttempts(attempts);
    const verdicts = judge(measured);
    console.log(formatVerdicts(verdicts, measured));
    for (const name of over) {
      const ratios = attempts.flatMap((attempt) => attempt.filter((m) => m.operation === name).map((m) => m.ratio.toFixed(2)));
      console.log(`${name}: attempts ${ratios.join(', ')}; judged on their median`);
    }
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ settings, measured, attempts, verdicts }, null, 2)}\n`);
    const failed = verdicts.filter((v) => v.failure);
    for (const v of failed) console.error(v.failure);
    console.error(
      failed.length
        ? `${failed.length} of ${verdicts.length} operations are slower than their baseline allows.`
        : `All ${verdicts.length} operations within ${(1 + baseline.tolerance).toFixed(2)}× of their baseline.`,
    );
    if (failed.length) process.exitCode = 1;
  } finally {
    await yoga.dispose();
    await database.close();
  }
}

runMain(main, HELP);

// `npm run loadtest`: the frontend's mix of operations at the seeds' load point (100 users,
// 200 req/s offered, open loop), per-operation percentiles checked against the latency budgets;
// with --step, rising rates until a budget breaks (the knee); with --data 10x, on 10× the data.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DATA_SCALES,
  type DataScale,
  type DataSet,
  dataSet,
  DEFAULT_DATABASE_URL,
  ensureBenchDatabase,
  readKeysFile,
  redact,
} from './lib/benchdb.js';
import { installExitHandlers, ourPids, startServer, stopAll, type ServerHandle } from './lib/children.js';
import { BenchError, InterruptedError, log, oneOfList, positiveNumber, RESULTS_DIR, runMain, timestamp, UsageError } from './lib/cli.js';
import { Connection, failureOf, openLoop, type Progress, type RequestSpec, type Response } from './lib/http-load.js';
import { detectRequestForm, loadOperations, requestBody, type Operation, type RequestForm } from './lib/operations.js';
import { fillFirstPages, removeFilledPages, type FilledPages } from './lib/full-pages.js';
import { PgMonitor } from './lib/pgmonitor.js';
import { type Budgets, judgeStep, kneeOf, parseSteps, stepRates } from './lib/knee.js';
import { allProcesses, clockTicks, machineCpu, topConsumers, treeRssMb } from './lib/proc.js';
import { waitForQuiet } from './lib/quiet.js';
import { barChart, esc, fmt, htmlPage, htmlTable, lineChart, table } from './lib/report.js';
import { round, Samples } from './lib/stats.js';
import { mulberry32 } from '../src/random.js';

const HELP = `Usage: npm run loadtest -- [options]

A mixed workload like the frontend's, open loop: --rate requests per second offered by --users
virtual users (each one keep-alive connection and one seeded user's API key), for --duration
seconds. Each request is drawn at random (seeded) from:
  SessionsList 40%  SessionDetail 25%  SessionMessages 15%  SessionFeedback 10%  Viewer 5%  SubmitAnswer 5%
(the documents of schema/operations/). Ids come from the API: at start each user lists its sessions
and creates a session (CreateSession) with an open question; SubmitAnswer answers it by its
questionId. A user's answers are sent one after another, and when an interview has asked its last
question the user completes it and starts a new one (CompleteSession, CreateSession; reported
separately). Sessions the load test created are deleted at the end (DeleteSession) unless --keep.

Step mode (--step, --steps or --step-from/--step-by/--step-to) offers rising rates, --duration
seconds each, on one server, and stops after the first rate that breaks a budget: the knee is the
highest rate before it that met every budget with 0 errors.

Budgets (from shared/DESIGN.md): p95 of a query 50 ms, of a mutation 100 ms; p99 of every operation
200 ms; no errors (a non-200 status, "errors" in the body, or no answer within 10 s of the end).

Reports per rate and operation: count, errors, latency p50/p95/p99/max from the scheduled send
time, the verdict; the knee; latency per second and the server's RSS over time; with --data
1x,10x the p95 of each operation on both data sets. JSON and HTML in bench/results/.

Without --url it starts Cadence itself (node --import tsx src/main.ts, NODE_ENV=production,
LOG_LEVEL=warn, rate limits and the abuse guard off) on the bench database of the data set, seeded
on first use and reused afterwards, and also reports its CPU and RSS.

Options:
  --duration T        load per rate: seconds, or with a unit: 90s, 15m, 1h (default 60; 20 in step mode)
  --warmup S          seconds of load at the first rate before measuring, so that a fresh
                      server's JIT and caches do not count against the first step (default 5; 0: none)
  --rate N            offered requests per second, one run (default 200)
  --step              step mode from 100 to 1000 req/s by 100 (change with the three below)
  --step-from N       first rate of the step search (default 100)
  --step-by N         increase per step (default 100)
  --step-to N         last rate tried (default 1000)
  --steps LIST        step mode with these rates, increasing: e.g. 100,200,400,800
  --data LIST         1x (2,000 users, 20,000 sessions, 400,000 messages; database cadence_bench),
                      10x (20,000 users, 200,000 sessions, 4,000,000 messages; cadence_bench_10x,
                      about 3 minutes to seed), or 1x,10x: the same runs on both, compared
                      (default 1x)
  --workers LIST      server processes (WEB_CONCURRENCY): 1, or 1,2 for one run per count on each
                      data set, compared (p95 per operation, knee over the first count's);
                      default $WEB_CONCURRENCY or 1. More than one runs with Redis
                      ($REDIS_URL, default redis://127.0.0.1:6379), which Cadence requires for it
  --seed-only         seed (or check) the --data databases and exit
  --users N           virtual users (default 100)
  --url URL           an already running server's /graphql endpoint (default: start one)
  --keys-file FILE    API keys [{ "key" }] for --url (default the --data seed's, in bench/.data/)
  --database-url URL  bench database of a single --data (default for 1x: $BENCH_DATABASE_URL or
                      ${DEFAULT_DATABASE_URL};
                      for 10x: ${dataSet('10x').defaultUrl}). Its seed record and keys
                      live in this checkout's bench/.data/: checkouts sharing one PostgreSQL each
                      need their own database, or one reseeds (and cleans up) under the other.
  --query-budget MS   p95 budget of queries (default 50)
  --mutation-budget MS  p95 budget of mutations (default 100)
  --p99-budget MS     p99 budget of every operation (default 200)
  --seed N            random seed of the operation mix (default 1)
  --keep              keep the sessions the load test created
  --full-pages        before the load, fill each virtual user's first SessionsList page (20) with
                      copies of its own sessions (messages and feedback too), removed at the end.
                      For soaks: otherwise the sessions the run creates grow the first pages from
                      10 to 20 as it goes, and SessionsList's cost with them. Not with --url
  --quiet-wait S      first wait up to S seconds for other work on the machine to stop (default
                      60; 0: don't wait); other processes' CPU and the load average are reported
  --out DIR           where to write results (default bench/results)
  --render FILE.json  write the HTML report of a result file again (next to it) and exit: the JSON
                      is the record, the HTML (charts) is derived from it and not committed
  --server-node-args S  node flags for the server the load test starts, e.g. to profile it:
                      --server-node-args="--cpu-prof --cpu-prof-dir=bench/.data/profiles"
                      (then npm run bench:profile -- FILE.cpuprofile)
  -h, --help          this help

Exit status: 0 when the run completed (whatever the numbers), 1 on an error, 2 on a usage error,
130 when interrupted.`;

/** The page size every list operation of the mix asks for (SessionsList's first page). */
const PAGE_SIZE = 20;

const MIX = [
  ['SessionsList', 40],
  ['SessionDetail', 25],
  ['SessionMessages', 15],
  ['SessionFeedback', 10],
  ['Viewer', 5],
  ['SubmitAnswer', 5],
] as const;
type MixOp = (typeof MIX)[number][0];
const ROLLOVER_OPS = ['CompleteSession', 'CreateSession'] as const;
const SETUP_OPS = ['JobPostings', 'Resumes', 'DeleteSession'] as const;

const ANSWERS = [
  'In my last role I owned the payments API. When p95 latency doubled after a release, I profiled the hot path, ' +
    'found an N+1 query in the invoice resolver, batched it with a DataLoader and added a test counting SQL statements. ' +
    'Latency went back under budget and the test keeps it there.',
  'I would start by reproducing the problem, then look at the logs and metrics around the time it started, form a ' +
    'hypothesis, and verify it with the smallest experiment I can run. I write down what I learn for the team.',
  'Honestly I have not done that yet.',
  'We split a monolith into three services. I led the data migration: dual writes behind a flag, a backfill job with ' +
    'checkpoints, and a reconciliation report we watched for two weeks before switching reads. No downtime, one rollback ' +
    'rehearsal, and the on-call load dropped by half the following quarter because each team owned its alerts.',
];

interface VirtualUser {
  index: number;
  headers: Record<string, string>;
  sessionIds: string[];
  jobPostingId: string;
  resumeId: string;
  /** The ACTIVE session and its open question; null: start a new one before the next answer. */
  active: { sessionId: string; questionId: string } | null;
  /** Answers (and rollovers) of one user run one after another. */
  chain: Promise<unknown>;
}

interface Config {
  durationS: number;
  warmupS: number;
  rates: number[];
  stepMode: boolean;
  users: number;
  url: string | null;
  keysFile: string | null;
  databaseUrl: string | null;
  data: DataScale[];
  /** Server processes (WEB_CONCURRENCY) per run: each count is a run of its own on each data set. */
  workers: number[];
  budgets: Budgets;
  seed: number;
  keep: boolean;
  fullPages: boolean;
  seedOnly: boolean;
  quietWaitS: number;
  out: string;
  /** Node flags for the server the load test starts (profiling). */
  serverNodeArgs: string[];
}

interface OperationRow {
  operation: string;
  share: string;
  kind: string;
  count: number;
  errors: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  budgetMs: number;
  withinBudget: boolean | null;
}

interface StepReport {
  rate: number;
  /** Seconds after the data set's first step started. */
  startS: number;
  pass: boolean;
  reasons: string[];
  summary: Record<string, unknown> & {
    answeredReqPerSec: number;
    requests: number;
    errors: number;
    errorRate: number;
    withinBudget: boolean;
  };
  operations: OperationRow[];
  loadAvg: number[];
}

interface DataRun {
  data: DataScale;
  /** WEB_CONCURRENCY of the server (null against --url: unknown). */
  workers: number | null;
  /** filledSessions: sessions copied by --full-pages (null without it). */
  database: { name: string; state: string; rows: Record<string, number>; filledSessions: number | null } | null;
  url: string;
  requestForm: RequestForm;
  steps: StepReport[];
  /** Highest offered rate that met every budget with 0 errors (step mode), before the first failure. */
  knee: number | null;
  /** Per second of load: answers sent in it and their percentiles. */
  latencySeries: { t: number; count: number; errors: number; p50: number; p95: number; p99: number }[];
  /** The server's resident set size, MB, once a second (only when the load test started it). */
  rssSeries: { t: number; mb: number }[];
  loadAvg: { before: number[]; after: number[] };
}

function parseConfig(): Config | { render: string } | null {
  const { values } = (() => {
    try {
      return parseArgs({
        args: process.argv.slice(2),
        options: {
          duration: { type: 'string' },
          warmup: { type: 'string' },
          rate: { type: 'string' },
          step: { type: 'boolean' },
          steps: { type: 'string' },
          'step-from': { type: 'string' },
          'step-by': { type: 'string' },
          'step-to': { type: 'string' },
          data: { type: 'string' },
          workers: { type: 'string' },
          'seed-only': { type: 'boolean' },
          users: { type: 'string' },
          url: { type: 'string' },
          'keys-file': { type: 'string' },
          'database-url': { type: 'string' },
          'query-budget': { type: 'string' },
          'mutation-budget': { type: 'string' },
          'p99-budget': { type: 'string' },
          seed: { type: 'string' },
          'quiet-wait': { type: 'string' },
          keep: { type: 'boolean' },
          'full-pages': { type: 'boolean' },
          out: { type: 'string' },
          'server-node-args': { type: 'string' },
          render: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  })();
  if (values.help) {
    console.log(HELP);
    return null;
  }
  if (values.render !== undefined) return { render: values.render };
  const stepMode = Boolean(values.step || values.steps || values['step-from'] || values['step-by'] || values['step-to']);
  if (stepMode && values.rate)
    throw new UsageError('--rate is for one run; a step search takes --steps or --step-from/--step-by/--step-to');
  if (values.steps && (values['step-from'] || values['step-by'] || values['step-to'])) {
    throw new UsageError('--steps or --step-from/--step-by/--step-to, not both');
  }
  let rates: number[];
  try {
    rates = values.steps
      ? parseSteps(values.steps)
      : stepMode
        ? stepRates(
            positiveNumber('step-from', values['step-from'], 100),
            positiveNumber('step-by', values['step-by'], 100),
            positiveNumber('step-to', values['step-to'], 1000),
          )
        : [positiveNumber('rate', values.rate, 200)];
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  const data = oneOfList('data', values.data, DATA_SCALES, ['1x']);
  const url = values.url ?? null;
  if (url) {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--url: not a URL: ${url}`);
    }
    if (data.length > 1) throw new UsageError('--url runs against one server: give one --data (it picks the keys file)');
  }
  if (values['database-url'] && data.length > 1) throw new UsageError('--database-url names one database: give one --data');
  const workers = workerCounts(values.workers ?? process.env.WEB_CONCURRENCY ?? '1');
  if (url && values.workers) throw new UsageError('--workers starts servers; with --url the server is yours');
  if (url && values['full-pages']) throw new UsageError('--full-pages writes to the bench database; with --url the database is yours');
  if (url && values['server-node-args'])
    throw new UsageError('--server-node-args starts the server with these flags; with --url the server is yours');
  return {
    durationS: values.duration === undefined ? (stepMode ? 20 : 60) : durationSeconds(values.duration),
    warmupS: positiveNumber('warmup', values.warmup, 5, { min: 0 }),
    rates,
    stepMode,
    users: positiveNumber('users', values.users, 100, { integer: true }),
    url,
    keysFile: values['keys-file'] ?? null,
    databaseUrl: values['database-url'] ?? null,
    data,
    workers,
    budgets: {
      queryP95Ms: positiveNumber('query-budget', values['query-budget'], 50),
      mutationP95Ms: positiveNumber('mutation-budget', values['mutation-budget'], 100),
      p99Ms: positiveNumber('p99-budget', values['p99-budget'], 200),
    },
    seed: positiveNumber('seed', values.seed, 1, { integer: true, min: 0 }),
    keep: values.keep ?? false,
    fullPages: values['full-pages'] ?? false,
    seedOnly: values['seed-only'] ?? false,
    quietWaitS: positiveNumber('quiet-wait', values['quiet-wait'], 60, { min: 0 }),
    out: path.resolve(values.out ?? RESULTS_DIR),
    serverNodeArgs: (values['server-node-args'] ?? '').split(/\s+/).filter(Boolean),
  };
}

/** `1`, `1,2`: distinct positive integers, in the order given. */
function workerCounts(text: string): number[] {
  const counts = text.split(',').map((t) => Number(t.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 64) || new Set(counts).size !== counts.length)
    throw new UsageError(`--workers: a list of distinct whole numbers from 1 to 64, e.g. 1,2 (got ${text})`);
  return counts;
}

/** How a run is named in tables and charts: its data set, and its workers when runs differ in them. */
const runLabel = (run: DataRun) => (run.workers === null ? run.data : `${run.data} ×${run.workers}w`);

/** The database of one data set: --database-url, $BENCH_DATABASE_URL for 1×, else the data set's own. */
function databaseUrlOf(cfg: Config, data: DataSet): string {
  if (cfg.databaseUrl) return cfg.databaseUrl;
  if (data.scale === '1x') return process.env.BENCH_DATABASE_URL ?? data.defaultUrl;
  return data.defaultUrl;
}

const loadAvg = (): number[] => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
};

async function main(): Promise<void> {
  const cfg = parseConfig();
  if (!cfg) return;
  if ('render' in cfg) return renderAgain(cfg.render);
  let interrupted = false;
  installExitHandlers(() => (interrupted = true));
  const startedAt = new Date();

  if (cfg.seedOnly) {
    if (cfg.url) throw new UsageError('--seed-only seeds the bench databases; it takes no --url');
    for (const scale of cfg.data) {
      const data = dataSet(scale);
      const db = await ensureBenchDatabase(databaseUrlOf(cfg, data), { data });
      log(`${scale}: ${db.name} ${db.state}`);
    }
    return;
  }

  const runs: DataRun[] = [];
  for (const scale of cfg.data) {
    for (const workers of cfg.url ? [null] : cfg.workers) {
      runs.push(await runOnData(cfg, dataSet(scale), workers, () => interrupted));
      if (interrupted) throw new InterruptedError('interrupted');
    }
  }

  const report = {
    kind: 'cadence-loadtest',
    version: 2,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    config: { ...cfg, databaseUrl: cfg.databaseUrl ? redact(cfg.databaseUrl) : null },
    runs,
  };
  await mkdir(cfg.out, { recursive: true });
  const stamp = timestamp(startedAt);
  const jsonFile = path.join(cfg.out, `loadtest-${stamp}.json`);
  const htmlFile = path.join(cfg.out, `loadtest-${stamp}.html`);
  await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(htmlFile, renderHtml(report));

  for (const run of runs) {
    const processes = run.workers === null ? '' : `, ${run.workers} server worker${run.workers === 1 ? '' : 's'}`;
    const filledNote = run.database?.filledSessions == null ? '' : `, first pages filled`;
    console.log(
      `\n== ${run.data} data (${run.database?.name ?? run.url})${processes}, ${cfg.users} users${filledNote}, ${cfg.durationS} s per rate ==`,
    );
    console.log(
      table(run.steps, [
        { title: 'offered', value: (s) => `${s.rate}` },
        { title: 'answered', value: (s) => fmt(s.summary.answeredReqPerSec, 1) },
        { title: 'errors', value: (s) => String(s.summary.errors) },
        { title: 'worst p95 query', value: (s) => fmt(worst(s, 'query', 'p95'), 1) },
        { title: 'worst p95 mutation', value: (s) => fmt(worst(s, 'mutation', 'p95'), 1) },
        { title: 'worst p99', value: (s) => fmt(worst(s, null, 'p99'), 1) },
        { title: 'load avg', value: (s) => s.loadAvg.map((l) => fmt(l, 2)).join(' ') },
        { title: 'verdict', value: (s) => (s.pass ? 'PASS' : `FAIL: ${s.reasons.slice(0, 3).join('; ')}`), align: 'left' },
      ]),
    );
    const at = kneeStep(run);
    if (cfg.stepMode) console.log(`knee: ${run.knee === null ? 'none (the first rate already broke a budget)' : `${run.knee} req/s`}`);
    if (at) {
      console.log(
        `\nper operation at ${at.rate} req/s${cfg.stepMode ? (run.knee === at.rate ? ' (the knee)' : ' (no step passed: the first)') : ''}:`,
      );
      console.log(operationTable(at.operations));
      const s = at.summary;
      console.log(
        `answered ${fmt(s.answeredReqPerSec, 1)} of ${at.rate} req/s offered; ${s.requests} requests, ${s.errors} errors` +
          (typeof s.serverCpuMsPerReq === 'number'
            ? `; server CPU ${fmt(s.serverCpuMsPerReq, 2)} ms/req, PostgreSQL ${fmt(s.pgCpuMsPerReq as number, 2)} ms/req`
            : ''),
      );
      if (typeof s.otherCpuPctOfCore === 'number' && s.otherCpuPctOfCore > 15) {
        console.log(
          `note: other processes on this machine used ${s.otherCpuPctOfCore}% of a core during that step (${JSON.stringify(s.busiestOtherProcesses)}); latencies are disturbed.`,
        );
      }
    }
    if (run.rssSeries.length) {
      const mbs = run.rssSeries.map((r) => r.mb);
      console.log(
        `server RSS: ${fmt(mbs[0], 0)} MB at the start, ${fmt(Math.max(...mbs), 0)} MB peak, ${fmt(mbs[mbs.length - 1], 0)} MB at the end`,
      );
    }
    console.log(`load average (1/5/15 min): ${run.loadAvg.before.join(' ')} before, ${run.loadAvg.after.join(' ')} after`);
  }
  if (runs.length > 1) console.log(`\n${compareText(runs)}`);
  if (!cfg.stepMode) {
    const s = runs[runs.length - 1]!.steps[0];
    if (s) console.log(`${s.pass ? 'PASS' : 'FAIL'}: every operation's p95 and p99 within budget and no errors`);
  }
  console.log(`\nwrote ${path.relative(process.cwd(), jsonFile)}\n      ${path.relative(process.cwd(), htmlFile)}`);
}

const worst = (s: StepReport, kind: string | null, p: 'p95' | 'p99') =>
  Math.max(...s.operations.filter((o) => o.count > 0 && (kind === null || o.kind === kind)).map((o) => o.latencyMs[p]), 0);

/** The step whose table is shown: the knee in step mode (else the first step), the only one otherwise. */
function kneeStep(run: DataRun): StepReport | undefined {
  return run.steps.find((s) => s.rate === run.knee) ?? run.steps[0];
}

function operationTable(rows: OperationRow[]): string {
  return table(rows, [
    { title: 'operation', value: (r) => r.operation, align: 'left' },
    { title: 'share', value: (r) => r.share },
    { title: 'count', value: (r) => String(r.count) },
    { title: 'errors', value: (r) => String(r.errors) },
    { title: 'p50 ms', value: (r) => fmt(r.latencyMs.p50, 2) },
    { title: 'p95 ms', value: (r) => fmt(r.latencyMs.p95, 2) },
    { title: 'p99 ms', value: (r) => fmt(r.latencyMs.p99, 2) },
    { title: 'max ms', value: (r) => fmt(r.latencyMs.max, 1) },
    { title: 'budget p95', value: (r) => `${r.budgetMs} ms` },
    { title: 'ok', value: (r) => (r.withinBudget === null ? '–' : r.withinBudget ? 'yes' : 'NO') },
  ]);
}

/** 1× vs 10×: p95 per operation at the highest rate both ran. */
function comparison(runs: DataRun[]): { rate: number; rows: { operation: string; p95: (number | null)[] }[] } | null {
  const common = runs[0]!.steps.map((s) => s.rate).filter((r) => runs.every((run) => run.steps.some((s) => s.rate === r)));
  if (!common.length) return null;
  const rate = Math.max(...common);
  const at = runs.map((run) => run.steps.find((s) => s.rate === rate)!);
  const names = at[0]!.operations.map((o) => o.operation);
  return {
    rate,
    rows: names.map((operation) => ({
      operation,
      p95: at.map((s) => {
        const o = s.operations.find((x) => x.operation === operation);
        return o && o.count > 0 ? o.latencyMs.p95 : null;
      }),
    })),
  };
}

function compareText(runs: DataRun[]): string {
  const c = comparison(runs);
  const knees = runs.map((r) => `${runLabel(r)}: ${r.knee ?? '–'}`).join(', ');
  const ratios = kneeRatios(runs);
  const kneeLine = ratios.length ? `\n${ratios.join('\n')}` : '';
  if (!c) return `knees ${knees}; no rate ran in every run${kneeLine}`;
  return `p95 per operation at ${c.rate} req/s, ${runs.map(runLabel).join(' vs ')} (knees ${knees}):\n${table(c.rows, [
    { title: 'operation', value: (r) => r.operation, align: 'left' },
    ...runs.map((run, i) => ({ title: `${runLabel(run)} p95 ms`, value: (r: { p95: (number | null)[] }) => fmt(r.p95[i], 2) })),
    ...runs.slice(1).map((run, i) => ({
      title: `${runLabel(run)} vs ${runLabel(runs[0]!)}`,
      value: (r: { p95: (number | null)[] }) =>
        r.p95[0] && r.p95[i + 1] != null ? `${fmt(((r.p95[i + 1]! - r.p95[0]) / r.p95[0]) * 100, 0)}%` : '–',
    })),
  ])}${kneeLine}`;
}

/** On each data set, each worker count's knee over the first's: `1x: knee ×2 workers / ×1 = 1.50`. */
function kneeRatios(runs: DataRun[]): string[] {
  const lines: string[] = [];
  for (const scale of new Set(runs.map((r) => r.data))) {
    const same = runs.filter((r) => r.data === scale && r.workers !== null);
    const [first, ...others] = same;
    for (const other of others) {
      if (first?.knee && other.knee)
        lines.push(
          `${scale}: knee ×${other.workers} workers / ×${first.workers} = ${fmt(other.knee / first.knee, 2)} (${other.knee} vs ${first.knee} req/s)`,
        );
    }
  }
  return lines;
}

async function runOnData(cfg: Config, data: DataSet, workers: number | null, isInterrupted: () => boolean): Promise<DataRun> {
  const checkStop = () => {
    if (isInterrupted()) throw new InterruptedError('interrupted');
  };
  // Server and keys.
  let server: ServerHandle | null = null;
  let monitor: PgMonitor | null = null;
  let keys: string[];
  let database: DataRun['database'] = null;
  let filled: { url: string; pages: FilledPages } | null = null;
  if (cfg.url) {
    keys = (await readKeysFile(cfg.keysFile ?? data.keysFile)).map((k) => k.key);
  } else {
    const databaseUrl = databaseUrlOf(cfg, data);
    const db = await ensureBenchDatabase(databaseUrl, { data });
    database = { name: db.name, state: db.state, rows: db.rows, filledSessions: null };
    keys = db.keys.map((k) => k.key);
    checkStop();
    if (cfg.fullPages) {
      const userIds = db.keys.slice(0, cfg.users).map((k) => k.userId);
      const pages = await fillFirstPages(databaseUrl, userIds, PAGE_SIZE, db.seededAt);
      filled = { url: databaseUrl, pages };
      database.filledSessions = pages.sessionIds.length;
      log(
        `full pages: copied ${pages.sessionIds.length} sessions (${pages.messages} messages, ${pages.feedback} feedback) so each user's first page holds ${PAGE_SIZE}`,
      );
    }
    // The abuse guard slows a client down after refused requests; one refused answer must not turn into a tarpit here.
    // More than one worker needs Redis (the workers share cache invalidations and events through it).
    const redis: Record<string, string> = (workers ?? 1) > 1 ? { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } : {};
    server = await startServer('cadence', {
      databaseUrl,
      env: { ABUSE_MAX_REJECTIONS: '0', WEB_CONCURRENCY: String(workers ?? 1), ...redis },
      nodeArgs: cfg.serverNodeArgs,
    });
    monitor = await PgMonitor.open(databaseUrl);
    log(`cadence: pid ${server.pid} on ${server.url} (${data.scale} data, ${workers ?? 1} worker${workers === 1 ? '' : 's'})`);
  }
  if (keys.length < cfg.users) throw new UsageError(`--users ${cfg.users}: only ${keys.length} API keys available`);
  const url = cfg.url ?? server!.url;

  const created: { vu: VirtualUser; id: string }[] = [];
  const ops = await loadOperations([...MIX.map(([name]) => name), ...ROLLOVER_OPS, ...SETUP_OPS]);
  const op = (name: string) => ops.get(name)!;
  let form: RequestForm = 'query';
  const rssSeries: DataRun['rssSeries'] = [];
  let rssTimer: NodeJS.Timeout | undefined;
  try {
    const firstHeaders = { authorization: `Bearer ${keys[0]}` };
    form = await detectRequestForm(url, op('Viewer'), {}, firstHeaders);
    log(`request form: ${form === 'documentId' ? 'persisted documentId (manifest)' : 'query text'}`);
    const spec = (vu: VirtualUser, name: string, variables: Record<string, unknown>): RequestSpec => ({
      op: name,
      body: requestBody(op(name), variables, form),
      headers: vu.headers,
    });
    /** The session CreateSession started and its first (open) question. */
    const startedSession = (body: { data?: { createSession?: { id: string; messages: { edges: { node: { id: string } }[] } } } }) => {
      const s = body.data?.createSession;
      const questionId = s?.messages.edges[0]?.node.id;
      return s && questionId ? { sessionId: s.id, questionId } : null;
    };

    // Setup: every virtual user reads its ids and starts an interview. Not measured.
    const vus: VirtualUser[] = keys.slice(0, cfg.users).map((key, index) => ({
      index,
      headers: { authorization: `Bearer ${key}` },
      sessionIds: [],
      jobPostingId: '',
      resumeId: '',
      active: null,
      chain: Promise.resolve(),
    }));
    log(`setup: ${cfg.users} users list their sessions and each start an interview…`);
    const setupConns = Array.from({ length: 10 }, () => new Connection(url));
    try {
      let next = 0;
      await Promise.all(
        setupConns.map(async (conn) => {
          while (next < vus.length && !isInterrupted()) {
            const vu = vus[next++]!;
            const list = await call(conn, spec(vu, 'SessionsList', { first: PAGE_SIZE }));
            vu.sessionIds = list.data.sessions.edges.map((e: { node: { id: string } }) => e.node.id);
            vu.jobPostingId = (await call(conn, spec(vu, 'JobPostings', { first: 1 }))).data.jobPostings.edges[0]?.node.id;
            vu.resumeId = (await call(conn, spec(vu, 'Resumes', { first: 1 }))).data.resumes.edges[0]?.node.id;
            if (!vu.jobPostingId || !vu.resumeId)
              throw new BenchError(`user ${vu.index} has no job posting or resume to start a session with`);
            const started = startedSession(
              await call(conn, spec(vu, 'CreateSession', { input: { jobPostingId: vu.jobPostingId, resumeId: vu.resumeId } })),
            );
            if (!started) throw new BenchError(`setup: CreateSession of user ${vu.index} returned no session or first question`);
            created.push({ vu, id: started.sessionId });
            vu.active = started;
            vu.sessionIds.unshift(started.sessionId);
          }
        }),
      );
    } finally {
      for (const c of setupConns) c.close();
    }
    checkStop();

    const random = mulberry32(cfg.seed);
    const totalWeight = MIX.reduce((a, [, w]) => a + w, 0);
    const pick = (): MixOp => {
      let r = random() * totalWeight;
      for (const [name, w] of MIX) if ((r -= w) < 0) return name;
      return MIX[0][0];
    };
    let answerIndex = 0;
    // Rollover samples of the current step.
    let rollover = { CompleteSession: new Samples(), CreateSession: new Samples() };
    let rolloverErrors: Record<string, number> = { CompleteSession: 0, CreateSession: 0 };
    let rolloverErrorKinds: Record<string, number> = {};

    // SubmitAnswer goes through the user's chain: its session and open question are read when it
    // is its turn. The answer's promise settles when its response arrives; completing a finished
    // interview and starting the next one happen after that, before the user's next answer.
    const submitAnswer = (conn: Connection, vu: VirtualUser): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        vu.chain = vu.chain.then(async () => {
          try {
            if (!vu.active) await startInterview(conn, vu);
            const active = vu.active as VirtualUser['active'];
            if (!active) throw new Error('SubmitAnswer: could not start an interview (CreateSession failed)');
            const res = await conn.send(
              spec(vu, 'SubmitAnswer', { input: { questionId: active.questionId, content: ANSWERS[answerIndex++ % ANSWERS.length] } }),
            );
            resolve(res);
            if (failureOf(res)) {
              vu.active = null; // unknown state: the next answer starts a fresh interview
              return;
            }
            const next = (JSON.parse(res.body) as { data: { submitAnswer: { nextQuestion: { id: string } | null } } }).data.submitAnswer
              .nextQuestion;
            if (next === null) {
              // The interviewer asked its last question: complete it and start the next, as the frontend would.
              vu.active = null;
              await timed(conn, vu, 'CompleteSession', { input: { sessionId: active.sessionId } });
              await startInterview(conn, vu);
            } else {
              vu.active = { sessionId: active.sessionId, questionId: next.id };
            }
          } catch (error) {
            vu.active = null;
            reject(error as Error);
          }
        });
      });
    const timed = async (
      conn: Connection,
      vu: VirtualUser,
      name: 'CompleteSession' | 'CreateSession',
      variables: Record<string, unknown>,
    ) => {
      const t0 = performance.now();
      let res: Response | null = null;
      let failure: string | null = null;
      try {
        res = await conn.send(spec(vu, name, variables));
        failure = failureOf(res);
      } catch (error) {
        failure = (error as Error).message;
      }
      rollover[name].add(performance.now() - t0);
      if (failure || !res) {
        rolloverErrors[name]!++;
        const kind = `${name}: ${failure ?? 'no answer'}`;
        rolloverErrorKinds[kind] = (rolloverErrorKinds[kind] ?? 0) + 1;
        return null;
      }
      return JSON.parse(res.body);
    };
    const startInterview = async (conn: Connection, vu: VirtualUser) => {
      const started = startedSession(
        (await timed(conn, vu, 'CreateSession', { input: { jobPostingId: vu.jobPostingId, resumeId: vu.resumeId } })) ?? {},
      );
      if (started) {
        created.push({ vu, id: started.sessionId });
        vu.active = started;
        vu.sessionIds.unshift(started.sessionId);
      }
    };
    const pickSession = (vu: VirtualUser) => vu.sessionIds[Math.floor(random() * vu.sessionIds.length)]!;

    const quietBefore = await waitForQuiet(cfg.quietWaitS, isInterrupted);
    checkStop();
    const budgetOf = (name: string) => (op(name).kind === 'mutation' ? cfg.budgets.mutationP95Ms : cfg.budgets.queryP95Ms);
    const seriesBuckets: { count: number; errors: number; latency: Samples }[] = [];
    // The weighted mix: each request drawn for connection c's user.
    const mixSpec = (c: number): RequestSpec => {
      const vu = vus[c]!;
      const name = pick();
      switch (name) {
        case 'SessionsList':
          return spec(vu, name, { first: PAGE_SIZE });
        case 'SessionDetail':
        case 'SessionFeedback':
          return spec(vu, name, { id: pickSession(vu) });
        case 'SessionMessages':
          return spec(vu, name, { id: pickSession(vu), first: 20 });
        case 'Viewer':
          return spec(vu, name, {});
        case 'SubmitAnswer':
          return { op: name, body: '', headers: vu.headers }; // built when it is the user's turn
      }
    };
    const mixSend = (conn: Connection, s: RequestSpec, c: number) => (s.op === 'SubmitAnswer' ? submitAnswer(conn, vus[c]!) : conn.send(s));
    // A probe that only reads (it must not move an interview on).
    const readSpec = (c: number): RequestSpec => {
      const vu = vus[c]!;
      return spec(vu, 'SessionsList', { first: PAGE_SIZE });
    };
    if (cfg.warmupS > 0) {
      // The whole mix, answers included: the knee is a steady-state figure, and a fresh server's
      // first answers (and its first feedback jobs) run code the queries never touch. The
      // interviews move on during it, as they would have a moment earlier.
      log(`warm-up: ${cfg.rates[0]} req/s of the mix for ${cfg.warmupS} s (not measured)`);
      await openLoop({
        url,
        connections: cfg.users,
        rate: cfg.rates[0]!,
        durationMs: cfg.warmupS * 1000,
        next: mixSpec,
        send: mixSend,
        settle: () => Promise.all(vus.map((vu) => vu.chain)),
        shouldStop: isInterrupted,
      });
      checkStop();
      // An overloaded warm-up leaves requests queued in the server after the client gave up on
      // them; the first step must not pay for them. A probe queued behind them answers when they are done.
      const probe = new Connection(url, 120_000);
      try {
        const t = performance.now();
        await probe.send(readSpec(0));
        const waitedMs = performance.now() - t;
        if (waitedMs > 1000) log(`warm-up: the server took ${round(waitedMs / 1000, 1)} s to finish its backlog`);
      } finally {
        probe.close();
      }
    }
    const loadBefore = loadAvg();
    const t0 = performance.now();
    if (server) {
      const sample = () => {
        const mb = treeRssMb(server!.pid);
        if (mb !== null) rssSeries.push({ t: round((performance.now() - t0) / 1000, 1), mb });
      };
      sample();
      rssTimer = setInterval(sample, 1000);
    }
    const steps: StepReport[] = [];
    for (const rate of cfg.rates) {
      rollover = { CompleteSession: new Samples(), CreateSession: new Samples() };
      rolloverErrors = { CompleteSession: 0, CreateSession: 0 };
      rolloverErrorKinds = {};
      const stepStartMs = performance.now() - t0;
      const tty = process.stderr.isTTY;
      let lastPrint = 0;
      const onProgress = (p: Progress) => {
        const line = `${data.scale} ${rate} req/s: ${String(Math.round(p.elapsedMs / 1000)).padStart(3)}/${cfg.durationS} s  ${String(p.currentRate).padStart(4)} req/s now, ${p.completed} done, ${p.errors} errors`;
        if (tty) process.stderr.write(`\r${line}   `);
        else if (p.elapsedMs - lastPrint >= 5000) {
          lastPrint = p.elapsedMs;
          log(line);
        }
      };
      log(`load: ${rate} req/s offered by ${cfg.users} users for ${cfg.durationS} s (${data.scale} data)`);
      const cpu0 = server?.cpuMs() ?? 0;
      const m0 = machineCpu();
      const procs0 = allProcesses();
      const pg0 = monitor ? await monitor.snapshot() : null;
      const result = await openLoop({
        url,
        connections: cfg.users,
        rate,
        durationMs: cfg.durationS * 1000,
        next: mixSpec,
        send: mixSend,
        onRecord: (_op, latencyMs, failed, sentAtMs) => {
          const i = Math.floor((stepStartMs + sentAtMs) / 1000);
          for (let k = seriesBuckets.length; k <= i; k++) seriesBuckets.push({ count: 0, errors: 0, latency: new Samples() });
          const b = seriesBuckets[i]!;
          b.count++;
          if (failed) b.errors++;
          b.latency.add(latencyMs);
        },
        onProgress,
        settle: () => Promise.all(vus.map((vu) => vu.chain)),
        shouldStop: isInterrupted,
      });
      if (tty) process.stderr.write('\r\x1b[K');
      const m1 = machineCpu();
      const busiest = topConsumers(
        procs0,
        allProcesses(),
        result.elapsedMs,
        4,
        new Set([process.pid, ...ourPids(), ...(pg0?.keys() ?? [])]),
      );
      const serverCpuMs = server ? server.cpuMs() - cpu0 : null;
      const pgCpuMs = monitor && pg0 ? PgMonitor.delta(pg0, await monitor.snapshot()) : null;
      const machineBusyMs = ((m1.busy - m0.busy) * 1000) / clockTicks();
      // Other processes' CPU during the step, in % of one core (only known when we run the server).
      const otherPct =
        serverCpuMs !== null && pgCpuMs !== null
          ? round((Math.max(0, machineBusyMs - serverCpuMs - pgCpuMs - result.clientCpuMs) / result.elapsedMs) * 100, 0)
          : null;
      checkStop();

      const rows = [
        ...MIX.map(([name, weight]) => {
          const o = result.byOp.get(name);
          const s = (o?.latency ?? new Samples()).summary();
          return {
            name,
            weight: `${weight}%`,
            kind: op(name).kind,
            count: o?.count ?? 0,
            errors: o?.errors ?? 0,
            s,
            budget: budgetOf(name),
          };
        }),
        ...ROLLOVER_OPS.map((name) => {
          const s = rollover[name].summary();
          return {
            name: `${name} (rollover)`,
            weight: '–',
            kind: op(name).kind,
            count: s.count,
            errors: rolloverErrors[name]!,
            s,
            budget: budgetOf(name),
          };
        }),
      ];
      const totalRequests = result.completed + rows.filter((r) => r.weight === '–').reduce((a, r) => a + r.count, 0);
      const totalErrors = result.errors + Object.values(rolloverErrors).reduce((a, b) => a + b, 0);
      const verdict = judgeStep(
        rows.map((r) => ({ operation: r.name, kind: r.kind, count: r.count, errors: r.errors, p95Ms: r.s.p95, p99Ms: r.s.p99 })),
        cfg.budgets,
        result.unfinished,
      );
      const all = result.latency.summary();
      const step: StepReport = {
        rate,
        startS: round(stepStartMs / 1000, 1),
        pass: verdict.pass,
        reasons: verdict.reasons,
        summary: {
          offeredReqPerSec: rate,
          answeredReqPerSec: round(result.completed / (result.elapsedMs / 1000), 1),
          requests: totalRequests,
          errors: totalErrors,
          errorRate: round(totalErrors / Math.max(1, totalRequests), 5),
          errorKinds: { ...result.errorKinds, ...rolloverErrorKinds },
          latencyMs: { p50: round(all.p50, 2), p95: round(all.p95, 2), p99: round(all.p99, 2), max: round(all.max, 1) },
          serverCpuMsPerReq: serverCpuMs !== null ? round(serverCpuMs / Math.max(1, totalRequests), 3) : null,
          pgCpuMsPerReq: pgCpuMs !== null ? round(pgCpuMs / Math.max(1, totalRequests), 3) : null,
          clientCpuMsPerReq: round(result.clientCpuMs / Math.max(1, result.completed), 3),
          machineBusyPct: m1.total > m0.total ? round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 100, 0) : null,
          otherCpuPctOfCore: otherPct,
          otherLoadBeforePct: steps.length === 0 ? quietBefore : null,
          busiestOtherProcesses: busiest,
          withinBudget: verdict.pass,
        },
        operations: rows.map((r) => ({
          operation: r.name,
          share: r.weight,
          kind: r.kind,
          count: r.count,
          errors: r.errors,
          latencyMs: { p50: round(r.s.p50, 2), p95: round(r.s.p95, 2), p99: round(r.s.p99, 2), max: round(r.s.max, 1) },
          budgetMs: r.budget,
          withinBudget: r.count === 0 ? null : r.s.p95 <= r.budget && r.s.p99 <= cfg.budgets.p99Ms,
        })),
        loadAvg: loadAvg(),
      };
      steps.push(step);
      log(
        `${data.scale} ${rate} req/s: ${step.pass ? 'PASS' : `FAIL (${step.reasons.slice(0, 3).join('; ')})`}; answered ${step.summary.answeredReqPerSec} req/s; load average ${step.loadAvg.join(' ')}`,
      );
      if (cfg.stepMode && !step.pass) break; // the knee is below: higher rates only pile up
    }
    return {
      data: data.scale,
      workers,
      database,
      url,
      requestForm: form,
      steps,
      knee: cfg.stepMode ? kneeOf(steps) : null,
      latencySeries: seriesBuckets.map((b, t) => {
        const s = b.latency.summary();
        return { t, count: b.count, errors: b.errors, p50: round(s.p50, 2), p95: round(s.p95, 2), p99: round(s.p99, 2) };
      }),
      rssSeries,
      loadAvg: { before: loadBefore, after: loadAvg() },
    };
  } finally {
    if (rssTimer) clearInterval(rssTimer);
    if (!cfg.keep && created.length) await cleanup(url, created, op('DeleteSession'), form);
    if (!cfg.keep && filled) log(`full pages: removed ${await removeFilledPages(filled.url, filled.pages)} copied sessions`);
    await monitor?.close();
    await stopAll();
  }
}

/** Sends and returns the parsed body; throws on any failure (setup only). */
// biome-ignore lint/suspicious/noExplicitAny: setup responses of several operations, read by shape at each call site
async function call(conn: Connection, spec: RequestSpec): Promise<any> {
  const res = await conn.send(spec);
  const failure = failureOf(res);
  if (failure) throw new BenchError(`setup: ${spec.op} failed: ${failure}: ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body);
}

/** Deletes the sessions the load test created (through the API, so it works with --url too). */
async function cleanup(url: string, created: { vu: VirtualUser; id: string }[], op: Operation, form: RequestForm): Promise<void> {
  log(`cleanup: deleting the ${created.length} sessions this load test created…`);
  const conns = Array.from({ length: 10 }, () => new Connection(url, 5000));
  let next = 0;
  let failed = 0;
  const deadline = Date.now() + 60_000;
  await Promise.all(
    conns.map(async (conn) => {
      while (next < created.length && Date.now() < deadline) {
        const { vu, id } = created[next++]!;
        try {
          const res = await conn.send({ op: op.name, body: requestBody(op, { input: { sessionId: id } }, form), headers: vu.headers });
          if (failureOf(res)) failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  for (const c of conns) c.close();
  const left = created.length - next + failed;
  if (left > 0) log(`cleanup: ${left} sessions not deleted (the next bench or load test on the bench database removes them)`);
}

/** `--render`: the HTML of a result file, from its JSON (version 2, what this script writes now). */
async function renderAgain(file: string): Promise<void> {
  let report: { kind?: string; version?: number; startedAt: string; config: Parameters<typeof renderHtml>[0]['config']; runs: DataRun[] };
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as typeof report;
  } catch (error) {
    throw new UsageError(`--render: cannot read ${file}: ${(error as Error).message}`);
  }
  if (report.kind !== 'cadence-loadtest' || report.version !== 2) {
    throw new UsageError(`--render: ${file} is not a version-2 load-test result (its HTML is the one committed with it)`);
  }
  const htmlFile = file.replace(/\.json$/, '') + '.html';
  let html: string;
  try {
    html = renderHtml(report);
  } catch (error) {
    // Early version-2 files lack fields added since; their HTML stays committed beside them.
    throw new UsageError(
      `--render: ${file} was written by an older load test (${(error as Error).message}); its HTML is the one committed with it`,
    );
  }
  await writeFile(htmlFile, html);
  console.log(`wrote ${path.relative(process.cwd(), htmlFile)}`);
}

function renderHtml(report: {
  startedAt: string;
  config: { durationS: number; users: number; budgets: Budgets; stepMode: boolean };
  runs: DataRun[];
}): string {
  const { budgets } = report.config;
  const opTable = (rows: OperationRow[]) =>
    htmlTable(
      ['operation', 'share', 'count', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'budget p95 / p99', 'ok'],
      rows.map((o) => [
        o.operation,
        o.share,
        String(o.count),
        String(o.errors),
        fmt(o.latencyMs.p50, 2),
        fmt(o.latencyMs.p95, 2),
        fmt(o.latencyMs.p99, 2),
        fmt(o.latencyMs.max, 1),
        `${o.budgetMs} / ${budgets.p99Ms} ms`,
        o.withinBudget === null ? '–' : o.withinBudget ? 'yes' : 'NO',
      ]),
    );
  const bars = (rows: OperationRow[], kind: string, budget: number) => {
    const ops = rows.filter((o) => o.kind === kind && o.count > 0);
    if (!ops.length) return '';
    return barChart({
      title: `${kind === 'query' ? 'Queries' : 'Mutations'}: latency percentiles`,
      unit: 'ms',
      groups: ops.map((o) => ({
        label: o.operation.replace(' (rollover)', '*'),
        bars: [
          { label: 'p50', value: o.latencyMs.p50 },
          { label: 'p95', value: o.latencyMs.p95 },
          { label: 'p99', value: o.latencyMs.p99 },
        ],
      })),
      reference: { value: budget, label: `p95 budget ${budget} ms` },
      width: 520,
    });
  };
  const sections = report.runs.map((run) => {
    const at = kneeStep(run);
    const markers = run.steps.map((s) => ({ x: s.startS, label: `${s.rate}/s` }));
    const latency = lineChart({
      title: `${runLabel(run)} data: latency per second of load (all operations)`,
      unit: 'ms',
      xLabel: 's since the first step',
      series: (['p50', 'p95', 'p99'] as const).map((p) => ({
        label: p,
        points: run.latencySeries.map((b) => ({ x: b.t, y: b.count ? b[p] : null })),
      })),
      reference: [
        { value: budgets.queryP95Ms, label: `query p95 ${budgets.queryP95Ms} ms` },
        { value: budgets.p99Ms, label: `p99 ${budgets.p99Ms} ms` },
      ],
      markers,
    });
    const rss = run.rssSeries.length
      ? lineChart({
          title: `${runLabel(run)} data: server RSS`,
          unit: 'MB',
          xLabel: 's since the first step',
          series: [{ label: 'RSS', points: run.rssSeries.map((r) => ({ x: r.t, y: r.mb })) }],
          markers,
        })
      : '<p>RSS: not measured (the load test did not start the server).</p>';
    return `<h2>${esc(runLabel(run))} data${
      run.database
        ? ` · ${esc(run.database.name)} (${esc(
            Object.entries(run.database.rows)
              .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
              .join(', '),
          )})${run.database.filledSessions === null ? '' : ` · first pages filled (${run.database.filledSessions.toLocaleString('en-US')} sessions copied)`}`
        : ''
    }</h2>
${report.config.stepMode ? `<p>Knee: <b>${run.knee === null ? 'none (the first rate already broke a budget)' : `${run.knee} req/s`}</b></p>` : ''}
${htmlTable(
  [
    'offered req/s',
    'answered req/s',
    'requests',
    'errors',
    'worst query p95',
    'worst mutation p95',
    'worst p99',
    'load avg 1/5/15',
    'verdict',
  ],
  run.steps.map((s) => [
    String(s.rate),
    fmt(s.summary.answeredReqPerSec, 1),
    String(s.summary.requests),
    String(s.summary.errors),
    fmt(worst(s, 'query', 'p95'), 1),
    fmt(worst(s, 'mutation', 'p95'), 1),
    fmt(worst(s, null, 'p99'), 1),
    s.loadAvg.map((l) => fmt(l, 2)).join(' '),
    s.pass ? 'PASS' : `FAIL: ${s.reasons.join('; ')}`,
  ]),
)}
${
  at
    ? `<h3>Per operation at ${at.rate} req/s${report.config.stepMode && run.knee === at.rate ? ' (the knee)' : ''}</h3>${opTable(at.operations)}
<div class="charts">${bars(at.operations, 'query', budgets.queryP95Ms)}${bars(at.operations, 'mutation', budgets.mutationP95Ms)}</div>`
    : ''
}
<div class="charts">${latency}${rss}</div>`;
  });
  const c = report.runs.length > 1 ? comparison(report.runs) : null;
  const compare = c
    ? `<h2>${report.runs.map((r) => esc(runLabel(r))).join(' vs ')} data: p95 at ${c.rate} req/s</h2>${htmlTable(
        [
          'operation',
          ...report.runs.map((r) => `${runLabel(r)} p95 ms`),
          ...report.runs.slice(1).map((r) => `${runLabel(r)} vs ${runLabel(report.runs[0]!)}`),
        ],
        c.rows.map((r) => [
          r.operation,
          ...r.p95.map((v) => fmt(v, 2)),
          ...r.p95.slice(1).map((v) => (r.p95[0] && v != null ? `${fmt(((v - r.p95[0]) / r.p95[0]) * 100, 0)}%` : '–')),
        ]),
      )}<p>Knees: ${report.runs.map((r) => `${esc(runLabel(r))} ${r.knee ?? '–'}`).join(', ')}</p>${kneeRatios(report.runs)
        .map((l) => `<p>${esc(l)}</p>`)
        .join('')}`
    : '';
  const body = `<h1>Cadence load test</h1>
<p>${esc(report.startedAt)} · ${report.config.users} users · ${report.config.durationS} s per rate · budgets: query p95 ${budgets.queryP95Ms} ms,
mutation p95 ${budgets.mutationP95Ms} ms, p99 ${budgets.p99Ms} ms, 0 errors</p>
${compare}${sections.join('\n')}
<p>* rollover: completing a finished interview and starting the next, outside the mix.</p>`;
  return htmlPage('Cadence load test', body);
}

runMain(main, HELP);

/** --duration: plain seconds, or a number with s, m or h (a soak: `--duration 60m`). */
function durationSeconds(value: string | undefined): number {
  const match = value === undefined ? null : /^\s*(\d+(?:\.\d+)?)\s*([smh])\s*$/i.exec(value);
  if (!match) return positiveNumber('duration', value, 60);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3_600 }[match[2]!.toLowerCase() as 's' | 'm' | 'h'];
  if (seconds <= 0) throw new UsageError(`--duration must be positive, got "${value}"`);
  return seconds;
}

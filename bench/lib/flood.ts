// The flood benchmark (issue 4, "Benchmark"): `npm run bench:flood`, also `npm run bench -- --flood`.
// The p95 of a normal SessionsList client with and without a second client flooding the same
// Cadence with rejected documents (src/policy/samples.ts), the rejection latency per kind, the
// server's CPU, and a check that every rejection answers its 4xx code and costs no SQL.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ErrorCode } from '../../src/errors.js';
import { REJECTED_SAMPLES } from '../../src/policy/samples.js';
import { DEFAULT_DATABASE_URL, ensureBenchDatabase, redact } from './benchdb.js';
import { installExitHandlers, ourPids, startServer, stopAll, type ServerHandle } from './children.js';
import {
  BENCH_DIR,
  BenchError,
  InterruptedError,
  log,
  oneOfList,
  positiveNumber,
  PROJECT_ROOT,
  RESULTS_DIR,
  timestamp,
  UsageError,
} from './cli.js';
import { checkRejection, type FloodKind, type FloodKindResult, type FloodResult, type FloodStart } from './flood-client.js';
import { closedLoop, Connection, failureOf, openLoop, type Progress, type RequestSpec } from './http-load.js';
import { detectRequestForm, loadOperations, requestBody, type Operation } from './operations.js';
import { PgMonitor } from './pgmonitor.js';
import { allProcesses, clockTicks, machineCpu, processCpuMs, topConsumers } from './proc.js';
import { waitForQuiet } from './quiet.js';
import { barChart, esc, fmt, htmlPage, htmlTable, table, type BarGroup } from './report.js';
import { StatementCountingProxy } from './sqlcount.js';
import { round, Samples, type LatencySummary } from './stats.js';

/**
 * The normal client's SessionsList resolves every time, as in the recorded runs: with the response
 * cache its requests would be hits, which hide how long they wait behind the flood in the event loop.
 */
const RESOLVE_EVERY_REQUEST = { RESPONSE_CACHE_TTL_MS: '0' };

export const FLOOD_HELP = `Usage: npm run bench:flood -- [options]
       npm run bench -- --flood [options]          (the same)

Issue 4's flood benchmark: does rejecting hostile documents slow normal traffic down? A normal
client sends SessionsList(first: 20) by persisted document id, open loop, --rate (100) req/s over
--connections (20) connections, with the seeded users' keys; a second client, in a process of
its own, floods the same Cadence with the rejected documents of src/policy/samples.ts (deep,
aliased, oversized body, long document, many tokens, costly, fragment bomb, directives, huge page),
closed loop on --flood-connections (32) connections, each connection cycling through the kinds.

Two variants of Cadence (NODE_ENV=production, LOG_LEVEL=warn, pool of 20), one after the other:
  persisted-only     the production default: raw documents are refused before parsing with
                     400 PERSISTED_QUERY_NOT_IN_LIST (the oversized body gets 413 first)
  documents-allowed  PERSISTED_OPERATIONS_ONLY=false: documents reach the parse, validation and
                     cost limits and get their own codes (400 GRAPHQL_PARSE_FAILED, …); the
                     interesting case

Per variant:
  1. checks + rejection latency on 1 connection: Cadence is started through a proxy that counts
     the SQL statements it sends; each kind is sent --reject-requests (300) times in a row (after
     20 unrecorded), every answer checked (status, extensions.code, Server-Timing
     db;desc="0 statements"), the statements on the wire counted, the server's CPU per rejection
     read from /proc. Then 5 SessionsList requests show that the proxy does see this server's SQL.
  2. Cadence restarted directly on PostgreSQL, warmed up (--warmup s of both clients), then
     --rounds (2) rounds of two phases of --duration (15) s each, the order alternating
     (alone, flood / flood, alone / …):
       alone  the normal client only (the baseline)
       flood  the flood starts, 1 s later the normal client runs for --duration s, then the
              flood stops; every flood answer is checked as in step 1
     Latency of the normal client counts from the scheduled send time (queueing shows).

Reports: normal client p50/p95/p99, errors, req/s alone and under flood and the p95 ratio (goal
<= 1.5x); per kind the rejection p50/p95/p99 on 1 connection (goal p95 <= 5 ms), under flood
(client side, which is mostly queueing behind the other flood requests, and server side from
Server-Timing total), the server's CPU per rejection, errors (wrong status or code, or a
transport error) and SQL statements (Server-Timing on every answer, wire count in step 1);
server, PostgreSQL, client and flood-client CPU; other processes' CPU per phase. Table on
stdout, bench/results/flood-<timestamp>.json and .html. About 3 minutes with the defaults.

Options:
  --duration S           seconds per phase (default 15)
  --rounds N             rounds of (alone, flood) per variant (default 2)
  --warmup S             warm-up seconds per variant (default 4)
  --quick                smoke run: --duration 4 --rounds 1 --warmup 2 --reject-requests 100
                         --quiet-wait 3
  --variants LIST        any of persisted-only,documents-allowed (default both)
  --kinds LIST           which samples to flood with, by name (default all: ${REJECTED_SAMPLES.map((s) => s.name).join(', ')})
  --rate N               normal client: offered req/s (default 100)
  --connections N        normal client: connections (default 20)
  --flood-connections N  flood: connections (default 32)
  --flood-rate N         flood: open loop at N req/s instead of a closed loop (default: closed)
  --flood-with-keys      flood: send the seeded users' API keys too (default: no Authorization)
  --reject-requests N    step 1: requests per kind (default 300; at most 10 s per kind)
  --first N              SessionsList page size (default 20)
  --keys N               seeded users' keys the normal client cycles through (default 100)
  --database-url URL     bench database (default $BENCH_DATABASE_URL or ${DEFAULT_DATABASE_URL})
  --quiet-wait S         before each phase wait up to S s for other work on the machine to stop
                         (default 10); phases during which others used more than 15% of a core
                         anyway are marked "disturbed"
  --reseed               drop and reseed the bench database first
  --out DIR              where to write results (default bench/results)
  --render FILE.json     only rewrite FILE.html from a flood results file
  -h, --help             this help

Exit status: 0 when the run completed (whatever the numbers), 1 on an error, 2 on a usage error,
130 when interrupted.`;

const VARIANT_IDS = ['persisted-only', 'documents-allowed'] as const;
type VariantId = (typeof VARIANT_IDS)[number];

const VARIANTS: Record<VariantId, { label: string; persistedOnly: boolean; env: Record<string, string> }> = {
  'persisted-only': {
    label: 'persisted operations only (production default)',
    persistedOnly: true,
    // Explicit, so a PERSISTED_OPERATIONS_ONLY or admin key hashes in the caller's shell change nothing.
    env: { PERSISTED_OPERATIONS_ONLY: 'true', ADMIN_API_KEY_HASHES: '' },
  },
  'documents-allowed': {
    label: 'PERSISTED_OPERATIONS_ONLY=false (documents reach parse, validation, cost)',
    persistedOnly: false,
    env: { PERSISTED_OPERATIONS_ONLY: 'false', ADMIN_API_KEY_HASHES: '' },
  },
};

const KIND_NAMES = REJECTED_SAMPLES.map((s) => s.name);
/** The flood runs this long before the normal client starts, so it is measured in a steady state. */
const LEAD_MS = 1000;
/** Requests per kind sent before step 1 records anything (JIT, caches). */
const ISOLATED_WARMUP = 20;
const ISOLATED_MAX_MS = 10_000;
/** A phase during which other processes used more than this (% of one core) is marked as disturbed. */
const DISTURBED_PCT = 15;
const GOAL_RATIO = 1.5;
const GOAL_REJECTION_P95_MS = 5;

type Phase = 'alone' | 'flood';

interface Config {
  durationS: number;
  rounds: number;
  warmupS: number;
  variants: VariantId[];
  kinds: string[];
  rate: number;
  connections: number;
  floodConnections: number;
  floodRate: number | null;
  floodWithKeys: boolean;
  rejectRequests: number;
  first: number;
  keys: number;
  databaseUrl: string;
  quietWaitS: number;
  out: string;
  quick: boolean;
}

type Summary = Omit<LatencySummary, 'count'>;

interface IsolatedKind {
  kind: string;
  expected: { status: number; code: string };
  requests: number;
  errors: number;
  errorKinds: Record<string, number>;
  latencyMs: Summary;
  /** Server-Timing total;dur. */
  serverMs: Summary;
  serverCpuMsPerReq: number;
  /** Answers whose Server-Timing reported statements / had no db entry. */
  withSql: number;
  noTiming: number;
  /** Statements the proxy saw between the server and PostgreSQL while this kind was sent. */
  wireStatements: number;
}

interface PhaseRound {
  phase: Phase;
  round: number;
  elapsedMs: number;
  normal: { requests: number; errors: number; errorKinds: Record<string, number>; latencyMs: Summary };
  flood: { requests: number; errors: number; reqPerSec: number; elapsedMs: number } | null;
  serverCpuMs: number;
  pgCpuMs: number;
  clientCpuMs: number;
  floodClientCpuMs: number;
  otherCpuMs: number;
  machineBusyPct: number;
  serverLogLines: number;
  /** The last lines the server logged during the phase (at most 3), when it logged any. */
  serverLogSample: string[];
  busiest: string;
  otherLoadBeforePct: number;
  disturbed: boolean;
}

interface NormalAggregate {
  phase: Phase;
  rounds: number;
  requests: number;
  errors: number;
  errorKinds: Record<string, number>;
  reqPerSec: number;
  latencyMs: Summary;
  p95ByRound: number[];
  serverCpuPctOfCore: number;
  pgCpuPctOfCore: number;
  clientCpuPctOfCore: number;
  floodClientCpuPctOfCore: number;
  otherCpuPctOfCore: number;
  machineBusyPct: number;
  floodReqPerSec: number | null;
  floodRequests: number | null;
  floodErrors: number | null;
  serverLogLines: number;
  disturbedRounds: number;
}

interface FloodKindAggregate {
  kind: string;
  requests: number;
  errors: number;
  errorKinds: Record<string, number>;
  latencyMs: Summary;
  serverMs: Summary;
  withSql: number;
  sqlStatements: number;
  noTiming: number;
}

interface VariantResult {
  variant: VariantId;
  label: string;
  env: Record<string, string>;
  isolated: IsolatedKind[];
  /** The proxy's sanity check: statements it saw for a few SessionsList requests on fresh keys. */
  wireSanity: { requests: number; statements: number };
  rounds: PhaseRound[];
  normal: {
    alone: NormalAggregate | null;
    flood: NormalAggregate | null;
    p95Ratio: number | null;
    p50Ratio: number | null;
    p99Ratio: number | null;
  };
  underFlood: FloodKindAggregate[];
}

interface Goal {
  goal: string;
  actual: string;
  pass: boolean;
}

interface FloodReport {
  kind: 'cadence-bench-flood';
  version: 1;
  startedAt: string;
  finishedAt: string;
  config: Omit<Config, 'databaseUrl'> & { databaseUrl: string };
  settings: string[];
  environment: ReturnType<typeof environment>;
  database: { name: string; state: string };
  variants: VariantResult[];
  goals: Goal[];
}

export async function floodMain(argv: string[]): Promise<void> {
  const { values } = (() => {
    try {
      return parseArgs({
        args: argv,
        options: {
          duration: { type: 'string' },
          rounds: { type: 'string' },
          warmup: { type: 'string' },
          quick: { type: 'boolean' },
          variants: { type: 'string' },
          kinds: { type: 'string' },
          rate: { type: 'string' },
          connections: { type: 'string' },
          'flood-connections': { type: 'string' },
          'flood-rate': { type: 'string' },
          'flood-with-keys': { type: 'boolean' },
          'reject-requests': { type: 'string' },
          first: { type: 'string' },
          keys: { type: 'string' },
          'database-url': { type: 'string' },
          'quiet-wait': { type: 'string' },
          reseed: { type: 'boolean' },
          out: { type: 'string' },
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
    console.log(FLOOD_HELP);
    return;
  }
  if (values.render) {
    await rerender(values.render);
    return;
  }
  const quick = values.quick ?? false;
  const cfg: Config = {
    durationS: positiveNumber('duration', values.duration, quick ? 4 : 15),
    rounds: positiveNumber('rounds', values.rounds, quick ? 1 : 2, { integer: true }),
    warmupS: positiveNumber('warmup', values.warmup, quick ? 2 : 4, { min: 0 }),
    variants: oneOfList('variants', values.variants, VARIANT_IDS, VARIANT_IDS),
    kinds: oneOfList('kinds', values.kinds, KIND_NAMES, KIND_NAMES),
    rate: positiveNumber('rate', values.rate, 100),
    connections: positiveNumber('connections', values.connections, 20, { integer: true }),
    floodConnections: positiveNumber('flood-connections', values['flood-connections'], 32, { integer: true }),
    floodRate: values['flood-rate'] === undefined ? null : positiveNumber('flood-rate', values['flood-rate'], 0),
    floodWithKeys: values['flood-with-keys'] ?? false,
    rejectRequests: positiveNumber('reject-requests', values['reject-requests'], quick ? 100 : 300, { integer: true }),
    first: positiveNumber('first', values.first, 20, { integer: true }),
    keys: positiveNumber('keys', values.keys, 100, { integer: true }),
    databaseUrl: values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    quietWaitS: positiveNumber('quiet-wait', values['quiet-wait'], quick ? 3 : 10, { min: 0 }),
    out: path.resolve(values.out ?? RESULTS_DIR),
    quick,
  };
  if (cfg.first > 100) throw new UsageError('--first must be at most 100');
  const kinds = REJECTED_SAMPLES.filter((s) => cfg.kinds.includes(s.name));

  let interrupted = false;
  let flood: FloodChild | null = null;
  installExitHandlers(() => {
    interrupted = true;
    flood?.stop();
  });
  const stop = () => interrupted;
  const checkStop = () => {
    if (interrupted) throw new InterruptedError('interrupted');
  };
  const startedAt = new Date();
  const perVariant = 6 + (kinds.length * cfg.rejectRequests * 1.5) / 1000 + cfg.warmupS + cfg.rounds * 2 * (cfg.durationS + 2.5);
  log(
    `bench flood: ${cfg.variants.join(', ')}; ${cfg.rounds} round(s) × (alone, flood) × ${cfg.durationS} s; ` +
      `normal ${cfg.rate} req/s over ${cfg.connections} conns; flood ${floodShape(cfg)}; about ${Math.ceil((perVariant * cfg.variants.length + 15) / 60)} min`,
  );

  const db = await ensureBenchDatabase(cfg.databaseUrl, { reseed: values.reseed ?? false });
  checkStop();
  if (db.keys.length < cfg.keys + 5) throw new UsageError(`--keys ${cfg.keys}: at most ${db.keys.length - 5}`);
  const keys = db.keys.slice(0, cfg.keys).map((k) => k.key);
  const freshKeys = db.keys.slice(cfg.keys, cfg.keys + 5).map((k) => k.key);
  const op = (await loadOperations(['SessionsList'])).get('SessionsList')!;
  if (!op.documentId) {
    throw new BenchError(
      'SessionsList is not in schema/generated/persisted-documents.json, so production Cadence refuses it; run `npm run codegen`',
    );
  }
  const ctx: VariantContext = {
    cfg,
    kinds,
    normalBody: requestBody(op, { first: cfg.first }, 'documentId'),
    normalHeaders: keys.map((key) => ({ authorization: `Bearer ${key}` })),
    freshKeys,
    stop,
    flood: null as unknown as FloodChild,
    monitor: null as unknown as PgMonitor,
    operation: op,
  };

  const variants: VariantResult[] = [];
  try {
    flood = await FloodChild.start();
    ctx.flood = flood;
    ctx.monitor = await PgMonitor.open(cfg.databaseUrl);
    for (const id of cfg.variants) {
      checkStop();
      variants.push(await runVariant(id, ctx));
    }
  } finally {
    await ctx.monitor?.close();
    await flood?.close();
    await stopAll();
  }
  checkStop();

  const goals = checkGoals(variants);
  const report: FloodReport = {
    kind: 'cadence-bench-flood',
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    config: { ...cfg, databaseUrl: redact(cfg.databaseUrl) },
    settings: settingsText(cfg),
    environment: environment(),
    database: { name: db.name, state: db.state },
    variants,
    goals,
  };
  await mkdir(cfg.out, { recursive: true });
  const stamp = timestamp(startedAt);
  const jsonFile = path.join(cfg.out, `flood-${stamp}.json`);
  const htmlFile = path.join(cfg.out, `flood-${stamp}.html`);
  await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(htmlFile, renderHtml(report));

  console.log(`\n${textReport(report)}`);
  console.log(`\nwrote ${path.relative(process.cwd(), jsonFile)}\n      ${path.relative(process.cwd(), htmlFile)}`);
}

interface VariantContext {
  cfg: Config;
  kinds: (typeof REJECTED_SAMPLES)[number][];
  normalBody: string;
  normalHeaders: Record<string, string>[];
  freshKeys: string[];
  stop: () => boolean;
  flood: FloodChild;
  monitor: PgMonitor;
  operation: Operation;
}

function floodShape(cfg: Pick<Config, 'floodConnections' | 'floodRate' | 'floodWithKeys'>): string {
  return (
    (cfg.floodRate === null
      ? `closed loop, ${cfg.floodConnections} conns`
      : `open loop, ${cfg.floodRate} req/s over ${cfg.floodConnections} conns`) + (cfg.floodWithKeys ? ', with API keys' : ', no API key')
  );
}

/** The answer a sample must get from this variant. */
function expectedAnswer(sample: (typeof REJECTED_SAMPLES)[number], persistedOnly: boolean): { status: number; code: string } {
  // Yoga reads (and limits) the body before anything looks at its parameters, so an oversized body
  // gets its 413 whatever the policy; every other raw document stops at the persisted-operations check.
  if (!persistedOnly || sample.code === 'PAYLOAD_TOO_LARGE') return { status: sample.status, code: sample.code };
  return { status: ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, code: 'PERSISTED_QUERY_NOT_IN_LIST' };
}

async function runVariant(id: VariantId, ctx: VariantContext): Promise<VariantResult> {
  const { cfg, stop } = ctx;
  const variant = VARIANTS[id];
  const floodKinds: FloodKind[] = ctx.kinds.map((s) => ({ name: s.name, body: s.body, ...expectedAnswer(s, variant.persistedOnly) }));
  log(`\n== ${id}: ${variant.label}`);

  // 1. Every kind on one connection, through the statement-counting proxy.
  const target = new URL(cfg.databaseUrl);
  const proxy = new StatementCountingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.listen();
  let isolated: IsolatedKind[];
  let wireSanity: VariantResult['wireSanity'];
  try {
    // The abuse guard is off here: this step times the rejection itself, 300 per kind from one
    // client, which the guard would (rightly) answer with a delayed 429 after the first few.
    const server = await startServer('cadence', {
      databaseUrl: proxy.proxiedUrl(cfg.databaseUrl),
      env: { ...variant.env, ...RESOLVE_EVERY_REQUEST, ABUSE_MAX_REJECTIONS: '0' },
    });
    try {
      const form = await detectRequestForm(server.url, ctx.operation, { first: cfg.first }, ctx.normalHeaders[0]!);
      if (form !== 'documentId')
        throw new BenchError(`${id}: Cadence refused SessionsList by persisted document id (it answered the query text only)`);
      isolated = await isolatedRejections(server, floodKinds, proxy, cfg.rejectRequests, stop);
      const before = proxy.statements;
      const conn = new Connection(server.url);
      try {
        for (const key of ctx.freshKeys) {
          const res = await conn.send({ op: 'SessionsList', body: ctx.normalBody, headers: { authorization: `Bearer ${key}` } });
          const failure = failureOf(res);
          if (failure) throw new BenchError(`${id}: SessionsList failed: ${failure}`);
        }
      } finally {
        conn.close();
      }
      wireSanity = { requests: ctx.freshKeys.length, statements: proxy.statements - before };
      log(
        `${id}: the proxy saw ${wireSanity.statements} statements for ${wireSanity.requests} SessionsList requests on fresh keys ` +
          `(and ${isolated.reduce((a, k) => a + k.wireStatements, 0)} for ${isolated.reduce((a, k) => a + k.requests, 0)} rejections)`,
      );
    } finally {
      await server.stop();
    }
  } finally {
    await proxy.close();
  }

  // 2. Timed phases, straight on PostgreSQL.
  const server = await startServer('cadence', { databaseUrl: cfg.databaseUrl, env: { ...variant.env, ...RESOLVE_EVERY_REQUEST } });
  const rounds: PhaseRound[] = [];
  const normalSamples: Record<Phase, Samples> = { alone: new Samples(), flood: new Samples() };
  const floodResults: FloodResult[] = [];
  const floodHeaders = cfg.floodWithKeys ? ctx.normalHeaders : [];
  const floodStart = (maxDurationMs: number): Omit<FloodStart, 'type'> => ({
    url: server.url,
    connections: cfg.floodConnections,
    rate: cfg.floodRate,
    kinds: floodKinds,
    headers: floodHeaders,
    maxDurationMs,
  });
  try {
    if (cfg.warmupS > 0 && !stop()) {
      const run = ctx.flood.run(floodStart(cfg.warmupS * 1000 + 5000));
      await run.started;
      let k = 0;
      const w = await closedLoop({
        url: server.url,
        connections: 10,
        durationMs: cfg.warmupS * 1000,
        next: () => ({ op: 'SessionsList', body: ctx.normalBody, headers: ctx.normalHeaders[k++ % ctx.normalHeaders.length]! }),
        shouldStop: stop,
      });
      ctx.flood.stop();
      const f = await run.done;
      log(
        `${id}: warm-up ${fmt(w.completed / (w.elapsedMs / 1000), 0)} SessionsList/s (${w.errors} errors) next to ` +
          `${fmt(f.completed / (f.elapsedMs / 1000), 0)} rejections/s (${f.errors} errors)`,
      );
      if (w.completed > 0 && w.errors === w.completed) {
        throw new BenchError(`${id}: every warm-up SessionsList failed (${Object.keys(w.errorKinds).join('; ')})\n${server.tail()}`);
      }
    }
    for (let roundNo = 1; roundNo <= cfg.rounds && !stop(); roundNo++) {
      const order: Phase[] = roundNo % 2 === 1 ? ['alone', 'flood'] : ['flood', 'alone'];
      for (const phase of order) {
        if (stop()) break;
        const quiet = await waitForQuiet(cfg.quietWaitS, stop);
        if (stop()) break;
        const label = `${id} round ${roundNo}/${cfg.rounds} ${phase === 'alone' ? 'alone ' : '+flood'}`;
        const m = await measurePhase(server, phase, ctx, floodStart, label);
        normalSamples[phase].addAll(m.samples);
        if (m.flood) floodResults.push(m.flood);
        const r: PhaseRound = { ...m.round, round: roundNo, otherLoadBeforePct: quiet };
        rounds.push(r);
        log(
          `${label}: normal p50 ${fmt(r.normal.latencyMs.p50, 2)} p95 ${fmt(r.normal.latencyMs.p95, 2)} p99 ${fmt(r.normal.latencyMs.p99, 2)} ms, ` +
            `${r.normal.errors} errors; server CPU ${fmt((r.serverCpuMs / r.elapsedMs) * 100, 0)}% of a core` +
            (r.flood ? `; flood ${fmt(r.flood.reqPerSec, 0)} rejections/s, ${r.flood.errors} errors` : '') +
            (r.disturbed ? `  (disturbed: others used ${fmt((r.otherCpuMs / r.elapsedMs) * 100, 0)}% of a core; ${r.busiest})` : ''),
        );
      }
    }
  } finally {
    await server.stop();
  }

  const alone = aggregateNormal('alone', rounds, normalSamples.alone);
  const flooded = aggregateNormal('flood', rounds, normalSamples.flood);
  const ratio = (p: 'p50' | 'p95' | 'p99') =>
    alone && flooded && alone.latencyMs[p] > 0 ? round(flooded.latencyMs[p] / alone.latencyMs[p], 3) : null;
  return {
    variant: id,
    label: variant.label,
    env: variant.env,
    isolated,
    wireSanity,
    rounds,
    normal: { alone, flood: flooded, p50Ratio: ratio('p50'), p95Ratio: ratio('p95'), p99Ratio: ratio('p99') },
    underFlood: aggregateFloodKinds(floodKinds, floodResults),
  };
}

/** Each kind sent on one connection, one after another: the rejection's own latency and CPU. */
async function isolatedRejections(
  server: ServerHandle,
  kinds: FloodKind[],
  proxy: StatementCountingProxy,
  requests: number,
  stop: () => boolean,
): Promise<IsolatedKind[]> {
  const conn = new Connection(server.url);
  const out: IsolatedKind[] = [];
  try {
    for (const kind of kinds) {
      if (stop()) break;
      const spec: RequestSpec = { op: kind.name, body: kind.body, headers: {} };
      for (let i = 0; i < ISOLATED_WARMUP; i++) await conn.send(spec).catch(() => null);
      const state = { kind, serverMs: [] as number[], withSql: 0, sqlStatements: 0, noTiming: 0 };
      const latency = new Samples();
      const errorKinds: Record<string, number> = {};
      let errors = 0;
      let sent = 0;
      const statements0 = proxy.statements;
      const cpu0 = server.cpuMs();
      const t0 = performance.now();
      for (; sent < requests && performance.now() - t0 < ISOLATED_MAX_MS && !stop(); sent++) {
        const s = performance.now();
        let failure: string | null;
        try {
          const res = await conn.send(spec);
          latency.add(performance.now() - s);
          failure = checkRejection(res, state);
        } catch (error) {
          failure = (error as Error).message;
        }
        if (failure) {
          errors++;
          errorKinds[failure] = (errorKinds[failure] ?? 0) + 1;
        }
      }
      const cpuMs = server.cpuMs() - cpu0;
      const summary = strip(latency.summary());
      const item: IsolatedKind = {
        kind: kind.name,
        expected: { status: kind.status, code: kind.code },
        requests: sent,
        errors,
        errorKinds,
        latencyMs: summary,
        serverMs: strip(Samples.of(state.serverMs).summary()),
        serverCpuMsPerReq: round(cpuMs / Math.max(1, sent), 3),
        withSql: state.withSql,
        noTiming: state.noTiming,
        wireStatements: proxy.statements - statements0,
      };
      out.push(item);
      log(
        `  ${kind.name.padEnd(14)} → ${kind.status} ${kind.code.padEnd(27)} 1 conn: p50 ${fmt(summary.p50, 2)} p95 ${fmt(summary.p95, 2)} ms, ` +
          `server CPU ${fmt(item.serverCpuMsPerReq, 2)} ms/req, ${errors} errors, SQL ${item.wireStatements} on the wire` +
          (errors ? `  [${Object.keys(errorKinds).slice(0, 2).join('; ')}]` : ''),
      );
    }
  } finally {
    conn.close();
  }
  return out;
}

async function measurePhase(
  server: ServerHandle,
  phase: Phase,
  ctx: VariantContext,
  floodStart: (maxDurationMs: number) => Omit<FloodStart, 'type'>,
  label: string,
): Promise<{ round: Omit<PhaseRound, 'round' | 'otherLoadBeforePct'>; samples: Samples; flood: FloodResult | null }> {
  const { cfg, stop } = ctx;
  let floodRun: ReturnType<FloodChild['run']> | null = null;
  if (phase === 'flood') {
    // Bounded even if no stop arrives: lead + phase + the normal client's drain + margin.
    floodRun = ctx.flood.run(floodStart(LEAD_MS + cfg.durationS * 1000 + 15_000));
    await floodRun.started;
    await new Promise((r) => setTimeout(r, LEAD_MS));
  }
  const tty = process.stderr.isTTY;
  let lastPrint = 0;
  const onProgress = (p: Progress) => {
    const line = `${label} ${String(Math.round(p.elapsedMs / 1000)).padStart(3)}/${cfg.durationS} s  ${p.completed} normal requests, ${p.errors} errors`;
    if (tty) process.stderr.write(`\r${line}   `);
    else if (p.elapsedMs - lastPrint >= 5000) {
      lastPrint = p.elapsedMs;
      log(line);
    }
  };
  const pg0 = await ctx.monitor.snapshot();
  const cpu0 = server.cpuMs();
  const floodCpu0 = processCpuMs(ctx.flood.pid) ?? 0;
  const lines0 = server.logLines();
  const m0 = machineCpu();
  const procs0 = allProcesses();
  const r = await openLoop({
    url: server.url,
    connections: cfg.connections,
    rate: cfg.rate,
    durationMs: cfg.durationS * 1000,
    next: (_c, i) => ({ op: 'SessionsList', body: ctx.normalBody, headers: ctx.normalHeaders[i % ctx.normalHeaders.length]! }),
    onProgress,
    shouldStop: stop,
  });
  const m1 = machineCpu();
  const procs1 = allProcesses();
  const serverCpuMs = server.cpuMs() - cpu0;
  const floodClientCpuMs = (processCpuMs(ctx.flood.pid) ?? 0) - floodCpu0;
  const pg1 = await ctx.monitor.snapshot();
  const pgCpuMs = PgMonitor.delta(pg0, pg1);
  const serverLogLines = server.logLines() - lines0;
  if (tty) process.stderr.write('\r\x1b[K');
  let flood: FloodResult | null = null;
  if (floodRun) {
    ctx.flood.stop();
    flood = await floodRun.done;
  }
  const machineBusyMs = ((m1.busy - m0.busy) * 1000) / clockTicks();
  const machineTotalMs = ((m1.total - m0.total) * 1000) / clockTicks();
  const otherCpuMs = Math.max(0, machineBusyMs - serverCpuMs - pgCpuMs - r.clientCpuMs - floodClientCpuMs);
  return {
    samples: r.latency,
    flood,
    round: {
      phase,
      elapsedMs: r.elapsedMs,
      normal: { requests: r.completed, errors: r.errors, errorKinds: r.errorKinds, latencyMs: strip(r.latency.summary()) },
      flood: flood
        ? {
            requests: flood.completed,
            errors: flood.errors,
            reqPerSec: round(flood.completed / (flood.elapsedMs / 1000), 1),
            elapsedMs: round(flood.elapsedMs, 0),
          }
        : null,
      serverCpuMs,
      pgCpuMs,
      clientCpuMs: r.clientCpuMs,
      floodClientCpuMs,
      otherCpuMs,
      machineBusyPct: machineTotalMs > 0 ? round((machineBusyMs / machineTotalMs) * 100, 1) : NaN,
      serverLogLines,
      serverLogSample:
        serverLogLines > 0
          ? server
              .tail()
              .split('\n')
              .slice(-Math.min(3, serverLogLines))
              .map((l) => l.slice(0, 300))
          : [],
      busiest: topConsumers(
        procs0,
        procs1,
        r.elapsedMs,
        4,
        new Set([process.pid, ctx.flood.pid, ...ourPids(), ...pg0.keys(), ...pg1.keys()]),
      ),
      disturbed: (otherCpuMs / r.elapsedMs) * 100 > DISTURBED_PCT,
    },
  };
}

function aggregateNormal(phase: Phase, rounds: PhaseRound[], samples: Samples): NormalAggregate | null {
  const rs = rounds.filter((r) => r.phase === phase);
  if (!rs.length) return null;
  const sum = (f: (r: PhaseRound) => number) => rs.reduce((a, r) => a + f(r), 0);
  const elapsed = sum((r) => r.elapsedMs);
  const pct = (ms: number) => round((ms / elapsed) * 100, 1);
  const errorKinds: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.normal.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
  const floods = rs.map((r) => r.flood).filter((f) => f !== null);
  const requests = sum((r) => r.normal.requests);
  return {
    phase,
    rounds: rs.length,
    requests,
    errors: sum((r) => r.normal.errors),
    errorKinds,
    reqPerSec: round(requests / (elapsed / 1000), 1),
    latencyMs: strip(samples.summary()),
    p95ByRound: rs.map((r) => r.normal.latencyMs.p95),
    serverCpuPctOfCore: pct(sum((r) => r.serverCpuMs)),
    pgCpuPctOfCore: pct(sum((r) => r.pgCpuMs)),
    clientCpuPctOfCore: pct(sum((r) => r.clientCpuMs)),
    floodClientCpuPctOfCore: pct(sum((r) => r.floodClientCpuMs)),
    otherCpuPctOfCore: pct(sum((r) => r.otherCpuMs)),
    machineBusyPct: round(sum((r) => r.machineBusyPct * r.elapsedMs) / elapsed, 1),
    floodReqPerSec: floods.length
      ? round(floods.reduce((a, f) => a + f.requests, 0) / (floods.reduce((a, f) => a + f.elapsedMs, 0) / 1000), 1)
      : null,
    floodRequests: floods.length ? floods.reduce((a, f) => a + f.requests, 0) : null,
    floodErrors: floods.length ? floods.reduce((a, f) => a + f.errors, 0) : null,
    serverLogLines: sum((r) => r.serverLogLines),
    disturbedRounds: rs.filter((r) => r.disturbed).length,
  };
}

function aggregateFloodKinds(kinds: FloodKind[], results: FloodResult[]): FloodKindAggregate[] {
  return kinds.map((kind) => {
    const latency = new Samples();
    const server = new Samples();
    const errorKinds: Record<string, number> = {};
    let requests = 0,
      errors = 0,
      withSql = 0,
      sqlStatements = 0,
      noTiming = 0;
    for (const r of results) {
      const k = r.kinds.find((x: FloodKindResult) => x.name === kind.name);
      if (!k) continue;
      for (const v of k.latencyMs) latency.add(v);
      for (const v of k.serverMs) server.add(v);
      requests += k.count;
      errors += k.errors;
      withSql += k.withSql;
      sqlStatements += k.sqlStatements;
      noTiming += k.noTiming;
      for (const [e, n] of Object.entries(k.errorKinds)) errorKinds[e] = (errorKinds[e] ?? 0) + n;
    }
    return {
      kind: kind.name,
      requests,
      errors,
      errorKinds,
      latencyMs: strip(latency.summary()),
      serverMs: strip(server.summary()),
      withSql,
      sqlStatements,
      noTiming,
    };
  });
}

function strip(s: LatencySummary): Summary {
  const { count: _count, ...rest } = s;
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, round(v, 3)])) as Summary;
}

function checkGoals(variants: VariantResult[]): Goal[] {
  const goals: Goal[] = [];
  for (const v of variants) {
    const { alone, flood, p95Ratio } = v.normal;
    if (alone && flood && p95Ratio !== null) {
      goals.push({
        goal: `[${v.variant}] normal SessionsList p95 under flood <= ${GOAL_RATIO}x alone`,
        actual: `${fmt(p95Ratio, 2)}x (${fmt(flood.latencyMs.p95, 2)} ms vs ${fmt(alone.latencyMs.p95, 2)} ms)`,
        pass: p95Ratio <= GOAL_RATIO,
      });
    }
    if (v.isolated.length) {
      const worst = v.isolated.reduce((a, b) => (b.latencyMs.p95 > a.latencyMs.p95 ? b : a));
      goals.push({
        goal: `[${v.variant}] rejection p95 <= ${GOAL_REJECTION_P95_MS} ms (1 connection, every kind)`,
        actual: `worst ${worst.kind}: ${fmt(worst.latencyMs.p95, 2)} ms`,
        pass: v.isolated.every((k) => k.latencyMs.p95 <= GOAL_REJECTION_P95_MS),
      });
    }
    const rejErrors = v.isolated.reduce((a, k) => a + k.errors, 0) + v.underFlood.reduce((a, k) => a + k.errors, 0);
    const rejCount = v.isolated.reduce((a, k) => a + k.requests, 0) + v.underFlood.reduce((a, k) => a + k.requests, 0);
    goals.push({
      goal: `[${v.variant}] every rejected document answered its 4xx status and code`,
      actual: `${rejErrors} wrong of ${rejCount}`,
      pass: rejErrors === 0 && rejCount > 0,
    });
    const normalErrors = (alone?.errors ?? 0) + (flood?.errors ?? 0);
    goals.push({
      goal: `[${v.variant}] every normal request succeeded`,
      actual: `${normalErrors} errors of ${(alone?.requests ?? 0) + (flood?.requests ?? 0)}`,
      pass: normalErrors === 0,
    });
    const timingSql =
      v.isolated.reduce((a, k) => a + k.withSql + k.noTiming, 0) + v.underFlood.reduce((a, k) => a + k.withSql + k.noTiming, 0);
    const wire = v.isolated.reduce((a, k) => a + k.wireStatements, 0);
    goals.push({
      goal: `[${v.variant}] rejected documents ran 0 SQL statements`,
      actual:
        `Server-Timing: ${timingSql} of ${rejCount} answers not "0 statements"; wire: ${wire} statements for ${v.isolated.reduce((a, k) => a + k.requests, 0)} rejections ` +
        `(proxy check: ${v.wireSanity.statements} for ${v.wireSanity.requests} SessionsList)`,
      pass: timingSql === 0 && wire === 0 && v.wireSanity.statements > 0,
    });
  }
  return goals;
}

function settingsText(cfg: Config): string[] {
  return [
    `Normal client: SessionsList(first: ${cfg.first}) by persisted document id, open loop at ${cfg.rate} req/s over ${cfg.connections} connections, ` +
      `${cfg.keys} users' keys; latency from the scheduled send time. A modest load (about a tenth of a core of Cadence), so its p95 is the ` +
      'latency a user sees, not a saturation figure.',
    `Flood: ${floodShape(cfg)}, each connection cycling through ${cfg.kinds.length} kinds of rejected documents, from a separate process ` +
      '(its CPU is measured apart and its event loop cannot delay the normal client). A closed loop sends as fast as Cadence answers: the worst ' +
      "a single abusive client can do without a rate limit, and it keeps Cadence's one JavaScript thread busy whatever the rejection costs.",
    `Machine: ${os.cpus().length} CPUs shared by Cadence, PostgreSQL, the normal client and the flood client. Cadence's JavaScript runs on one ` +
      'core, so the flood competes with normal requests for that core; the second core leaves room for the clients and PostgreSQL.',
    `Phases of ${cfg.durationS} s, ${cfg.rounds} round(s) per variant, alternating order (alone, flood / flood, alone) to cancel drift; ` +
      `the flood starts ${LEAD_MS / 1000} s before the normal client and stops after its last answer.`,
    `Rejection latency "1 conn": ${cfg.rejectRequests} requests per kind sent one after another on a quiet server (after ${ISOLATED_WARMUP} unrecorded), ` +
      'the goal\'s "rejection itself". Under flood the client-side figure is mostly queueing behind the other flood connections; the server-side ' +
      "figure is Server-Timing total (from the request's start in Cadence to its response).",
  ];
}

// ---------------------------------------------------------------------------------------------
// Output

function textReport(report: FloodReport): string {
  const out: string[] = [];
  const cfg = report.config;
  out.push(
    `Flood benchmark — normal SessionsList(first: ${cfg.first}) at ${cfg.rate} req/s (open loop, ${cfg.connections} conns) ` +
      `alone and next to a flood of rejected documents (${floodShape(cfg)}); ${cfg.rounds} round(s) × ${cfg.durationS} s per phase; ` +
      `database ${report.database.name} (${report.database.state})`,
  );
  out.push('');
  out.push('Normal client');
  const rows = report.variants.flatMap((v) =>
    (['alone', 'flood'] as const).map((p) => ({ v, a: v.normal[p] })).filter((x) => x.a !== null),
  ) as { v: VariantResult; a: NormalAggregate }[];
  out.push(
    table(rows, [
      { title: 'variant', value: (r) => r.v.variant, align: 'left' },
      { title: 'phase', value: (r) => (r.a.phase === 'alone' ? 'alone' : '+ flood'), align: 'left' },
      { title: 'req/s', value: (r) => fmt(r.a.reqPerSec, 0) },
      { title: 'p50 ms', value: (r) => fmt(r.a.latencyMs.p50, 2) },
      { title: 'p95 ms', value: (r) => fmt(r.a.latencyMs.p95, 2) },
      { title: 'p99 ms', value: (r) => fmt(r.a.latencyMs.p99, 2) },
      { title: 'max ms', value: (r) => fmt(r.a.latencyMs.max, 1) },
      { title: 'errors', value: (r) => String(r.a.errors) },
      { title: 'p95 by round', value: (r) => r.a.p95ByRound.map((x) => fmt(x, 1)).join(' / ') },
      { title: 'Cadence CPU', value: (r) => `${fmt(r.a.serverCpuPctOfCore, 0)}%` },
      { title: 'PG CPU', value: (r) => `${fmt(r.a.pgCpuPctOfCore, 0)}%` },
      { title: 'flood CPU', value: (r) => (r.a.phase === 'flood' ? `${fmt(r.a.floodClientCpuPctOfCore, 0)}%` : '–') },
      { title: 'rejections/s', value: (r) => fmt(r.a.floodReqPerSec, 0) },
      { title: 'flood errors', value: (r) => (r.a.floodErrors === null ? '–' : String(r.a.floodErrors)) },
      { title: 'others', value: (r) => `${fmt(r.a.otherCpuPctOfCore, 0)}%${r.a.disturbedRounds ? ' !' : ''}` },
    ]),
  );
  out.push('(CPU in % of one core over the phase; "others": other processes on the machine, "!" when a round was disturbed)');
  out.push('');
  for (const v of report.variants) {
    out.push(
      `p95 ratio ${v.variant}: ${fmt(v.normal.p95Ratio, 2)}x under flood (p50 ${fmt(v.normal.p50Ratio, 2)}x, p99 ${fmt(v.normal.p99Ratio, 2)}x)`,
    );
  }
  for (const v of report.variants) {
    out.push('');
    out.push(`Rejections — ${v.variant} (${v.label})`);
    const kinds = v.isolated.map((iso) => ({ iso, fl: v.underFlood.find((f) => f.kind === iso.kind) }));
    out.push(
      table(kinds, [
        { title: 'kind', value: (k) => k.iso.kind, align: 'left' },
        { title: 'answer', value: (k) => `${k.iso.expected.status} ${k.iso.expected.code}`, align: 'left' },
        { title: '1c p50', value: (k) => fmt(k.iso.latencyMs.p50, 2) },
        { title: '1c p95', value: (k) => fmt(k.iso.latencyMs.p95, 2) },
        { title: '1c p99', value: (k) => fmt(k.iso.latencyMs.p99, 2) },
        { title: 'srv p95', value: (k) => fmt(k.iso.serverMs.p95, 2) },
        { title: 'CPU ms', value: (k) => fmt(k.iso.serverCpuMsPerReq, 2) },
        { title: 'flood n', value: (k) => String(k.fl?.requests ?? 0) },
        { title: 'fl p50', value: (k) => fmt(k.fl?.latencyMs.p50, 1) },
        { title: 'fl p95', value: (k) => fmt(k.fl?.latencyMs.p95, 1) },
        { title: 'fl p99', value: (k) => fmt(k.fl?.latencyMs.p99, 1) },
        { title: 'fl srv p95', value: (k) => fmt(k.fl?.serverMs.p95, 2) },
        { title: 'errors', value: (k) => String(k.iso.errors + (k.fl?.errors ?? 0)) },
        {
          title: 'SQL',
          value: (k) => `${k.iso.withSql + k.iso.noTiming + (k.fl ? k.fl.withSql + k.fl.noTiming : 0)} / ${k.iso.wireStatements}`,
        },
      ]),
    );
  }
  out.push('(1c: one connection, quiet server, ms; srv: Server-Timing total, ms; CPU ms: Cadence CPU per rejection on 1 connection;');
  out.push(
    ' fl: under flood, client side, ms (mostly queueing behind the other flood connections); errors: wrong status or code, or no answer;',
  );
  out.push(' SQL: answers whose Server-Timing was not "0 statements" / statements seen on the wire by the proxy)');
  const errs = report.variants.flatMap((v) => [
    ...v.isolated.flatMap((k) => Object.entries(k.errorKinds).map(([e, n]) => `${v.variant} ${k.kind} (1 conn): ${n}× ${e}`)),
    ...v.underFlood.flatMap((k) => Object.entries(k.errorKinds).map(([e, n]) => `${v.variant} ${k.kind} (flood): ${n}× ${e}`)),
    ...(['alone', 'flood'] as const).flatMap((p) =>
      Object.entries(v.normal[p]?.errorKinds ?? {}).map(([e, n]) => `${v.variant} normal (${p}): ${n}× ${e}`),
    ),
  ]);
  if (errs.length) out.push('', 'Errors:', ...errs.slice(0, 30).map((e) => `  ${e}`));
  out.push('', 'Issue 4 goals:', ...report.goals.map((g) => `  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`));
  const disturbed = report.variants.flatMap((v) =>
    v.rounds
      .filter((r) => r.disturbed)
      .map((r) => `${v.variant} round ${r.round} ${r.phase} (${fmt((r.otherCpuMs / r.elapsedMs) * 100, 0)}% of a core: ${r.busiest})`),
  );
  if (disturbed.length) out.push('', `note: other processes used CPU during ${disturbed.join(', ')}; those figures are disturbed.`);
  return out.join('\n');
}

function renderHtml(report: FloodReport): string {
  const env = report.environment;
  const cfg = report.config;
  const phaseColors = { alone: '#4e79a7', flood: '#e15759' };
  const charts: string[] = [];
  charts.push(
    barChart({
      title: 'Normal SessionsList latency, alone vs under flood',
      unit: 'ms',
      groups: report.variants.flatMap((v) =>
        (['p50', 'p95', 'p99'] as const).map((p) => ({
          label: `${v.variant} ${p}`,
          bars: (['alone', 'flood'] as const).map((ph) => ({
            label: ph === 'alone' ? 'alone' : 'under flood',
            value: v.normal[ph]?.latencyMs[p] ?? null,
            color: phaseColors[ph],
          })),
        })),
      ),
      width: 900,
    }),
  );
  for (const v of report.variants) {
    const groups: BarGroup[] = v.isolated.map((iso) => {
      const fl = v.underFlood.find((f) => f.kind === iso.kind);
      return {
        label: iso.kind,
        bars: [
          { label: '1 conn', value: iso.latencyMs.p95, color: '#59a14f' },
          { label: 'flood, server side', value: fl?.serverMs.p95 ?? null, color: '#f28e2b' },
          { label: 'flood, client side', value: fl?.latencyMs.p95 ?? null, color: '#e15759' },
        ],
      };
    });
    charts.push(
      barChart({
        title: `Rejection p95 by kind — ${v.variant}`,
        unit: 'ms',
        groups,
        reference: { value: GOAL_REJECTION_P95_MS, label: `goal ${GOAL_REJECTION_P95_MS} ms` },
        width: 1000,
        scale: 'log',
      }),
    );
  }
  charts.push(
    barChart({
      title: 'Cadence CPU per rejection (1 connection)',
      unit: 'ms',
      groups: (report.variants[0]?.isolated ?? []).map((iso) => ({
        label: iso.kind,
        bars: report.variants.map((v, i) => ({
          label: v.variant,
          value: v.isolated.find((k) => k.kind === iso.kind)?.serverCpuMsPerReq ?? null,
          color: ['#4e79a7', '#f28e2b'][i],
        })),
      })),
      width: 1000,
    }),
  );
  const normalRows = report.variants.flatMap((v) =>
    (['alone', 'flood'] as const).flatMap((p) => {
      const a = v.normal[p];
      if (!a) return [];
      return [
        [
          v.variant,
          p === 'alone' ? 'alone' : '+ flood',
          fmt(a.reqPerSec, 0),
          fmt(a.latencyMs.p50, 2),
          fmt(a.latencyMs.p95, 2),
          fmt(a.latencyMs.p99, 2),
          fmt(a.latencyMs.max, 1),
          String(a.errors),
          a.p95ByRound.map((x) => fmt(x, 1)).join(' / '),
          `${fmt(a.serverCpuPctOfCore, 0)}%`,
          `${fmt(a.pgCpuPctOfCore, 0)}%`,
          p === 'flood' ? `${fmt(a.floodClientCpuPctOfCore, 0)}%` : '–',
          fmt(a.floodReqPerSec, 0),
          a.floodErrors === null ? '–' : String(a.floodErrors),
          `${fmt(a.otherCpuPctOfCore, 0)}%${a.disturbedRounds ? ' (disturbed)' : ''}`,
          p === 'flood' ? `${fmt(v.normal.p95Ratio, 2)}x` : '',
        ],
      ];
    }),
  );
  const kindTables = report.variants.map((v) => {
    const rows = v.isolated.map((iso) => {
      const fl = v.underFlood.find((f) => f.kind === iso.kind);
      return [
        iso.kind,
        `${iso.expected.status} ${iso.expected.code}`,
        fmt(iso.latencyMs.p50, 2),
        fmt(iso.latencyMs.p95, 2),
        fmt(iso.latencyMs.p99, 2),
        fmt(iso.serverMs.p95, 2),
        fmt(iso.serverCpuMsPerReq, 2),
        String(fl?.requests ?? 0),
        fmt(fl?.latencyMs.p50, 1),
        fmt(fl?.latencyMs.p95, 1),
        fmt(fl?.latencyMs.p99, 1),
        fmt(fl?.serverMs.p50, 2),
        fmt(fl?.serverMs.p95, 2),
        String(iso.errors + (fl?.errors ?? 0)),
        String(iso.withSql + iso.noTiming + (fl ? fl.withSql + fl.noTiming : 0)),
        String(iso.wireStatements),
      ];
    });
    return `<h2>Rejections — ${esc(v.variant)}</h2><p>${esc(v.label)}. The proxy saw ${v.wireSanity.statements} statements for ${v.wireSanity.requests} SessionsList requests on fresh keys (so it does see this server's SQL).</p>
${htmlTable(['kind', 'answer', '1 conn p50', 'p95', 'p99', 'server p95', 'CPU ms/rej', 'flood n', 'flood p50', 'p95', 'p99', 'server p50', 'server p95', 'errors', 'SQL (Server-Timing)', 'SQL (wire)'], rows)}`;
  });
  const roundRows = report.variants.flatMap((v) =>
    v.rounds.map((r) => [
      v.variant,
      String(r.round),
      r.phase,
      String(r.normal.requests),
      fmt(r.normal.latencyMs.p50, 2),
      fmt(r.normal.latencyMs.p95, 2),
      fmt(r.normal.latencyMs.p99, 2),
      String(r.normal.errors),
      r.flood ? fmt(r.flood.reqPerSec, 0) : '–',
      `${fmt((r.serverCpuMs / r.elapsedMs) * 100, 0)}%`,
      `${fmt((r.otherCpuMs / r.elapsedMs) * 100, 0)}%`,
      String(r.serverLogLines),
      r.disturbed ? `disturbed: ${r.busiest}` : '',
    ]),
  );
  const body = `<h1>Cadence flood benchmark — SessionsList next to rejected documents</h1>
<p>${esc(report.startedAt)} · node ${esc(env.node)} · ${env.cpus} CPUs (${esc(env.cpuModel ?? '')}) · commit ${esc(env.gitCommit ?? '?')}${env.uncommittedServerFiles.length ? ` + uncommitted changes in ${esc(env.uncommittedServerFiles.join(', '))}` : ''} · database ${esc(report.database.name)} (${esc(report.database.state)})</p>
<h2>Settings</h2><ul>${report.settings.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<h2>Issue 4 goals</h2><ul>${report.goals.map((g) => `<li class="${g.pass ? 'pass' : 'fail'}">${g.pass ? 'PASS' : 'FAIL'} — ${esc(g.goal)}: ${esc(g.actual)}</li>`).join('')}</ul>
<h2>Normal client (${cfg.rate} req/s, open loop, ${cfg.connections} conns)</h2>
${htmlTable(['variant', 'phase', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'p95 by round', 'Cadence CPU', 'PG CPU', 'flood client CPU', 'rejections/s', 'flood errors', 'others', 'p95 ratio'], normalRows)}
<p>CPU in % of one core over the phase.</p>
${kindTables.join('\n')}
<div class="charts">${charts.join('\n')}</div>
<h2>Phases</h2>
${htmlTable(['variant', 'round', 'phase', 'normal requests', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'rejections/s', 'Cadence CPU', 'others', 'server log lines', ''], roundRows)}`;
  return htmlPage('Cadence flood benchmark', body);
}

async function rerender(file: string): Promise<void> {
  let report: FloodReport;
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as FloodReport;
  } catch (error) {
    throw new UsageError(`--render: cannot read ${file}: ${(error as Error).message}`);
  }
  if (report.kind !== 'cadence-bench-flood') throw new UsageError(`--render: ${file} is not a flood benchmark result`);
  const out = file.replace(/\.json$/, '') + '.html';
  await writeFile(out, renderHtml(report));
  console.log(`wrote ${out}`);
}

function environment() {
  const git = (...args: string[]) => {
    try {
      // Read-only: GIT_OPTIONAL_LOCKS=0 keeps `git status` from refreshing the index.
      return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).trimEnd();
    } catch {
      return null;
    }
  };
  const dirty = git('status', '--porcelain', '--', 'src', 'prisma', 'package.json');
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`,
    gitCommit: git('rev-parse', '--short', 'HEAD'),
    uncommittedServerFiles: dirty ? dirty.split('\n').map((l) => l.slice(3)) : [],
  };
}

// ---------------------------------------------------------------------------------------------
// The flood client process (bench/lib/flood-client.ts)

const EXIT_WITH_PARENT = pathToFileURL(path.join(BENCH_DIR, 'lib', 'exit-with-parent.mjs')).href;

type ChildMessage = { type: 'ready' } | { type: 'started' } | FloodResult | { type: 'error'; message: string };

class FloodChild {
  private listeners = new Set<(m: ChildMessage) => void>();
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: ChildMessage) => {
      for (const l of [...this.listeners]) l(m);
    });
    child.once('exit', () => {
      this.exited = true;
      for (const l of [...this.listeners]) l({ type: 'error', message: 'the flood client exited' });
    });
    process.once('exit', () => {
      if (!this.exited) child.kill('SIGKILL');
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(): Promise<FloodChild> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', EXIT_WITH_PARENT, path.join(BENCH_DIR, 'lib', 'flood-client.ts')],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CADENCE_FLOOD_CLIENT: '1', NODE_ENV: 'production' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const fc = new FloodChild(child);
    await fc.next('ready', 30_000);
    return fc;
  }

  /** Waits for one message of this type (an error message or the child's exit rejects). */
  private next<T extends ChildMessage['type']>(type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new BenchError(`flood client: no "${type}" within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const listener = (m: ChildMessage) => {
        if (m.type !== type && m.type !== 'error') return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (m.type === 'error' && type !== 'error') reject(new BenchError(`flood client: ${(m as { message: string }).message}`));
        else resolve(m as Extract<ChildMessage, { type: T }>);
      };
      this.listeners.add(listener);
    });
  }

  run(start: Omit<FloodStart, 'type'>): { started: Promise<void>; done: Promise<FloodResult> } {
    if (this.exited) throw new BenchError('the flood client exited');
    const started = this.next('started', 10_000).then(() => undefined);
    const done = this.next('result', start.maxDurationMs + 30_000);
    // A failure shows through `started` first; keep `done`'s rejection from going unhandled meanwhile.
    done.catch(() => {});
    this.child.send({ type: 'start', ...start });
    return { started, done };
  }

  stop(): void {
    if (!this.exited && this.child.connected) this.child.send({ type: 'stop' });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.child.connected) this.child.send({ type: 'exit' });
      else this.child.kill('SIGTERM');
    });
  }
}

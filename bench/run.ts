// `npm run bench`: SessionsList(first: 20) on Cadence vs a naive per-row build vs a raw floor,
// on one seeded PostgreSQL, in alternating rounds. See bench/README.md and issue 3 ("Benchmark").
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL, ensureBenchDatabase, redact } from './lib/benchdb.js';
import { installExitHandlers, ourPids, SERVER_KINDS, startServer, stopAll, type ServerHandle, type ServerKind } from './lib/children.js';
import {
  BenchError,
  InterruptedError,
  log,
  oneOfList,
  positiveNumber,
  PROJECT_ROOT,
  RESULTS_DIR,
  runMain,
  timestamp,
  UsageError,
} from './lib/cli.js';
import { firstDifference } from './lib/compare.js';
import { FLOOD_HELP, floodMain } from './lib/flood.js';
import { closedLoop, Connection, failureOf, openLoop, type Progress, type RequestSpec, type RunResult } from './lib/http-load.js';
import { PgMonitor } from './lib/pgmonitor.js';
import { ensurePostGraphile, normalisePostGraphile, postgraphileBody } from './lib/postgraphile.js';
import { allProcesses, clockTicks, machineCpu, topConsumers } from './lib/proc.js';
import { waitForQuiet } from './lib/quiet.js';
import { barChart, esc, fmt, htmlPage, htmlTable, table, type BarGroup } from './lib/report.js';
import { detectRequestForm, loadOperations, requestBody, type Operation, type RequestForm } from './lib/operations.js';
import { StatementCountingProxy, StatStatements } from './lib/sqlcount.js';
import { round, Samples, type LatencySummary } from './lib/stats.js';

const HELP = `Usage: npm run bench -- [options]

Benchmarks the SessionsList operation (schema/operations/SessionsList.graphql, first: 20) on
four servers over one seeded PostgreSQL database, in alternating rounds:
  cadence  the real server (node --import tsx src/main.ts, NODE_ENV=production, LOG_LEVEL=warn),
           response cache off: every request resolves (issue 3's goals are checked on this one)
  reference the same, response cache off, with compiled execution off (COMPILED_EXECUTION=0):
           graphql-js + Pothos resolve SessionsList instead of its compiled statement (issue 9)
  cached   the same with the response cache on (RESPONSE_CACHE_TTL_MS=10000), as in production
  naive    the same SDL on graphql-yoga with per-row Prisma resolvers (bench/naive/server.ts)
  raw      node:http + pg, one hand-written SQL statement (bench/raw/server.ts)
  postgraphile PostGraphile 5 (Amber preset) on Node 22, the same page through its own schema; the
           key is resolved in SQL from pgSettings (bench/peers/postgraphile/server.mjs). Installed
           on demand into bench/peers/postgraphile/node_modules (needs the npm registry once)

Steps: make sure the bench database is seeded (2,000 users, 20,000 sessions, 400,000 messages,
100,000 feedback; reused when its row counts and keys match, seeded otherwise); start the three
servers through a statement-counting proxy, check they return identical data for the same keys
(fails otherwise) and count SQL statements per request; restart them directly on PostgreSQL;
warm up; then per mode, rounds in rotating server order:
  throughput  closed loop, --connections (50) connections
  latency     closed loop, 1 connection (unloaded latency)
  open        open loop, --rate (200) req/s offered over --open-connections (100) connections
Requests go round-robin over --keys (100) seeded users' API keys.

Reports per server and mode: req/s, latency p50/p95/p99/max, errors, SQL statements per request,
server CPU ms per request (utime+stime from /proc), PostgreSQL backend CPU ms per request, and the
ratios cadence/raw, cadence/naive, cadence/reference, cadence/postgraphile, reference/raw, postgraphile/raw,
cached/raw and cached/naive; writes bench/results/<timestamp>.json and .html.

Options:
  --duration S          seconds per round (default 20)
  --rounds N            rounds per mode and server (default 3)
  --warmup S            warm-up seconds per server before the rounds (default 10)
  --quick               smoke run of about a minute: --duration 3 --rounds 1 --warmup 2
                        --quiet-wait 5 --retries 0
  --modes LIST          any of throughput,latency,open (default all)
  --servers LIST        any of cadence,reference,cached,naive,raw,postgraphile (default all)
  --connections N       connections of the throughput mode (default 50)
  --rate N              offered req/s of the open mode (default 200)
  --open-connections N  connections of the open mode (default 100)
  --first N             page size (default 20)
  --keys N              how many seeded users' keys to spread requests over (default 100)
  --database-url URL    bench database (default $BENCH_DATABASE_URL or ${DEFAULT_DATABASE_URL})
  --quiet-wait S        before each round, wait up to S seconds for other work on the machine
                        to stop (default 60; 0: never wait). Rounds during
                        which other processes used CPU anyway are marked "disturbed"
  --retries N           measure a disturbed round again, up to N times (default 1; 0: never);
                        the last attempt counts, the discarded ones are listed in the JSON
  --cadence-node-args S node flags for the timed Cadence server, e.g. to profile it:
                        --cadence-node-args="--cpu-prof --cpu-prof-dir=bench/results/profiles"
                        (note the =; the profile is written when the server stops)
  --reseed              drop and reseed the bench database first
  --out DIR             where to write results (default bench/results)
  --render FILE.json    only rewrite FILE.html from a results file (after a chart change)
  --flood               run the flood benchmark instead (issue 4): the p95 of a normal SessionsList
                        client with and without a second client flooding Cadence with rejected
                        documents (src/policy/samples.ts), and the rejection latency per kind;
                        the same as npm run bench:flood. Its options: npm run bench -- --flood --help
  -h, --help            this help

Exit status: 0 when the run completed (whatever the numbers), 1 on an error (database
unreachable, a server failing to start, servers disagreeing on the data), 2 on a usage error.`;

interface Mode {
  id: 'throughput' | 'latency' | 'open';
  label: string;
  kind: 'closed' | 'open';
  connections: number;
  rate?: number;
}

interface RoundResult {
  server: ServerKind;
  mode: Mode['id'];
  round: number;
  elapsedMs: number;
  completed: number;
  errors: number;
  errorKinds: Record<string, number>;
  latency: Samples;
  serverCpuMs: number;
  pgCpuMs: number;
  clientCpuMs: number;
  /** Machine-wide busy CPU during the round minus the three above: other work on the machine. */
  otherCpuMs: number;
  machineBusyPct: number;
  sqlCalls: number | null;
  serverLogLines: number;
  /** The processes that used the most CPU during the round ("name NN%"). */
  busiest: string;
  /** When the slowest request of the round was sent, seconds into the round. */
  slowestSentAtS: number;
  /** Other work on the machine just before the round, % of one core. */
  otherLoadBeforePct: number;
}

interface Aggregate {
  server: ServerKind;
  mode: Mode['id'];
  modeLabel: string;
  rounds: number;
  requests: number;
  errors: number;
  errorRate: number;
  errorKinds: Record<string, number>;
  reqPerSec: number;
  /** Open loop: the rate offered (req/s above is what was answered, drain included). */
  offeredReqPerSec: number | null;
  reqPerSecByRound: number[];
  /** Rounds during which other processes used the CPU (see DISTURBED_PCT). */
  disturbedRounds: number;
  latencyMs: Omit<LatencySummary, 'count'>;
  serverCpuMsPerReq: number;
  pgCpuMsPerReq: number;
  clientCpuMsPerReq: number;
  otherCpuMsPerSec: number;
  machineBusyPct: number;
  sqlPerRequest: number | null;
  sqlSource: string;
  serverLogLines: number;
}

interface Calibration {
  /** How this server is sent SessionsList: persisted document id or query text. */
  requestForm: RequestForm;
  /** Statements per request, sequential, each key's first request (no cached API-key lookup). */
  coldKeys: number;
  /** Statements per request, sequential requests (1 connection), keys seen moments before (as in the rounds). */
  sequential: number;
  /** Statements per request with --connections concurrent connections (Prisma may batch across requests). */
  concurrent: number;
  concurrentRequests: number;
  /** Cadence's own count from its Server-Timing header (`db;desc="N statements"`), when it sends one. */
  serverTiming: number | null;
  responseBytes: number;
}

async function main(): Promise<void> {
  const { values } = (() => {
    try {
      return parseArgs({
        args: process.argv.slice(2),
        options: {
          duration: { type: 'string' },
          rounds: { type: 'string' },
          warmup: { type: 'string' },
          quick: { type: 'boolean' },
          modes: { type: 'string' },
          servers: { type: 'string' },
          connections: { type: 'string' },
          rate: { type: 'string' },
          'open-connections': { type: 'string' },
          first: { type: 'string' },
          keys: { type: 'string' },
          'database-url': { type: 'string' },
          'quiet-wait': { type: 'string' },
          retries: { type: 'string' },
          'cadence-node-args': { type: 'string' },
          render: { type: 'string' },
          reseed: { type: 'boolean' },
          out: { type: 'string' },
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
    return;
  }
  if (values.render) {
    await rerender(values.render);
    return;
  }
  const quick = values.quick ?? false;
  const cfg = {
    durationS: positiveNumber('duration', values.duration, quick ? 3 : 20),
    rounds: positiveNumber('rounds', values.rounds, quick ? 1 : 3, { integer: true }),
    warmupS: positiveNumber('warmup', values.warmup, quick ? 2 : 10, { min: 0 }),
    modes: oneOfList('modes', values.modes, ['throughput', 'latency', 'open'] as const, ['throughput', 'latency', 'open']),
    servers: oneOfList('servers', values.servers, SERVER_KINDS, SERVER_KINDS),
    connections: positiveNumber('connections', values.connections, 50, { integer: true }),
    rate: positiveNumber('rate', values.rate, 200),
    openConnections: positiveNumber('open-connections', values['open-connections'], 100, { integer: true }),
    first: positiveNumber('first', values.first, 20, { integer: true }),
    keys: positiveNumber('keys', values.keys, 100, { integer: true }),
    cadenceNodeArgs: (values['cadence-node-args'] ?? '').split(/\s+/).filter(Boolean),
    retries: positiveNumber('retries', values.retries, quick ? 0 : 1, { integer: true, min: 0 }),
    quietWaitS: positiveNumber('quiet-wait', values['quiet-wait'], quick ? 5 : 60, { min: 0 }),
    databaseUrl: values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    out: path.resolve(values.out ?? RESULTS_DIR),
    quick,
  };
  if (cfg.first > 100) throw new UsageError('--first must be at most 100');
  const modes = modesOf(cfg);

  let interrupted = false;
  installExitHandlers(() => (interrupted = true));
  const startedAt = new Date();
  const perRun = cfg.durationS * cfg.rounds * modes.length * cfg.servers.length + cfg.warmupS * cfg.servers.length;
  log(
    `bench: ${cfg.servers.join(', ')} × ${modes.map((m) => m.id).join(', ')}; ${cfg.rounds} round(s) of ${cfg.durationS} s; ` +
      `about ${Math.ceil((perRun + 30) / 60)} min`,
  );

  // 1. Data.
  const checkStop = () => {
    if (interrupted) throw new InterruptedError('interrupted');
  };
  const db = await ensureBenchDatabase(cfg.databaseUrl, { reseed: values.reseed ?? false });
  checkStop();
  if (db.keys.length < cfg.keys + 20)
    throw new UsageError(`--keys ${cfg.keys}: at most ${db.keys.length - 20} (20 more are used for checks)`);
  const keys = db.keys.slice(0, cfg.keys);
  // Keys outside the measured set, so the calibration's "first request of a key" is one.
  const spareKeys = db.keys.slice(cfg.keys, cfg.keys + 20).map((k) => k.key);
  const operation = (await loadOperations(['SessionsList'])).get('SessionsList')!;
  const headers = keys.map((k) => ({ authorization: `Bearer ${k.key}` }));

  if (cfg.servers.includes('postgraphile')) ensurePostGraphile();
  checkStop();

  // 2. Same answers from every server, and SQL statements per request, through the counting proxy.
  const sqlCounting = await StatStatements.open(cfg.databaseUrl);
  log(
    `sql counting: ${sqlCounting.stats ? 'pg_stat_statements (per round)' : `wire-protocol proxy (calibration pass); ${sqlCounting.reason}`}`,
  );
  const calibration = await verifyAndCalibrate(
    cfg,
    keys.map((k) => k.key),
    spareKeys,
    operation,
    () => interrupted,
  );
  checkStop();
  const bodies = new Map(cfg.servers.map((kind) => [kind, bodyFor(kind, operation, { first: cfg.first }, calibration[kind]!.requestForm)]));
  const specsFor = (kind: ServerKind) => {
    const body = bodies.get(kind)!;
    return (i: number): RequestSpec => ({ op: 'SessionsList', body, headers: headers[i % headers.length]! });
  };

  // 3. Timed rounds, servers straight on PostgreSQL.
  const servers = new Map<ServerKind, ServerHandle>();
  try {
    for (const kind of cfg.servers) {
      checkStop();
      servers.set(
        kind,
        await startServer(kind, {
          databaseUrl: cfg.databaseUrl,
          nodeArgs: kind === 'cadence' || kind === 'cached' || kind === 'reference' ? cfg.cadenceNodeArgs : [],
          env: serverEnv(kind),
        }),
      );
    }
  } catch (error) {
    await stopAll();
    await sqlCounting.stats?.close();
    throw error;
  }
  log(`servers: ${[...servers.values()].map((s) => `${s.kind} pid ${s.pid} :${s.port}`).join(', ')}`);
  const monitor = await PgMonitor.open(cfg.databaseUrl);
  const results: RoundResult[] = [];
  const discarded: { server: ServerKind; mode: Mode['id']; round: number; reqPerSec: number; otherCpuPctOfCore: number }[] = [];
  try {
    if (cfg.warmupS > 0) {
      for (const server of servers.values()) {
        if (interrupted) break;
        let k = 0;
        const specFor = specsFor(server.kind);
        const r = await closedLoop({
          url: server.url,
          connections: cfg.connections,
          durationMs: cfg.warmupS * 1000,
          next: () => specFor(k++),
          shouldStop: () => interrupted,
        });
        log(`warm-up ${server.kind}: ${Math.round(r.completed / (r.elapsedMs / 1000))} req/s, ${r.errors} errors`);
        if (r.errors === r.completed && r.completed > 0) {
          throw new BenchError(`${server.kind}: every warm-up request failed (${Object.keys(r.errorKinds).join('; ')})\n${server.tail()}`);
        }
      }
    }
    for (const mode of modes) {
      for (let roundNo = 1; roundNo <= cfg.rounds; roundNo++) {
        // Rotate the order each round so no server always runs first (or right after the heaviest).
        const order = cfg.servers.map((_, i) => cfg.servers[(i + roundNo - 1) % cfg.servers.length]!);
        for (const kind of order) {
          if (interrupted) break;
          const label = `[${mode.id}] round ${roundNo}/${cfg.rounds} ${kind.padEnd(7)}`;
          let quiet = await waitForQuiet(cfg.quietWaitS, () => interrupted);
          let r = await measure(servers.get(kind)!, mode, cfg, specsFor(kind), monitor, sqlCounting.stats, label, () => interrupted);
          // Other processes took CPU during the round: measure it again (bounded by --retries).
          for (let attempt = 1; attempt <= cfg.retries && isDisturbed(r) && !interrupted; attempt++) {
            log(
              `${label} disturbed (other load ${fmt((r.otherCpuMs / r.elapsedMs) * 100, 0)}% of a core; busiest: ${r.busiest}): measuring again (${attempt}/${cfg.retries})`,
            );
            discarded.push({
              server: kind,
              mode: mode.id,
              round: roundNo,
              reqPerSec: round(r.completed / (r.elapsedMs / 1000), 1),
              otherCpuPctOfCore: round((r.otherCpuMs / r.elapsedMs) * 100, 0),
            });
            quiet = await waitForQuiet(cfg.quietWaitS, () => interrupted);
            r = await measure(servers.get(kind)!, mode, cfg, specsFor(kind), monitor, sqlCounting.stats, label, () => interrupted);
          }
          results.push({ ...r, round: roundNo, otherLoadBeforePct: quiet });
          const rate = r.completed / (r.elapsedMs / 1000);
          log(
            `${label} ${fmt(rate, 0)} req/s  p50 ${fmt(r.latency.summary().p50, 2)} ms  p95 ${fmt(r.latency.summary().p95, 2)} ms  ` +
              `cpu ${fmt(r.serverCpuMs / Math.max(1, r.completed), 2)} ms/req  errors ${r.errors}` +
              (isDisturbed(r)
                ? `  (other load on the machine: ${fmt((r.otherCpuMs / r.elapsedMs) * 100, 0)}% of a core; busiest: ${r.busiest})`
                : ''),
          );
          await new Promise((res) => setTimeout(res, 500));
        }
      }
    }
  } finally {
    await monitor.close();
    await sqlCounting.stats?.close();
    await stopAll();
  }
  checkStop();

  // 4. Report.
  const aggregates: Aggregate[] = [];
  for (const mode of modes) {
    for (const kind of cfg.servers) {
      const rounds = results.filter((r) => r.server === kind && r.mode === mode.id);
      if (rounds.length) aggregates.push(aggregate(kind, mode, rounds, calibration[kind]!, sqlCounting.stats !== null));
    }
  }
  const ratios = computeRatios(aggregates, modes);
  const goals = checkGoals(aggregates);
  const finishedAt = new Date();
  const report = {
    kind: 'cadence-bench',
    version: 1,
    operation: 'SessionsList',
    variables: { first: cfg.first },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    config: { ...cfg, databaseUrl: redact(cfg.databaseUrl) },
    environment: environment(),
    database: { name: db.name, state: db.state, rows: db.rows },
    sqlCounting: {
      method: sqlCounting.stats ? 'pg_stat_statements' : 'wire-proxy-calibration',
      note: sqlCounting.stats
        ? 'calls in the bench database during each round / requests'
        : `${sqlCounting.reason}; counted with a proxy that counts Execute/Query messages, over sequential requests ` +
          `(latency and open modes) and ${cfg.connections} concurrent connections (throughput mode), before the timed rounds`,
    },
    calibration,
    results: aggregates,
    rounds: results.map((r) => ({
      server: r.server,
      mode: r.mode,
      round: r.round,
      reqPerSec: round(r.completed / (r.elapsedMs / 1000), 1),
      requests: r.completed,
      errors: r.errors,
      latencyMs: roundSummary(r.latency.summary()),
      serverCpuMsPerReq: round(r.serverCpuMs / Math.max(1, r.completed), 3),
      pgCpuMsPerReq: round(r.pgCpuMs / Math.max(1, r.completed), 3),
      otherCpuPctOfCore: round((r.otherCpuMs / r.elapsedMs) * 100, 1),
      otherLoadBeforePct: r.otherLoadBeforePct,
      slowestSentAtS: round(r.slowestSentAtS, 2),
      disturbed: isDisturbed(r),
      busiestProcesses: r.busiest,
    })),
    discardedRounds: discarded,
    ratios,
    goals,
  };
  await mkdir(cfg.out, { recursive: true });
  const stamp = timestamp(startedAt);
  const jsonFile = path.join(cfg.out, `${stamp}.json`);
  const htmlFile = path.join(cfg.out, `${stamp}.html`);
  await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(htmlFile, renderHtml(report, aggregates, modes));

  console.log(
    `\nSessionsList(first: ${cfg.first}) — ${cfg.rounds} round(s) × ${cfg.durationS} s per server and mode; ` +
      `database ${db.name} (${db.state}); SQL counted by ${report.sqlCounting.method}\n`,
  );
  console.log(resultsTable(aggregates));
  console.log(`\n${ratiosText(ratios)}`);
  if (goals.length)
    console.log(`\nIssue 3 goals (Cadence):\n${goals.map((g) => `  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`).join('\n')}`);
  const noisy = aggregates.filter((a) => a.otherCpuMsPerSec / 10 > DISTURBED_PCT);
  if (noisy.length) {
    console.log(
      `\nnote: other processes used CPU during ${noisy.map((a) => `${a.server}/${a.mode} (${fmt(a.otherCpuMsPerSec / 10, 0)}% of a core)`).join(', ')}; those figures are disturbed.`,
    );
  }
  console.log(`\nwrote ${path.relative(process.cwd(), jsonFile)}\n      ${path.relative(process.cwd(), htmlFile)}`);
}

function modesOf(cfg: { modes: Mode['id'][]; connections: number; rate: number; openConnections: number }): Mode[] {
  return cfg.modes.map((id) =>
    id === 'throughput'
      ? { id, label: `closed loop, ${cfg.connections} conns`, kind: 'closed', connections: cfg.connections }
      : id === 'latency'
        ? { id, label: 'closed loop, 1 conn', kind: 'closed', connections: 1 }
        : {
            id,
            label: `open loop, ${cfg.rate} req/s, ${cfg.openConnections} conns`,
            kind: 'open',
            connections: cfg.openConnections,
            rate: cfg.rate,
          },
  );
}

async function rerender(file: string): Promise<void> {
  let report: Parameters<typeof renderHtml>[0] & { config: Parameters<typeof modesOf>[0]; results: Aggregate[] };
  try {
    report = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--render: cannot read ${file}: ${(error as Error).message}`);
  }
  const out = file.replace(/\.json$/, '') + '.html';
  await writeFile(out, renderHtml(report, report.results, modesOf(report.config)));
  console.log(`wrote ${out}`);
}

/** Starts each server through the counting proxy, compares their answers, counts statements. */
async function verifyAndCalibrate(
  cfg: { servers: ServerKind[]; databaseUrl: string; first: number; connections: number },
  keys: string[],
  spareKeys: string[],
  operation: Operation,
  stop: () => boolean,
): Promise<Partial<Record<ServerKind, Calibration>>> {
  const target = new URL(cfg.databaseUrl);
  const proxy = new StatementCountingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.listen();
  const handles: ServerHandle[] = [];
  const out: Partial<Record<ServerKind, Calibration>> = {};
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  try {
    for (const kind of cfg.servers)
      handles.push(await startServer(kind, { databaseUrl: proxy.proxiedUrl(cfg.databaseUrl), env: serverEnv(kind) }));
    const forms = new Map<ServerKind, RequestForm>();
    for (const h of handles)
      forms.set(
        h.kind,
        // PostGraphile has no persisted documents of Cadence's: it is sent its own query text.
        h.kind === 'postgraphile'
          ? 'query'
          : await detectRequestForm(h.url, operation, { first: cfg.first }, auth(spareKeys[0] ?? keys[0]!)),
      );
    log(
      `request form: ${handles.map((h) => `${h.kind} ${forms.get(h.kind) === 'documentId' ? 'persisted documentId' : 'query text'}`).join(', ')}`,
    );

    // Identical data: several users, the benchmark's page size and a smaller one (hasNextPage, cursors).
    const checkKeys = spareKeys.length >= 18 ? spareKeys.slice(10, 18) : keys.slice(0, 8);
    const checks = [
      ...checkKeys.slice(0, 5).map((key) => ({ key, first: cfg.first })),
      ...checkKeys.slice(5, 8).map((key) => ({ key, first: 3 })),
    ];
    for (const { key, first } of checks) {
      const answers: { kind: ServerKind; json: unknown }[] = [];
      for (const h of handles) {
        const conn = new Connection(h.url);
        try {
          const res = await conn.send({
            op: 'SessionsList',
            body: bodyFor(h.kind, operation, { first }, forms.get(h.kind)!),
            headers: auth(key),
          });
          const failure = failureOf(res);
          if (failure) throw new BenchError(`${h.kind} answered SessionsList with ${failure}:\n${res.body.slice(0, 500)}`);
          const json: unknown = JSON.parse(res.body);
          answers.push({ kind: h.kind, json: h.kind === 'postgraphile' ? normalisePostGraphile(json) : json });
        } finally {
          conn.close();
        }
      }
      const edges = (answers[0]?.json as { data?: { sessions?: { edges?: unknown[] } } })?.data?.sessions?.edges;
      if (!Array.isArray(edges) || edges.length === 0) throw new BenchError(`${answers[0]?.kind} returned no sessions for a seeded user`);
      for (const other of answers.slice(1)) {
        const diff = firstDifference(answers[0]!.json, other.json);
        if (diff) {
          throw new BenchError(
            `${answers[0]!.kind} and ${other.kind} disagree on SessionsList(first: ${first}) for the same user:\n  ${diff}\n` +
              'The benchmark compares servers that return the same data; fix the server (or bench/naive, bench/raw, bench/peers/postgraphile) first.',
          );
        }
      }
    }
    log(
      `verified: ${handles.map((h) => h.kind).join(', ')} return identical SessionsList data ` +
        `(${checks.length - 3} users at first: ${cfg.first}, 3 at first: 3; deep-equal, key order ignored)`,
    );

    for (const h of handles) {
      if (stop()) break;
      const body = bodyFor(h.kind, operation, { first: cfg.first }, forms.get(h.kind)!);
      const conn = new Connection(h.url);
      let bytes = 0;
      const timings: number[] = [];
      // Statements per request over one pass of sequential requests, one per key.
      const pass = async (passKeys: string[]) => {
        const before = proxy.statements;
        for (const key of passKeys) {
          const res = await conn.send({ op: 'SessionsList', body, headers: auth(key) });
          const failure = failureOf(res);
          if (failure) throw new BenchError(`${h.kind}: ${failure} during SQL calibration`);
          bytes = Buffer.byteLength(res.body);
          const m = /db;[^,]*desc="(\d+) statements?"/.exec(String(res.headers['server-timing'] ?? ''));
          if (m) timings.push(Number(m[1]));
        }
        return (proxy.statements - before) / passKeys.length;
      };
      try {
        for (const key of spareKeys.slice(0, 10)) await conn.send({ op: 'SessionsList', body, headers: auth(key) }); // pool connections, plans
        // Keys the server has not seen, then the same keys again (a server may cache key lookups;
        // the timed rounds cycle through these keys every fraction of a second).
        const coldKeys = await pass(keys);
        timings.length = 0;
        const sequential = await pass(keys);
        const before = proxy.statements;
        let k = 0;
        const r = await closedLoop({
          url: h.url,
          connections: cfg.connections,
          durationMs: 2000,
          next: () => ({ op: 'SessionsList', body, headers: auth(keys[k++ % keys.length]!) }),
        });
        const concurrent = (proxy.statements - before) / Math.max(1, r.completed);
        out[h.kind] = {
          requestForm: forms.get(h.kind)!,
          coldKeys: round(coldKeys, 2),
          sequential: round(sequential, 2),
          concurrent: round(concurrent, 2),
          concurrentRequests: r.completed,
          serverTiming: timings.length ? round(timings.reduce((a, b) => a + b, 0) / timings.length, 2) : null,
          responseBytes: bytes,
        };
        log(
          `sql/request ${h.kind}: ${fmt(coldKeys, 2)} on a key's first request, ${fmt(sequential, 2)} after, ` +
            `${fmt(concurrent, 2)} at ${cfg.connections} conns` +
            (timings.length ? `; its Server-Timing says ${fmt(out[h.kind]!.serverTiming, 2)}` : ''),
        );
      } finally {
        conn.close();
      }
    }
  } finally {
    await Promise.all(handles.map((h) => h.stop()));
    await proxy.close();
  }
  return out;
}

/** The request body a server is sent: Cadence's document (by id or text), or PostGraphile's own text. */
function bodyFor(kind: ServerKind, operation: Operation, variables: Record<string, unknown>, form: RequestForm): string {
  return kind === 'postgraphile' ? postgraphileBody(variables) : requestBody(operation, variables, form);
}

/** A round during which others used more than this (% of one core) is marked as disturbed. */
const DISTURBED_PCT = 15;
const isDisturbed = (r: { otherCpuMs: number; elapsedMs: number }) => (r.otherCpuMs / r.elapsedMs) * 100 > DISTURBED_PCT;

async function measure(
  server: ServerHandle,
  mode: Mode,
  cfg: { durationS: number },
  specFor: (i: number) => RequestSpec,
  monitor: PgMonitor,
  stats: StatStatements | null,
  label: string,
  stop: () => boolean,
): Promise<Omit<RoundResult, 'round' | 'otherLoadBeforePct'>> {
  const tty = process.stderr.isTTY;
  let lastPrint = 0;
  const onProgress = (p: Progress) => {
    const line =
      `${label} ${String(Math.round(p.elapsedMs / 1000)).padStart(3)}/${cfg.durationS} s  ${String(p.currentRate).padStart(5)} req/s now, ` +
      `${fmt(p.completed / (p.elapsedMs / 1000), 0)} avg, ${p.errors} errors`;
    if (tty) process.stderr.write(`\r${line}   `);
    else if (p.elapsedMs - lastPrint >= 5000) {
      lastPrint = p.elapsedMs;
      log(line);
    }
  };
  let k = 0;
  const pg0 = await monitor.snapshot();
  const sql0 = stats ? await stats.calls() : null;
  const cpu0 = server.cpuMs();
  const lines0 = server.logLines();
  const m0 = machineCpu();
  const procs0 = allProcesses();
  let r: RunResult;
  if (mode.kind === 'closed') {
    r = await closedLoop({
      url: server.url,
      connections: mode.connections,
      durationMs: cfg.durationS * 1000,
      next: () => specFor(k++),
      onProgress,
      shouldStop: stop,
    });
  } else {
    r = await openLoop({
      url: server.url,
      connections: mode.connections,
      rate: mode.rate!,
      durationMs: cfg.durationS * 1000,
      next: () => specFor(k++),
      onProgress,
      shouldStop: stop,
    });
  }
  const m1 = machineCpu();
  const procs1 = allProcesses();
  const serverCpuMs = server.cpuMs() - cpu0;
  const pg1 = await monitor.snapshot();
  const pgCpuMs = PgMonitor.delta(pg0, pg1);
  const sql1 = stats ? await stats.calls() : null;
  if (tty) process.stderr.write('\r\x1b[K');
  const machineBusyMs = ((m1.busy - m0.busy) * 1000) / clockTicks();
  const machineTotalMs = ((m1.total - m0.total) * 1000) / clockTicks();
  return {
    server: server.kind,
    mode: mode.id,
    elapsedMs: r.elapsedMs,
    completed: r.completed,
    errors: r.errors,
    errorKinds: r.errorKinds,
    latency: r.latency,
    serverCpuMs,
    pgCpuMs,
    clientCpuMs: r.clientCpuMs,
    otherCpuMs: Math.max(0, machineBusyMs - serverCpuMs - pgCpuMs - r.clientCpuMs),
    machineBusyPct: machineTotalMs > 0 ? (machineBusyMs / machineTotalMs) * 100 : NaN,
    sqlCalls: sql0 !== null && sql1 !== null ? sql1 - sql0 : null,
    serverLogLines: server.logLines() - lines0,
    // Others only: not this process, its servers, nor the bench database's PostgreSQL backends.
    slowestSentAtS: r.slowest.sentAtMs / 1000,
    busiest: topConsumers(procs0, procs1, r.elapsedMs, 4, new Set([process.pid, ...ourPids(), ...pg0.keys(), ...pg1.keys()])),
  };
}

function aggregate(kind: ServerKind, mode: Mode, rounds: RoundResult[], cal: Calibration, measuredSql: boolean): Aggregate {
  const latency = new Samples();
  let elapsed = 0,
    completed = 0,
    errors = 0,
    serverCpu = 0,
    pgCpu = 0,
    clientCpu = 0,
    other = 0,
    busy = 0,
    sql = 0,
    lines = 0;
  const errorKinds: Record<string, number> = {};
  for (const r of rounds) {
    latency.addAll(r.latency);
    elapsed += r.elapsedMs;
    completed += r.completed;
    errors += r.errors;
    serverCpu += r.serverCpuMs;
    pgCpu += r.pgCpuMs;
    clientCpu += r.clientCpuMs;
    other += r.otherCpuMs;
    busy += r.machineBusyPct * r.elapsedMs;
    sql += r.sqlCalls ?? 0;
    lines += r.serverLogLines;
    for (const [k, v] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
  }
  const { count: _count, ...summary } = latency.summary();
  const n = Math.max(1, completed);
  return {
    server: kind,
    mode: mode.id,
    modeLabel: mode.label,
    rounds: rounds.length,
    requests: completed,
    errors,
    errorRate: round(errors / n, 5),
    errorKinds,
    reqPerSec: round(completed / (elapsed / 1000), 1),
    offeredReqPerSec: mode.rate ?? null,
    reqPerSecByRound: rounds.map((r) => round(r.completed / (r.elapsedMs / 1000), 1)),
    disturbedRounds: rounds.filter((r) => (r.otherCpuMs / r.elapsedMs) * 100 > DISTURBED_PCT).length,
    latencyMs: roundSummary(summary),
    serverCpuMsPerReq: round(serverCpu / n, 3),
    pgCpuMsPerReq: round(pgCpu / n, 3),
    clientCpuMsPerReq: round(clientCpu / n, 3),
    otherCpuMsPerSec: round(other / (elapsed / 1000), 0),
    machineBusyPct: round(busy / elapsed, 1),
    sqlPerRequest: measuredSql ? round(sql / n, 2) : mode.id === 'throughput' ? cal.concurrent : cal.sequential,
    sqlSource: measuredSql ? 'pg_stat_statements' : mode.id === 'throughput' ? 'proxy, concurrent' : 'proxy, sequential',
    serverLogLines: lines,
  };
}

function roundSummary<T extends Partial<LatencySummary>>(s: T): T {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'count' ? v : round(v as number, 3)])) as T;
}

type Ratios = Record<string, Record<string, Record<string, number | null>>>;

/** `cadence` resolves every request (issue 3's goals are about resolution); `cached` keeps the cache. */
function serverEnv(kind: ServerKind): Record<string, string> {
  // Every server gets a pool of 20 (bench/README.md), Cadence's own default being the machine's
  // 2 × cores + 1; DB_POOL_SIZE in the caller's environment changes it.
  const pool = { DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '20' };
  return kind === 'cadence' ? { ...pool, RESPONSE_CACHE_TTL_MS: '0' } : kind === 'cached' || kind === 'reference' ? pool : {};
}

function computeRatios(aggs: Aggregate[], modes: Mode[]): Ratios {
  const out: Ratios = {};
  const r = (a: number, b: number) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? round(a / b, 3) : null);
  for (const mode of modes) {
    const get = (k: ServerKind) => aggs.find((a) => a.server === k && a.mode === mode.id);
    const pairs: Record<'cadence' | 'reference' | 'cached' | 'postgraphile', readonly ServerKind[]> = {
      cadence: ['raw', 'naive', 'reference', 'postgraphile'],
      reference: ['raw', 'naive'],
      cached: ['raw', 'naive'],
      postgraphile: ['raw'],
    };
    for (const [mine, others] of Object.entries(pairs) as [keyof typeof pairs, readonly ServerKind[]][]) {
      const cadence = get(mine);
      if (!cadence) continue;
      for (const other of others) {
        const o = get(other);
        if (!o) continue;
        (out[mode.id] ??= {})[`${mine}/${other}`] = {
          reqPerSec: r(cadence.reqPerSec, o.reqPerSec),
          p50: r(cadence.latencyMs.p50, o.latencyMs.p50),
          p95: r(cadence.latencyMs.p95, o.latencyMs.p95),
          p99: r(cadence.latencyMs.p99, o.latencyMs.p99),
          serverCpuMsPerReq: r(cadence.serverCpuMsPerReq, o.serverCpuMsPerReq),
          sqlPerRequest: cadence.sqlPerRequest !== null && o.sqlPerRequest !== null ? r(cadence.sqlPerRequest, o.sqlPerRequest) : null,
        };
      }
    }
  }
  return out;
}

/** Issue 3's "Goal" section, checked where this run measured it. */
function checkGoals(aggs: Aggregate[]): { goal: string; actual: string; pass: boolean }[] {
  const get = (k: ServerKind, m: Mode['id']) => aggs.find((a) => a.server === k && a.mode === m);
  const goals: { goal: string; actual: string; pass: boolean }[] = [];
  const t = get('cadence', 'throughput');
  const raw = get('raw', 'throughput');
  const l = get('cadence', 'latency');
  const o = get('cadence', 'open');
  const anyCadence = t ?? l ?? o;
  if (anyCadence?.sqlPerRequest != null) {
    goals.push({
      goal: 'at most 2 SQL statements per request',
      actual: `${anyCadence.sqlPerRequest}`,
      pass: anyCadence.sqlPerRequest <= 2,
    });
  }
  if (t && raw) {
    const ratio = t.reqPerSec / raw.reqPerSec;
    goals.push({
      goal: 'throughput at 50 conns >= 0.3x raw',
      actual: `${fmt(ratio, 2)}x (${fmt(t.reqPerSec, 0)} vs ${fmt(raw.reqPerSec, 0)} req/s)`,
      pass: ratio >= 0.3,
    });
  }
  if (l) goals.push({ goal: 'unloaded p50 <= 2 ms', actual: `${fmt(l.latencyMs.p50, 2)} ms`, pass: l.latencyMs.p50 <= 2 });
  if (t)
    goals.push({
      goal: 'server CPU <= 1.5 ms per request (50 conns)',
      actual: `${fmt(t.serverCpuMsPerReq, 2)} ms`,
      pass: t.serverCpuMsPerReq <= 1.5,
    });
  if (o) {
    goals.push({ goal: 'open loop p95 <= 50 ms', actual: `${fmt(o.latencyMs.p95, 2)} ms`, pass: o.latencyMs.p95 <= 50 });
    goals.push({ goal: 'open loop: no errors', actual: `${o.errors} errors`, pass: o.errors === 0 });
  }
  return goals;
}

function resultsTable(aggs: Aggregate[]): string {
  return table(aggs, [
    { title: 'mode', value: (a) => a.modeLabel, align: 'left' },
    { title: 'server', value: (a) => a.server, align: 'left' },
    { title: 'req/s', value: (a) => fmt(a.reqPerSec, 0) },
    { title: 'p50 ms', value: (a) => fmt(a.latencyMs.p50, 2) },
    { title: 'p95 ms', value: (a) => fmt(a.latencyMs.p95, 2) },
    { title: 'p99 ms', value: (a) => fmt(a.latencyMs.p99, 2) },
    { title: 'max ms', value: (a) => fmt(a.latencyMs.max, 1) },
    { title: 'errors', value: (a) => String(a.errors) },
    { title: 'SQL/req', value: (a) => fmt(a.sqlPerRequest, 1) },
    { title: 'CPU ms/req', value: (a) => fmt(a.serverCpuMsPerReq, 2) },
    { title: 'PG ms/req', value: (a) => fmt(a.pgCpuMsPerReq, 2) },
    { title: 'client ms/req', value: (a) => fmt(a.clientCpuMsPerReq, 3) },
    { title: 'busy %', value: (a) => fmt(a.machineBusyPct, 0) },
  ]);
}

function ratiosText(ratios: Ratios): string {
  const lines = ['ratios (req/s higher is better, the rest lower is better):'];
  for (const [mode, byOther] of Object.entries(ratios)) {
    for (const [name, r] of Object.entries(byOther)) {
      lines.push(
        `  ${mode.padEnd(10)} ${name.padEnd(14)} req/s ${fmt(r.reqPerSec, 2)}x  p50 ${fmt(r.p50, 2)}x  p95 ${fmt(r.p95, 2)}x  ` +
          `p99 ${fmt(r.p99, 2)}x  CPU/req ${fmt(r.serverCpuMsPerReq, 2)}x  SQL/req ${fmt(r.sqlPerRequest, 2)}x`,
      );
    }
  }
  return lines.join('\n');
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

function renderHtml(
  report: {
    startedAt: string;
    environment: ReturnType<typeof environment>;
    database: { name: string; state: string };
    sqlCounting: { method: string; note: string };
    goals: { goal: string; actual: string; pass: boolean }[];
    /** Absent in results written before the ratios were rendered (--render of an old file). */
    ratios?: Ratios;
  },
  aggs: Aggregate[],
  modes: Mode[],
): string {
  const servers = [...new Set(aggs.map((a) => a.server))];
  const colors: Record<string, string> = {
    cadence: '#4e79a7',
    reference: '#f28e2b',
    cached: '#76b7b2',
    naive: '#e15759',
    raw: '#59a14f',
    postgraphile: '#b07aa1',
  };
  const charts: string[] = [];
  const throughputGroups: BarGroup[] = modes
    .filter((m) => m.kind === 'closed')
    .map((m) => ({
      label: m.label,
      bars: servers.map((s) => ({
        label: s,
        value: aggs.find((a) => a.server === s && a.mode === m.id)?.reqPerSec ?? null,
        color: colors[s],
      })),
    }));
  if (throughputGroups.length)
    charts.push(barChart({ title: 'Throughput (closed loop)', unit: 'req/s', groups: throughputGroups, digits: 0 }));
  for (const m of modes) {
    charts.push(
      barChart({
        title: `Latency — ${m.label}`,
        unit: 'ms',
        groups: (['p50', 'p95', 'p99'] as const).map((p) => ({
          label: p,
          bars: servers.map((s) => ({
            label: s,
            value: aggs.find((a) => a.server === s && a.mode === m.id)?.latencyMs[p] ?? null,
            color: colors[s],
          })),
        })),
        reference: m.id === 'open' ? { value: 50, label: 'query budget 50 ms (p95)' } : undefined,
      }),
    );
  }
  charts.push(
    barChart({
      title: 'CPU per request',
      unit: 'ms/req',
      groups: modes.flatMap((m) => [
        {
          label: `server · ${m.id}`,
          bars: servers.map((s) => ({
            label: s,
            value: aggs.find((a) => a.server === s && a.mode === m.id)?.serverCpuMsPerReq ?? null,
            color: colors[s],
          })),
        },
        {
          label: `PG · ${m.id}`,
          bars: servers.map((s) => ({
            label: s,
            value: aggs.find((a) => a.server === s && a.mode === m.id)?.pgCpuMsPerReq ?? null,
            color: colors[s],
          })),
        },
      ]),
      width: 900,
    }),
  );
  charts.push(
    barChart({
      title: 'SQL statements per request',
      unit: 'statements',
      groups: [
        {
          label: 'SessionsList(first: 20)',
          bars: servers.map((s) => ({ label: s, value: aggs.find((a) => a.server === s)?.sqlPerRequest ?? null, color: colors[s] })),
        },
      ],
      digits: 1,
      width: 420,
    }),
  );
  const rows = aggs.map((a) => [
    a.modeLabel,
    a.server,
    fmt(a.reqPerSec, 0),
    fmt(a.latencyMs.p50, 2),
    fmt(a.latencyMs.p95, 2),
    fmt(a.latencyMs.p99, 2),
    fmt(a.latencyMs.max, 1),
    String(a.errors),
    fmt(a.sqlPerRequest, 1),
    fmt(a.serverCpuMsPerReq, 2),
    fmt(a.pgCpuMsPerReq, 2),
    a.reqPerSecByRound.map((v) => fmt(v, 0)).join(' / '),
  ]);
  // The headline ratios (cadence/postgraphile, cadence/raw, …), as ratiosText prints them.
  const ratioRows = Object.entries(report.ratios ?? {}).flatMap(([mode, byPair]) =>
    Object.entries(byPair).map(([pair, r]) => [
      mode,
      pair,
      ...(['reqPerSec', 'p50', 'p95', 'p99', 'serverCpuMsPerReq', 'sqlPerRequest'] as const).map((k) => `${fmt(r[k] ?? null, 2)}×`),
    ]),
  );
  const env = report.environment;
  const body = `<h1>Cadence benchmark — SessionsList(first: 20)</h1>
<p>${esc(report.startedAt)} · node ${esc(env.node)} · ${env.cpus} CPUs (${esc(env.cpuModel ?? '')}) · commit ${esc(env.gitCommit ?? '?')}${env.uncommittedServerFiles.length ? ` + uncommitted changes in ${esc(env.uncommittedServerFiles.join(', '))}` : ''} · database ${esc(report.database.name)} (${esc(report.database.state)}) · SQL counted by ${esc(report.sqlCounting.method)}</p>
${htmlTable(['mode', 'server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'SQL/req', 'CPU ms/req', 'PG ms/req', 'req/s by round'], rows)}
${ratioRows.length ? `<h2>Ratios</h2><p>req/s: higher is better for the first server; the rest: lower is better.</p>${htmlTable(['mode', 'pair', 'req/s', 'p50', 'p95', 'p99', 'CPU/req', 'SQL/req'], ratioRows)}` : ''}
${report.goals.length ? `<h2>Issue 3 goals (Cadence)</h2><ul>${report.goals.map((g) => `<li class="${g.pass ? 'pass' : 'fail'}">${g.pass ? 'PASS' : 'FAIL'} — ${esc(g.goal)}: ${esc(g.actual)}</li>`).join('')}</ul>` : ''}
<div class="charts">${charts.join('\n')}</div>
<p>${esc(report.sqlCounting.note)}</p>`;
  return htmlPage('Cadence benchmark', body);
}

// `--flood` hands the whole command line to the flood benchmark (bench/lib/flood.ts).
const floodArgs = process.argv.slice(2);
if (floodArgs.includes('--flood')) runMain(() => floodMain(floodArgs.filter((a) => a !== '--flood')), FLOOD_HELP);
else runMain(main, HELP);

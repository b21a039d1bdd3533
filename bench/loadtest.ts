// `npm run loadtest`: the frontend's mix of operations at the seeds' load point (100 users,
// 200 req/s offered, open loop), per-operation percentiles checked against the latency budgets.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL, ensureBenchDatabase, KEYS_FILE, readKeysFile, redact } from './lib/benchdb.js';
import { installExitHandlers, ourPids, startServer, stopAll, type ServerHandle } from './lib/children.js';
import { BenchError, InterruptedError, log, positiveNumber, RESULTS_DIR, runMain, timestamp, UsageError } from './lib/cli.js';
import { Connection, failureOf, openLoop, type Progress, type RequestSpec, type Response } from './lib/http-load.js';
import { detectRequestForm, loadOperations, requestBody, type Operation, type RequestForm } from './lib/operations.js';
import { PgMonitor } from './lib/pgmonitor.js';
import { allProcesses, clockTicks, machineCpu, topConsumers } from './lib/proc.js';
import { waitForQuiet } from './lib/quiet.js';
import { barChart, esc, fmt, htmlPage, htmlTable, table } from './lib/report.js';
import { round, Samples } from './lib/stats.js';
import { mulberry32 } from '../src/random.js';

const HELP = `Usage: npm run loadtest -- [options]

A mixed workload like the frontend's, open loop: --rate requests per second offered by --users
virtual users (each one keep-alive connection and one seeded user's API key), for --duration
seconds. Each request is drawn at random (seeded) from:
  SessionsList 40%  SessionDetail 25%  SessionMessages 15%  SessionFeedback 10%  Viewer 5%  SubmitAnswer 5%
(the documents of schema/operations/). Ids come from the API: at start each user lists its sessions
and creates a session (CreateSession) with an open question; SubmitAnswer answers it. A user's
answers are sent one after another, and when an interview has asked its last question the user
completes it and starts a new one (CompleteSession, CreateSession; reported separately). Sessions
the load test created are deleted at the end (DeleteSession) unless --keep.

Reports per operation: count, errors (a non-200 status or "errors" in the body), latency
p50/p95/p99/max from the scheduled send time, against the budgets (p95: query 50 ms, mutation
100 ms, from shared/DESIGN.md); the overall error rate; JSON and HTML in bench/results/.

Without --url it starts Cadence itself (node --import tsx src/main.ts, NODE_ENV=production,
LOG_LEVEL=warn) on the bench database (seeded like \`npm run bench\`'s) and also reports its CPU.

Options:
  --duration T        how long to load: seconds, or with a unit: 90s, 15m, 1h (default 60)
  --rate N            offered requests per second (default 200)
  --users N           virtual users (default 100)
  --url URL           an already running server's /graphql endpoint (default: start one)
  --keys-file FILE    API keys [{ "key" }] for --url (default bench/.data/keys.json, the bench seed's)
  --database-url URL  bench database when starting the server (default $BENCH_DATABASE_URL or
                      ${DEFAULT_DATABASE_URL})
  --query-budget MS   p95 budget of queries (default 50)
  --mutation-budget MS  p95 budget of mutations (default 100)
  --seed N            random seed of the operation mix (default 1)
  --keep              keep the sessions the load test created
  --quiet-wait S      first wait up to S seconds for other work on the machine to stop (default
                      60; 0: don't wait); other processes' CPU during the run is reported
  --out DIR           where to write results (default bench/results)
  -h, --help          this help

Exit status: 0 when the run completed (whatever the numbers), 1 on an error, 2 on a usage error,
130 when interrupted.`;

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
  /** The ACTIVE session with an open question; null: start a new one before the next answer. */
  active: string | null;
  /** Answers (and rollovers) of one user run one after another. */
  chain: Promise<unknown>;
}

async function main(): Promise<void> {
  const { values } = (() => {
    try {
      return parseArgs({
        args: process.argv.slice(2),
        options: {
          duration: { type: 'string' },
          rate: { type: 'string' },
          users: { type: 'string' },
          url: { type: 'string' },
          'keys-file': { type: 'string' },
          'database-url': { type: 'string' },
          'query-budget': { type: 'string' },
          'mutation-budget': { type: 'string' },
          seed: { type: 'string' },
          'quiet-wait': { type: 'string' },
          keep: { type: 'boolean' },
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
  const cfg = {
    durationS: durationSeconds(values.duration),
    rate: positiveNumber('rate', values.rate, 200),
    users: positiveNumber('users', values.users, 100, { integer: true }),
    url: values.url ?? null,
    keysFile: values['keys-file'] ?? KEYS_FILE,
    databaseUrl: values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    queryBudgetMs: positiveNumber('query-budget', values['query-budget'], 50),
    mutationBudgetMs: positiveNumber('mutation-budget', values['mutation-budget'], 100),
    seed: positiveNumber('seed', values.seed, 1, { integer: true, min: 0 }),
    keep: values.keep ?? false,
    quietWaitS: positiveNumber('quiet-wait', values['quiet-wait'], 60, { min: 0 }),
    out: path.resolve(values.out ?? RESULTS_DIR),
  };
  if (cfg.url) {
    try {
      new URL(cfg.url);
    } catch {
      throw new UsageError(`--url: not a URL: ${cfg.url}`);
    }
  }

  let interrupted = false;
  installExitHandlers(() => (interrupted = true));
  const checkStop = () => {
    if (interrupted) throw new InterruptedError('interrupted');
  };
  const startedAt = new Date();

  // Server and keys.
  let server: ServerHandle | null = null;
  let monitor: PgMonitor | null = null;
  let keys: string[];
  let database: { name: string; state: string } | null = null;
  if (cfg.url) {
    keys = (await readKeysFile(cfg.keysFile)).map((k) => k.key);
  } else {
    const db = await ensureBenchDatabase(cfg.databaseUrl);
    database = { name: db.name, state: db.state };
    keys = db.keys.map((k) => k.key);
    checkStop();
    server = await startServer('cadence', { databaseUrl: cfg.databaseUrl });
    monitor = await PgMonitor.open(cfg.databaseUrl);
    log(`cadence: pid ${server.pid} on ${server.url}`);
  }
  if (keys.length < cfg.users) throw new UsageError(`--users ${cfg.users}: only ${keys.length} API keys available`);
  const url = cfg.url ?? server!.url;

  const created: { vu: VirtualUser; id: string }[] = [];
  const ops = await loadOperations([...MIX.map(([name]) => name), ...ROLLOVER_OPS, ...SETUP_OPS]);
  const op = (name: string) => ops.get(name)!;
  let form: RequestForm = 'query';
  try {
    const firstHeaders = { authorization: `Bearer ${keys[0]}` };
    form = await detectRequestForm(url, op('Viewer'), {}, firstHeaders);
    log(`request form: ${form === 'documentId' ? 'persisted documentId (manifest)' : 'query text'}`);
    const spec = (vu: VirtualUser, name: string, variables: Record<string, unknown>): RequestSpec => ({
      op: name,
      body: requestBody(op(name), variables, form),
      headers: vu.headers,
    });

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
          while (next < vus.length && !interrupted) {
            const vu = vus[next++]!;
            const list = await call(conn, spec(vu, 'SessionsList', { first: 20 }));
            vu.sessionIds = list.data.sessions.edges.map((e: { node: { id: string } }) => e.node.id);
            vu.jobPostingId = (await call(conn, spec(vu, 'JobPostings', { first: 1 }))).data.jobPostings.edges[0]?.node.id;
            vu.resumeId = (await call(conn, spec(vu, 'Resumes', { first: 1 }))).data.resumes.edges[0]?.node.id;
            if (!vu.jobPostingId || !vu.resumeId) throw new BenchError(`user ${vu.index} has no job posting or resume to start a session with`);
            const id = (await call(conn, spec(vu, 'CreateSession', { input: { jobPostingId: vu.jobPostingId, resumeId: vu.resumeId } }))).data.createSession.id;
            created.push({ vu, id });
            vu.active = id;
            vu.sessionIds.unshift(id);
          }
        }),
      );
    } finally {
      for (const c of setupConns) c.close();
    }
    checkStop();

    // The run.
    const random = mulberry32(cfg.seed);
    const totalWeight = MIX.reduce((a, [, w]) => a + w, 0);
    const pick = (): MixOp => {
      let r = random() * totalWeight;
      for (const [name, w] of MIX) if ((r -= w) < 0) return name;
      return MIX[0][0];
    };
    const rollover = { CompleteSession: new Samples(), CreateSession: new Samples() };
    const rolloverErrors: Record<string, number> = { CompleteSession: 0, CreateSession: 0 };
    const rolloverErrorKinds: Record<string, number> = {};
    let answerIndex = 0;

    // SubmitAnswer goes through the user's chain: its session is read when it is its turn. The
    // answer's promise settles when its response arrives; completing a finished interview and
    // starting the next one happen after that, before the user's next answer.
    const submitAnswer = (conn: Connection, vu: VirtualUser): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        vu.chain = vu.chain.then(async () => {
          try {
            if (!vu.active) await startInterview(conn, vu);
            if (!vu.active) throw new Error('SubmitAnswer: could not start an interview (CreateSession failed)');
            const res = await conn.send(spec(vu, 'SubmitAnswer', { input: { sessionId: vu.active, content: ANSWERS[answerIndex++ % ANSWERS.length] } }));
            resolve(res);
            if (failureOf(res)) {
              vu.active = null; // unknown state: the next answer starts a fresh interview
              return;
            }
            const next = (JSON.parse(res.body) as { data: { submitAnswer: { nextQuestion: unknown } } }).data.submitAnswer.nextQuestion;
            if (next === null) {
              // The interviewer asked its last question: complete it and start the next, as the frontend would.
              const finished = vu.active;
              vu.active = null;
              await timed(conn, vu, 'CompleteSession', { input: { sessionId: finished } });
              await startInterview(conn, vu);
            }
          } catch (error) {
            vu.active = null;
            reject(error as Error);
          }
        });
      });
    const timed = async (conn: Connection, vu: VirtualUser, name: 'CompleteSession' | 'CreateSession', variables: Record<string, unknown>) => {
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
      return JSON.parse(res.body) as { data: Record<string, { id: string }> };
    };
    const startInterview = async (conn: Connection, vu: VirtualUser) => {
      const r = await timed(conn, vu, 'CreateSession', { input: { jobPostingId: vu.jobPostingId, resumeId: vu.resumeId } });
      const id = r?.data.createSession?.id;
      if (id) {
        created.push({ vu, id });
        vu.active = id;
        vu.sessionIds.unshift(id);
      }
    };

    const pickSession = (vu: VirtualUser) => vu.sessionIds[Math.floor(random() * vu.sessionIds.length)]!;
    const tty = process.stderr.isTTY;
    let lastPrint = 0;
    const onProgress = (p: Progress) => {
      const line = `load ${String(Math.round(p.elapsedMs / 1000)).padStart(3)}/${cfg.durationS} s  ${String(p.currentRate).padStart(4)} req/s now, ${p.completed} done, ${p.errors} errors`;
      if (tty) process.stderr.write(`\r${line}   `);
      else if (p.elapsedMs - lastPrint >= 5000) {
        lastPrint = p.elapsedMs;
        log(line);
      }
    };
    const quietBefore = await waitForQuiet(cfg.quietWaitS, () => interrupted);
    checkStop();
    log(`load: ${cfg.rate} req/s offered by ${cfg.users} users for ${cfg.durationS} s`);
    const cpu0 = server?.cpuMs() ?? 0;
    const m0 = machineCpu();
    const procs0 = allProcesses();
    const pg0 = monitor ? await monitor.snapshot() : null;
    const result = await openLoop({
      url,
      connections: cfg.users,
      rate: cfg.rate,
      durationMs: cfg.durationS * 1000,
      next: (c) => {
        const vu = vus[c]!;
        const name = pick();
        switch (name) {
          case 'SessionsList':
            return spec(vu, name, { first: 20 });
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
      },
      send: (conn, s, c) => (s.op === 'SubmitAnswer' ? submitAnswer(conn, vus[c]!) : conn.send(s)),
      onProgress,
      shouldStop: () => interrupted,
    });
    if (tty) process.stderr.write('\r\x1b[K');
    await Promise.race([Promise.all(vus.map((vu) => vu.chain)), new Promise((r) => setTimeout(r, 10_000))]);
    const m1 = machineCpu();
    const busiest = topConsumers(procs0, allProcesses(), result.elapsedMs, 4, new Set([process.pid, ...ourPids(), ...(pg0?.keys() ?? [])]));
    const serverCpuMs = server ? server.cpuMs() - cpu0 : null;
    const pgCpuMs = monitor && pg0 ? PgMonitor.delta(pg0, await monitor.snapshot()) : null;
    const machineBusyMs = ((m1.busy - m0.busy) * 1000) / clockTicks();
    // Other processes' CPU during the run, in % of one core (only known when we run the server).
    const otherPct = serverCpuMs !== null && pgCpuMs !== null
      ? round((Math.max(0, machineBusyMs - serverCpuMs - pgCpuMs - result.clientCpuMs) / result.elapsedMs) * 100, 0)
      : null;
    checkStop();

    // Report.
    const budgetOf = (name: string) => (op(name).kind === 'mutation' ? cfg.mutationBudgetMs : cfg.queryBudgetMs);
    const rows = [
      ...MIX.map(([name, weight]) => {
        const o = result.byOp.get(name);
        const s = (o?.latency ?? new Samples()).summary();
        return { name, weight: `${weight}%`, kind: op(name).kind, count: o?.count ?? 0, errors: o?.errors ?? 0, s, budget: budgetOf(name) };
      }),
      ...ROLLOVER_OPS.map((name) => {
        const s = rollover[name].summary();
        return { name: `${name} (rollover)`, weight: '–', kind: op(name).kind, count: s.count, errors: rolloverErrors[name]!, s, budget: budgetOf(name) };
      }),
    ];
    const totalRequests = result.completed + rows.filter((r) => r.weight === '–').reduce((a, r) => a + r.count, 0);
    const totalErrors = result.errors + Object.values(rolloverErrors).reduce((a, b) => a + b, 0);
    const all = result.latency.summary();
    const summary = {
      offeredReqPerSec: cfg.rate,
      answeredReqPerSec: round(result.completed / (result.elapsedMs / 1000), 1),
      requests: totalRequests,
      errors: totalErrors,
      errorRate: round(totalErrors / Math.max(1, totalRequests), 5),
      errorKinds: { ...result.errorKinds, ...rolloverErrorKinds },
      latencyMs: { p50: round(all.p50, 2), p95: round(all.p95, 2), p99: round(all.p99, 2), max: round(all.max, 1) },
      serverCpuMsPerReq: serverCpuMs !== null ? round(serverCpuMs / Math.max(1, totalRequests), 3) : null,
      pgCpuMsPerReq: pgCpuMs !== null ? round(pgCpuMs / Math.max(1, totalRequests), 3) : null,
      clientCpuMsPerReq: round(result.clientCpuMs / Math.max(1, result.completed), 3),
      sessionsCreated: created.length,
      machineBusyPct: m1.total > m0.total ? round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 100, 0) : null,
      otherCpuPctOfCore: otherPct,
      otherLoadBeforePct: quietBefore,
      busiestOtherProcesses: busiest,
      withinBudget: rows.every((r) => r.count === 0 || r.s.p95 <= r.budget) && totalErrors === 0,
    };
    const report = {
      kind: 'cadence-loadtest',
      version: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      config: { ...cfg, databaseUrl: cfg.url ? null : redact(cfg.databaseUrl) },
      target: cfg.url ? { url: cfg.url } : { url, server: 'cadence (started by the load test)', database },
      requestForm: form,
      summary,
      operations: rows.map((r) => ({
        operation: r.name,
        share: r.weight,
        kind: r.kind,
        count: r.count,
        errors: r.errors,
        latencyMs: { p50: round(r.s.p50, 2), p95: round(r.s.p95, 2), p99: round(r.s.p99, 2), max: round(r.s.max, 1) },
        budgetMs: r.budget,
        withinBudget: r.count === 0 ? null : r.s.p95 <= r.budget,
      })),
    };
    await mkdir(cfg.out, { recursive: true });
    const stamp = timestamp(startedAt);
    const jsonFile = path.join(cfg.out, `loadtest-${stamp}.json`);
    const htmlFile = path.join(cfg.out, `loadtest-${stamp}.html`);
    await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(htmlFile, renderHtml(report));

    console.log(`\nLoad test: ${cfg.rate} req/s offered by ${cfg.users} users for ${cfg.durationS} s against ${url}` +
      ` (${form === 'documentId' ? 'persisted ids' : 'query text'})\n`);
    console.log(
      table(report.operations, [
        { title: 'operation', value: (r) => r.operation, align: 'left' },
        { title: 'share', value: (r) => r.share },
        { title: 'count', value: (r) => String(r.count) },
        { title: 'errors', value: (r) => String(r.errors) },
        { title: 'p50 ms', value: (r) => fmt(r.latencyMs.p50, 2) },
        { title: 'p95 ms', value: (r) => fmt(r.latencyMs.p95, 2) },
        { title: 'p99 ms', value: (r) => fmt(r.latencyMs.p99, 2) },
        { title: 'max ms', value: (r) => fmt(r.latencyMs.max, 1) },
        { title: 'budget', value: (r) => `${r.budgetMs} ms` },
        { title: 'p95 ok', value: (r) => (r.withinBudget === null ? '–' : r.withinBudget ? 'yes' : 'NO') },
      ]),
    );
    console.log(`\nanswered ${fmt(summary.answeredReqPerSec, 1)} of ${cfg.rate} req/s offered; ${summary.requests} requests, ` +
      `${summary.errors} errors (${fmt(summary.errorRate * 100, 3)}%)` +
      (Object.keys(summary.errorKinds).length ? `: ${Object.entries(summary.errorKinds).map(([k, v]) => `${k} ×${v}`).join(', ')}` : '') +
      (summary.serverCpuMsPerReq !== null ? `; server CPU ${fmt(summary.serverCpuMsPerReq, 2)} ms/req, PostgreSQL ${fmt(summary.pgCpuMsPerReq, 2)} ms/req` : ''));
    if (otherPct !== null && otherPct > 15) {
      console.log(`note: other processes on this machine used ${otherPct}% of a core during the run (${busiest}); latencies are disturbed.`);
    }
    console.log(`${summary.withinBudget ? 'PASS' : 'FAIL'}: every operation's p95 within its budget and no errors`);
    console.log(`\nwrote ${path.relative(process.cwd(), jsonFile)}\n      ${path.relative(process.cwd(), htmlFile)}`);
  } finally {
    if (!cfg.keep && created.length) await cleanup(url, created, op('DeleteSession'), form);
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

function renderHtml(report: {
  startedAt: string;
  summary: { offeredReqPerSec: number; answeredReqPerSec: number; requests: number; errors: number; errorRate: number; withinBudget: boolean };
  operations: { operation: string; share: string; kind: string; count: number; errors: number; latencyMs: { p50: number; p95: number; p99: number; max: number }; budgetMs: number; withinBudget: boolean | null }[];
  target: { url: string };
}): string {
  const chart = (kind: string, budget: number) => {
    const ops = report.operations.filter((o) => o.kind === kind && o.count > 0);
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
      width: 760,
    });
  };
  const s = report.summary;
  const body = `<h1>Cadence load test</h1>
<p>${esc(report.startedAt)} · ${esc(report.target.url)} · ${s.offeredReqPerSec} req/s offered, ${fmt(s.answeredReqPerSec, 1)} answered ·
${s.requests} requests, ${s.errors} errors (${fmt(s.errorRate * 100, 3)}%) ·
<span class="${s.withinBudget ? 'pass' : 'fail'}">${s.withinBudget ? 'PASS' : 'FAIL'}</span></p>
${htmlTable(
  ['operation', 'share', 'count', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'budget (p95)', 'ok'],
  report.operations.map((o) => [
    o.operation,
    o.share,
    String(o.count),
    String(o.errors),
    fmt(o.latencyMs.p50, 2),
    fmt(o.latencyMs.p95, 2),
    fmt(o.latencyMs.p99, 2),
    fmt(o.latencyMs.max, 1),
    `${o.budgetMs} ms`,
    o.withinBudget === null ? '–' : o.withinBudget ? 'yes' : 'NO',
  ]),
)}
<div class="charts">${chart('query', report.operations.find((o) => o.kind === 'query')?.budgetMs ?? 50)}${chart('mutation', report.operations.find((o) => o.kind === 'mutation')?.budgetMs ?? 100)}</div>
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

// The flooding client of `npm run bench:flood`: a process of its own (so its CPU is measured apart
// and its event loop does not delay the normal client's timings), driven over IPC by
// bench/lib/flood.ts. It sends the rejected documents of src/policy/samples.ts round-robin and
// checks every answer: the expected 4xx status and `extensions.code`, and the server's
// `Server-Timing: db;...;desc="0 statements"` (a rejected document must cost no SQL).
//
// Protocol: child → parent {type:'ready'}; parent → child {type:'start', ...FloodStart};
// child → parent {type:'started'} then, after {type:'stop'} or maxDurationMs, {type:'result'};
// {type:'exit'} (or the IPC channel closing) ends the process.
import { closedLoop, openLoop, type RequestSpec, type Response, type RunResult } from './http-load.js';

export interface FloodKind {
  name: string;
  body: string;
  /** The answer this server must give: status and extensions.code. */
  status: number;
  code: string;
}

export interface FloodStart {
  type: 'start';
  url: string;
  connections: number;
  /** Open loop at this rate (req/s) over `connections`; null: closed loop (as fast as answered). */
  rate: number | null;
  kinds: FloodKind[];
  /** Request headers, cycled (e.g. seeded API keys); empty: no Authorization header. */
  headers: Record<string, string>[];
  /** Upper bound of the run when no stop arrives. */
  maxDurationMs: number;
}

export interface FloodKindResult {
  name: string;
  count: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** Client-side latency per request, ms. */
  latencyMs: number[];
  /** Server-side time from `Server-Timing: total;dur=`, ms. */
  serverMs: number[];
  /** Answers whose Server-Timing reported one statement or more, and the statements they reported. */
  withSql: number;
  sqlStatements: number;
  /** Answers without a `db;...desc="N statements"` entry (nothing to verify the zero with). */
  noTiming: number;
}

export interface FloodResult {
  type: 'result';
  elapsedMs: number;
  completed: number;
  errors: number;
  unfinished: number;
  clientCpuMs: number;
  kinds: FloodKindResult[];
}

interface KindState {
  kind: FloodKind;
  serverMs: number[];
  errorKinds: Record<string, number>;
  withSql: number;
  sqlStatements: number;
  noTiming: number;
}

const SQL_TIMING = /db;[^,]*desc="(\d+) statements?"/;
const TOTAL_TIMING = /total;dur=([\d.]+)/;
const CODE = /"code"\s*:\s*"([A-Z_]+)"/;

/** Checks a rejection: status, code, zero statements. Returns the failure or null; records server time. */
export function checkRejection(
  res: Response,
  state: Pick<KindState, 'kind' | 'serverMs' | 'withSql' | 'sqlStatements' | 'noTiming'>,
): string | null {
  const timing = String(res.headers['server-timing'] ?? '');
  const total = TOTAL_TIMING.exec(timing);
  if (total) state.serverMs.push(Number(total[1]));
  const code = CODE.exec(res.body)?.[1] ?? null;
  let failure: string | null = null;
  // The abuse guard's delayed 429 is a correct refusal of a flooding client too.
  const rateLimited = res.status === 429 && code === 'RATE_LIMITED';
  if (!rateLimited && (res.status !== state.kind.status || code !== state.kind.code)) {
    failure = `HTTP ${res.status} ${code ?? '(no code)'} instead of ${state.kind.status} ${state.kind.code}`;
  }
  const sql = SQL_TIMING.exec(timing);
  if (!sql) {
    state.noTiming++;
    failure ??= 'no Server-Timing db entry';
  } else if (Number(sql[1]) > 0) {
    state.withSql++;
    state.sqlStatements += Number(sql[1]);
    failure ??= `${sql[1]} SQL statement(s) for a rejected document`;
  }
  return failure;
}

let stopRequested = false;

async function run(start: FloodStart): Promise<FloodResult> {
  stopRequested = false;
  const states = new Map<string, KindState>(
    start.kinds.map((kind) => [kind.name, { kind, serverMs: [], errorKinds: {}, withSql: 0, sqlStatements: 0, noTiming: 0 }]),
  );
  const n = start.kinds.length;
  const spec = (i: number): RequestSpec => {
    const kind = start.kinds[i % n]!;
    return { op: kind.name, body: kind.body, headers: start.headers.length ? start.headers[i % start.headers.length]! : {} };
  };
  const check = (res: Response, s: RequestSpec): string | null => {
    const state = states.get(s.op)!;
    const failure = checkRejection(res, state);
    if (failure) state.errorKinds[failure] = (state.errorKinds[failure] ?? 0) + 1;
    return failure;
  };
  // Closed loop: connection c starts at kind c and walks through them, so every kind is in flight.
  const sent = new Array<number>(start.connections).fill(0);
  process.send!({ type: 'started' });
  let r: RunResult;
  if (start.rate === null) {
    r = await closedLoop({
      url: start.url,
      connections: start.connections,
      durationMs: start.maxDurationMs,
      next: (c) => spec(c + sent[c]!++),
      check,
      shouldStop: () => stopRequested,
    });
  } else {
    r = await openLoop({
      url: start.url,
      connections: start.connections,
      rate: start.rate,
      durationMs: start.maxDurationMs,
      drainMs: 5000,
      next: (_c, i) => spec(i),
      check,
      shouldStop: () => stopRequested,
    });
  }
  // Transport failures (timeouts, resets) never reach `check`: count them under their kind too.
  return {
    type: 'result',
    elapsedMs: r.elapsedMs,
    completed: r.completed,
    errors: r.errors,
    unfinished: r.unfinished,
    clientCpuMs: r.clientCpuMs,
    kinds: start.kinds.map((kind) => {
      const s = states.get(kind.name)!;
      const op = r.byOp.get(kind.name);
      const checked = Object.values(s.errorKinds).reduce((a, b) => a + b, 0);
      const errorKinds = { ...s.errorKinds };
      if (op && op.errors > checked) errorKinds['transport error (timeout, reset)'] = op.errors - checked;
      return {
        name: kind.name,
        count: op?.count ?? 0,
        errors: op?.errors ?? 0,
        errorKinds,
        latencyMs: op?.latency.values() ?? [],
        serverMs: s.serverMs,
        withSql: s.withSql,
        sqlStatements: s.sqlStatements,
        noTiming: s.noTiming,
      };
    }),
  };
}

// Only when run as the child process (bench/lib/flood.ts imports the types and checkRejection).
if (process.send && process.env.CADENCE_FLOOD_CLIENT === '1') {
  let running: Promise<void> | null = null;
  process.on('message', (msg: { type: 'stop' | 'exit' } | FloodStart) => {
    if (msg.type === 'stop') stopRequested = true;
    else if (msg.type === 'exit') process.exit(0);
    else if (msg.type === 'start' && !running) {
      running = run(msg)
        .then((result) => void process.send!(result))
        .catch((error: unknown) => void process.send!({ type: 'error', message: (error as Error).stack ?? String(error) }))
        .finally(() => (running = null));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => (stopRequested = true)); // the parent handles ^C and stops us
  process.send({ type: 'ready' });
}

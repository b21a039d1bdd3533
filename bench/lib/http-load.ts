// HTTP load generation: closed loop (N connections, each sends its next request when the last
// one is answered) and open loop (requests scheduled at a fixed rate whatever the server does,
// spread round-robin over N connections; latency is measured from the scheduled time, so a
// stalled server shows up in the percentiles instead of silently lowering the offered load).
//
// Hand-written on node:http rather than autocannon: autocannon has no true open loop (its rate
// option throttles a closed loop and hides queueing), does not report p95, and cannot check each
// GraphQL body for `errors` or chain the load test's mutations. One keep-alive socket per
// connection (an Agent with maxSockets 1), so "50 connections" means 50 TCP connections.
import http from 'node:http';
import { Samples } from './stats.js';

export interface RequestSpec {
  /** Label for per-operation statistics (load test). */
  op: string;
  body: string;
  headers: Record<string, string>;
}

export interface Response {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Why a response is not a success: a non-2xx status, a transport error, or `errors` in the body. */
export function failureOf(res: Response): string | null {
  if (res.status !== 200) return `HTTP ${res.status}${errorCodeOf(res.body)}`;
  // Cheap first: the substring is absent from nearly every body; parse only when it is there.
  if (res.body.includes('"errors"')) {
    try {
      const parsed = JSON.parse(res.body) as { errors?: unknown[] };
      if (parsed.errors?.length) return `GraphQL errors${errorCodeOf(res.body)}`;
    } catch {
      return 'unparsable body';
    }
  }
  if (!res.body.startsWith('{')) return 'unparsable body';
  return null;
}

function errorCodeOf(body: string): string {
  const m = /"code"\s*:\s*"([A-Z_]+)"/.exec(body);
  return m ? ` ${m[1]}` : '';
}

export class Connection {
  private agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;

  constructor(
    url: string,
    private readonly timeoutMs = 10_000,
  ) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.path = u.pathname + u.search;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, scheduling: 'fifo' });
  }

  send(spec: RequestSpec): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          path: this.path,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            'content-length': Buffer.byteLength(spec.body),
            ...spec.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(spec.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface RunResult {
  /** Wall time from the first request to the last answer, ms. */
  elapsedMs: number;
  completed: number;
  errors: number;
  /** Error message → count (first 20 distinct). */
  errorKinds: Record<string, number>;
  latency: Samples;
  /** Per operation (the load test mixes several). */
  byOp: Map<string, { latency: Samples; errors: number; count: number }>;
  /** Requests still unanswered when the run was cut off (open loop only); counted as errors. */
  unfinished: number;
  /** CPU time of this (load-generating) process during the run, ms. */
  clientCpuMs: number;
  /** The slowest request: its latency and when it was sent, ms after the run's start. */
  slowest: { latencyMs: number; sentAtMs: number };
}

export interface Progress {
  elapsedMs: number;
  completed: number;
  errors: number;
  /** Answers in the last second. */
  currentRate: number;
}

class Recorder {
  latency = new Samples();
  completed = 0;
  errors = 0;
  errorKinds: Record<string, number> = {};
  byOp = new Map<string, { latency: Samples; errors: number; count: number }>();
  /** The slowest request: its latency and when it was sent, ms after the run's start. */
  slowest = { latencyMs: 0, sentAtMs: 0 };

  record(op: string, latencyMs: number, failure: string | null, sentAtMs: number): void {
    this.completed++;
    if (latencyMs > this.slowest.latencyMs) this.slowest = { latencyMs, sentAtMs };
    this.latency.add(latencyMs);
    let o = this.byOp.get(op);
    if (!o) this.byOp.set(op, (o = { latency: new Samples(), errors: 0, count: 0 }));
    o.count++;
    o.latency.add(latencyMs);
    if (failure) {
      this.errors++;
      o.errors++;
      const kinds = Object.keys(this.errorKinds).length;
      if (this.errorKinds[failure] !== undefined || kinds < 20) this.errorKinds[failure] = (this.errorKinds[failure] ?? 0) + 1;
    }
  }
}

function ticker(rec: Recorder, started: number, onProgress?: (p: Progress) => void): () => void {
  if (!onProgress) return () => {};
  let last = rec.completed;
  const timer = setInterval(() => {
    onProgress({ elapsedMs: performance.now() - started, completed: rec.completed, errors: rec.errors, currentRate: rec.completed - last });
    last = rec.completed;
  }, 1000);
  return () => clearInterval(timer);
}

/**
 * Closed loop: `connections` loops, each sending `next()` and waiting for its answer, until
 * `durationMs` has passed (requests in flight then are finished and counted).
 * `check` may inspect each answer (and throw nothing); it returns a failure or null.
 */
export async function closedLoop(opts: {
  url: string;
  connections: number;
  durationMs: number;
  next: (connection: number) => RequestSpec;
  check?: (res: Response, spec: RequestSpec) => string | null;
  onProgress?: (p: Progress) => void;
  shouldStop?: () => boolean;
}): Promise<RunResult> {
  const rec = new Recorder();
  const conns = Array.from({ length: opts.connections }, () => new Connection(opts.url));
  const check = opts.check ?? failureOf;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const end = started + opts.durationMs;
  const stopTicker = ticker(rec, started, opts.onProgress);
  try {
    await Promise.all(
      conns.map(async (conn, i) => {
        while (performance.now() < end && !opts.shouldStop?.()) {
          const spec = opts.next(i);
          const t0 = performance.now();
          let failure: string | null;
          try {
            failure = check(await conn.send(spec), spec);
          } catch (error) {
            failure = (error as Error).message;
          }
          rec.record(spec.op, performance.now() - t0, failure, t0 - started);
          if (failure && /ECONNREFUSED|socket hang up/.test(failure)) await new Promise((r) => setTimeout(r, 50));
        }
      }),
    );
  } finally {
    stopTicker();
    for (const c of conns) c.close();
  }
  const cpu = process.cpuUsage(cpu0);
  return finish(rec, performance.now() - started, 0, (cpu.user + cpu.system) / 1000);
}

/**
 * Open loop: `rate` requests per second for `durationMs`, request i on connection i % connections
 * (each connection sends one at a time; a request waits for its connection as a browser tab
 * would). Latency counts from the scheduled send time. After the last one is scheduled, answers
 * are awaited for at most `drainMs`; the rest are cut off and counted as errors.
 */
export async function openLoop(opts: {
  url: string;
  connections: number;
  rate: number;
  durationMs: number;
  drainMs?: number;
  next: (connection: number, index: number) => RequestSpec | Promise<RequestSpec>;
  /** Sends the request itself (the load test chains mutations); default: the connection's send. */
  send?: (conn: Connection, spec: RequestSpec, connection: number) => Promise<Response>;
  check?: (res: Response, spec: RequestSpec) => string | null;
  onProgress?: (p: Progress) => void;
  shouldStop?: () => boolean;
  /** Each recorded answer, for time series: latency from the scheduled time, sent ms after the start. */
  onRecord?: (op: string, latencyMs: number, failed: boolean, sentAtMs: number) => void;
  /**
   * Work the caller chains after an answer on these connections (the load test completes an
   * interview and starts the next after its last answer): awaited, within the drain, before the
   * connections close, so a request still on its way is not cut off as a "socket hang up".
   */
  settle?: () => Promise<unknown>;
}): Promise<RunResult> {
  const rec = new Recorder();
  const conns = Array.from({ length: opts.connections }, () => new Connection(opts.url));
  const check = opts.check ?? failureOf;
  const send = opts.send ?? ((conn, spec) => conn.send(spec));
  const interval = 1000 / opts.rate;
  const total = Math.max(1, Math.round((opts.durationMs / 1000) * opts.rate));
  const inFlight = new Set<Promise<void>>();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const stopTicker = ticker(rec, started, opts.onProgress);

  let index = 0;
  const fire = (scheduled: number) => {
    const i = index++;
    const c = i % conns.length;
    const p = (async () => {
      let op = 'request';
      let failure: string | null;
      try {
        const spec = await opts.next(c, i);
        op = spec.op;
        failure = check(await send(conns[c]!, spec, c), spec);
      } catch (error) {
        failure = (error as Error).message;
      }
      if (!cutOff) {
        const latencyMs = performance.now() - scheduled;
        rec.record(op, latencyMs, failure, scheduled - started);
        opts.onRecord?.(op, latencyMs, failure !== null, scheduled - started);
      }
    })();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  let cutOff = false;
  try {
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        // Catch up on every request due by now (timers are coarse), each with its own scheduled time.
        while (index < total && started + index * interval <= now) {
          if (opts.shouldStop?.()) {
            resolve();
            return;
          }
          fire(started + index * interval);
        }
        if (index >= total) return resolve();
        setTimeout(tick, Math.max(0, started + index * interval - performance.now()));
      };
      tick();
    });
    const drainUntil = performance.now() + (opts.drainMs ?? 10_000);
    while (inFlight.size > 0 && performance.now() < drainUntil) {
      await Promise.race([Promise.race(inFlight), new Promise((r) => setTimeout(r, 100))]);
    }
    const unfinished = inFlight.size;
    cutOff = true;
    if (opts.settle) await Promise.race([opts.settle(), new Promise((r) => setTimeout(r, Math.max(0, drainUntil - performance.now())))]);
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const result = finish(rec, elapsed, unfinished, (cpu.user + cpu.system) / 1000);
    if (unfinished > 0) {
      result.errors += unfinished;
      result.errorKinds[`unanswered after the ${(opts.drainMs ?? 10_000) / 1000} s drain`] = unfinished;
    }
    return result;
  } finally {
    stopTicker();
    for (const c of conns) c.close();
  }
}

function finish(rec: Recorder, elapsedMs: number, unfinished: number, clientCpuMs: number): RunResult {
  return {
    elapsedMs,
    completed: rec.completed,
    errors: rec.errors,
    errorKinds: rec.errorKinds,
    latency: rec.latency,
    byOp: rec.byOp,
    unfinished,
    clientCpuMs,
    slowest: rec.slowest,
  };
}

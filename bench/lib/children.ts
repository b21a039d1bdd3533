// Servers under test as child processes: started with `node --import tsx`, watched, always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, BenchError, PROJECT_ROOT, log } from './cli.js';
import { PEER_ENTRY, PEER_NODE } from './postgraphile.js';
import { descendants, treeCpuMs } from './proc.js';

export const SERVER_KINDS = ['cadence', 'reference', 'cached', 'naive', 'raw', 'postgraphile'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

const ENTRY: Record<ServerKind, string> = {
  cadence: 'src/main.ts',
  reference: 'src/main.ts',
  cached: 'src/main.ts',
  naive: 'bench/naive/server.ts',
  raw: 'bench/raw/server.ts',
  postgraphile: PEER_ENTRY,
};

const EXIT_WITH_PARENT = pathToFileURL(path.join(BENCH_DIR, 'lib', 'exit-with-parent.mjs')).href;

export interface ServerHandle {
  kind: ServerKind;
  pid: number;
  port: number;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** utime + stime of the server process so far, ms. */
  cpuMs(): number;
  /** Lines the server has written to stdout/stderr so far (log lines under load are a cost too). */
  logLines(): number;
  /** The last lines it wrote, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
/** Children being stopped on purpose: their exit is not worth a warning. */
const stopping = new WeakSet<ChildProcess>();
let handlersInstalled = false;

/**
 * Kill every child on exit. On SIGINT/SIGTERM call `onInterrupt` (the caller's loops stop within
 * a request or two and its `finally` blocks stop the servers and clean up), and force the exit
 * 20 s later or at a second signal.
 */
export function installExitHandlers(onInterrupt?: () => void): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (interrupted) process.exit(code); // a second ^C: no more waiting (the exit hook kills the children)
    interrupted = true;
    log(`\n${signal}: stopping (press again to force)…`);
    if (onInterrupt) onInterrupt();
    else void stopAll().finally(() => process.exit(code));
    setTimeout(() => void stopAll().finally(() => process.exit(code)), 20_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Pids of the servers running now. */
/** Our servers' pids and their descendants (a cluster's workers): not "other processes". */
export function ourPids(): number[] {
  return [...children].flatMap((c) => (c.pid ? [c.pid, ...descendants(c.pid)] : []));
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

function stopChild(child: ChildProcess): Promise<void> {
  stopping.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A free TCP port on 127.0.0.1 (bound and released; the tiny race is acceptable here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  databaseUrl: string;
  port?: number;
  /** Extra environment (e.g. DB_POOL_SIZE). */
  env?: Record<string, string>;
  /** Extra node flags, before the entry point (e.g. --cpu-prof). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export async function startServer(kind: ServerKind, opts: StartOptions): Promise<ServerHandle> {
  const port = opts.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: opts.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DEMO: 'false',
    GRAPHIQL: 'false',
    // A benchmark client sends thousands of requests a minute with one key: rate limits off
    // (they have their own tests, test/plugins/rate-limit.test.ts); a caller's env may turn them on.
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_BURST: '0',
    // One process unless the caller asks for more (production would default to one per core):
    // the server's CPU figure is that one process's.
    WEB_CONCURRENCY: process.env.WEB_CONCURRENCY ?? '1',
    // `cached` is Cadence with the response cache on whatever the caller's environment says;
    // `npm run bench` turns it off for `cadence`, which measures resolution.
    ...(kind === 'cached' ? { RESPONSE_CACHE_TTL_MS: '10000' } : {}),
    // `reference` is Cadence with compiled execution off (issue 9): graphql-js + Pothos resolve.
    ...(kind === 'reference' ? { COMPILED_EXECUTION: '0', RESPONSE_CACHE_TTL_MS: '0' } : {}),
    ...opts.env,
  };
  // PostGraphile 5 runs on its own Node 22 (bench/lib/postgraphile.ts installs it); it is plain ESM, no tsx.
  const [nodeBin, loader] = kind === 'postgraphile' ? [PEER_NODE, []] : [process.execPath, ['--import', 'tsx']];
  const child = spawn(nodeBin, [...(opts.nodeArgs ?? []), ...loader, '--import', EXIT_WITH_PARENT, ENTRY[kind]], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));

  const tailLines: string[] = [];
  let lines = 0;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      lines++;
      tailLines.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (tailLines.length > 20) tailLines.shift();
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const tail = () => tailLines.join('\n');

  const handle: ServerHandle = {
    kind,
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    // The whole tree: with WEB_CONCURRENCY > 1 the work is done by the cluster's workers.
    cpuMs: () => treeCpuMs(child.pid!) ?? NaN,
    logLines: () => lines,
    tail,
    stop: () => stopChild(child),
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new BenchError(`${kind} server exited during start-up (${child.exitCode ?? child.signalCode}):\n${tail()}`);
    }
    if (await isHealthy(port)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new BenchError(`${kind} server did not answer GET /health within ${(opts.readyTimeoutMs ?? 60_000) / 1000} s:\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) log(`warning: ${kind} server (pid ${child.pid}) exited unexpectedly (${code ?? signal}):\n${tail()}`);
  });
  return handle;
}

function isHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

// Cadence as a real child process (`node --import tsx src/main.ts`), for what only a process
// shows: signals, exit codes, sockets. Reads its pino lines from stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface LogLine {
  msg?: string;
  level?: string;
  [key: string]: unknown;
}

export interface CadenceChild {
  process: ChildProcess;
  port: number;
  lines: LogLine[];
  stderr: () => string;
  /** Resolves with the first log line matching `test` (already seen or to come). */
  waitForLine(test: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Runs main.ts with `env` added to a clean environment; without `port`, waits until it listens. */
export function runCadence(env: Record<string, string>): {
  child: ChildProcess;
  lines: LogLine[];
  stderr: () => string;
  exited: CadenceChild['exited'];
  waitForLine: CadenceChild['waitForLine'];
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // Only what the server needs: the test runner's own variables (NODE_ENV, REDIS_URL…) stay out.
    // Rate limits off: these tests send hundreds of requests from one client (the limits have their own tests).
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RATE_LIMIT_BURST: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitForLine = (test: (line: LogLine) => boolean, timeoutMs = 60_000) => {
    const seen = lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${err.slice(0, 500)}`)), timeoutMs);
      waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`process exited before the log line; stderr: ${err.slice(0, 500)}`));
      });
    });
  };
  return { child, lines, stderr: () => err, exited, waitForLine };
}

/** Starts Cadence and resolves once it listens, with its port. */
export async function startCadence(env: Record<string, string>): Promise<CadenceChild> {
  const run = runCadence(env);
  const listening = await run.waitForLine((line) => line.msg === 'Cadence is listening');
  return {
    process: run.child,
    port: Number(listening.port),
    lines: run.lines,
    stderr: run.stderr,
    waitForLine: run.waitForLine,
    exited: run.exited,
    async stop() {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exited;
    },
  };
}

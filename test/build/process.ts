// A child process a test starts and stops: waits for an HTTP URL to answer, keeps its output for
// assertion messages, and stops it with SIGTERM (SIGKILL after a grace period).
import { spawn, type SpawnOptions } from 'node:child_process';

export interface StartedProcess {
  pid: number;
  /** Resolves when `url` answers 200; rejects with the process's output if it exits or times out. */
  waitFor(url: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
  /** Resolves with the exit code once the process has exited (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
}

export function startProcess(command: string, args: string[], options: SpawnOptions): StartedProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  return {
    pid: child.pid ?? 0,
    exited,
    output: () => output,
    async waitFor(url, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitCode !== undefined) throw new Error(`process exited (${exitCode}) before ${url} answered:\n${output}`);
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
          await response.body?.cancel();
          if (response.ok) return;
        } catch {
          // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${output}`);
    },
    async stop(graceMs = 15_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A TCP port free on 127.0.0.1 right now. */
/** Re-exported for this folder's tests. */
export { freePort } from '../support/free-port.js';

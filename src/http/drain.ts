// Draining an HTTP server on shutdown: stop taking work, let requests in flight finish within a
// grace period, and tell kept-alive clients to go elsewhere (docs/reliability.md, "Process lifecycle").
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpServer } from './server.js';

export interface DrainOptions {
  /** How long requests in flight may take. */
  graceMs: number;
  /** How often idle kept-alive sockets are closed while draining. @default 100 */
  sweepEveryMs?: number;
  /**
   * Pause between switching to draining and closing the listener. node:http's close() drops idle
   * sockets at once, and a socket whose request bytes arrived just before the signal but were not
   * yet read counts as idle: the pause lets them be read, so they get an answer instead of a reset.
   * @default 50
   */
  settleMs?: number;
}

export interface DrainOutcome {
  /** True when the grace period ran out before every connection had ended. */
  timedOut: boolean;
  /** Requests still in flight when the grace period ran out (their connections were cut). */
  abandoned: number;
  durationMs: number;
}

/**
 * Resolves once every connection has ended, or when the grace period runs out (then the rest are
 * cut). From the start, every response carries `Connection: close`, so a kept-alive client sends
 * its next request to another instance (or gets a refused connection) rather than to this one.
 */
export async function drainServer(http: HttpServer, options: DrainOptions): Promise<DrainOutcome> {
  const started = performance.now();
  http.startDraining();
  let sweeper: NodeJS.Timeout | undefined;
  let over = false;
  const closed = new Promise<void>((resolve) => {
    // setImmediate after the pause: at least one poll phase (socket reads) runs between the timer
    // and close(), even if the event loop was blocked through the whole pause.
    void sleep(options.settleMs ?? 50)
      .then(() => new Promise((next) => setImmediate(next)))
      .then(() => {
        if (over) return; // The grace period ran out first (a grace shorter than the pause).
        http.server.close(() => resolve());
        // A socket answered before draining began stays open (keep-alive) once its response is
        // written; close such sockets as they turn idle, not only once.
        sweeper = setInterval(() => http.server.closeIdleConnections(), options.sweepEveryMs ?? 100);
      });
  });
  let graceTimer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => {
    graceTimer = setTimeout(() => resolve('grace over'), options.graceMs);
  });
  try {
    const winner = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
    if (winner === 'closed') return { timedOut: false, abandoned: 0, durationMs: performance.now() - started };
    const abandoned = http.inFlight;
    if (http.server.listening) http.server.close();
    http.server.closeAllConnections();
    return { timedOut: true, abandoned, durationMs: performance.now() - started };
  } finally {
    over = true;
    clearInterval(sweeper);
    clearTimeout(graceTimer);
  }
}

// What SIGTERM and SIGINT do: drain HTTP, then close what the process holds (Yoga's hooks, the
// database pool, Redis) and exit 0; exit 1 only when the grace period ran out with requests in flight.
import type { Logger } from 'pino';
import { drainServer } from './drain.js';
import type { HttpServer } from './server.js';

/** How long each resource may take to close before the process exits without it. */
const CLOSE_TIMEOUT_MS = 5_000;

export interface ShutdownOptions {
  http: HttpServer;
  log: Logger;
  graceMs: number;
  /** Closed in order after the drain, each bounded by CLOSE_TIMEOUT_MS. */
  resources: { name: string; close: () => Promise<unknown> | unknown }[];
  /** @default process.exit */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns the shutdown itself (for a caller that wants it without a signal). */
export function handleShutdownSignals(options: ShutdownOptions): (signal: string) => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => (stopping ??= shutdown(signal, options));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
  return stop;
}

async function shutdown(signal: string, { http, log, graceMs, resources, exit = process.exit }: ShutdownOptions): Promise<void> {
  log.info({ signal, inFlight: http.inFlight, graceMs }, 'draining: readiness now 503, new requests get Connection: close');
  const outcome = await drainServer(http, { graceMs });
  if (outcome.timedOut && outcome.abandoned > 0) {
    log.error({ abandoned: outcome.abandoned, graceMs }, 'grace period over: requests still in flight were cut');
  } else {
    log.info({ durationMs: Math.round(outcome.durationMs) }, 'drained: every request answered');
  }
  for (const resource of resources) {
    try {
      await withTimeout(Promise.resolve(resource.close()), CLOSE_TIMEOUT_MS);
      log.info({ resource: resource.name }, 'closed');
    } catch (error) {
      log.warn(
        { resource: resource.name, err: { message: error instanceof Error ? error.message : String(error) } },
        'could not close cleanly',
      );
    }
  }
  log.info('stopped');
  // pino writes to stdout asynchronously only with a transport; the default destination is sync.
  exit(outcome.timedOut && outcome.abandoned > 0 ? 1 : 0);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// PostgreSQL faults by meaning: the database cannot be reached or lost the connection (503, retry
// soon), or it took too long (504). Anything else is not a dependency fault. Read through the
// whole cause chain, whichever layer raised it: pg, pg-pool, the driver adapter, Prisma.

export type DependencyFault = 'unavailable' | 'timeout';

const UNAVAILABLE_CODES = new Set([
  // Driver adapter kinds (@prisma/adapter-pg)
  'DatabaseNotReachable',
  'ConnectionClosed',
  'TooManyConnections',
  'SocketTimeout',
  // Node sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections, connection exceptions
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '08P01',
  // Prisma: can't reach, connection timed out, server closed the connection, pool timeout
  'P1001',
  'P1002',
  'P1017',
  'P2024',
]);

const TIMEOUT_CODES = new Set([
  // PostgreSQL query_canceled (statement_timeout)
  '57014',
  // Prisma: operation timed out
  'P1008',
]);

const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|server closed the connection|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Unable to start a transaction in the given time|Cannot use a pool after calling end|Client was closed/i;
const TIMEOUT_MESSAGES = /canceling statement due to statement timeout|Query read timeout|expired transaction|Transaction already closed/i;

interface Shape {
  code?: unknown;
  /** A DriverAdapterError's cause is `{ kind, originalCode? }` itself (thrown raw from a transaction). */
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
}

export function dependencyFault(error: unknown): DependencyFault | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    const e = current as Shape;
    const adapter = e.meta?.driverAdapterError?.cause;
    const codes = [e.code, e.kind, e.originalCode, adapter?.kind, adapter?.originalCode].filter((c): c is string => typeof c === 'string');
    if (codes.some((c) => TIMEOUT_CODES.has(c))) return 'timeout';
    if (codes.some((c) => UNAVAILABLE_CODES.has(c))) return 'unavailable';
    if (typeof e.message === 'string') {
      if (TIMEOUT_MESSAGES.test(e.message)) return 'timeout';
      if (UNAVAILABLE_MESSAGES.test(e.message)) return 'unavailable';
    }
    current = e.cause;
  }
  return undefined;
}

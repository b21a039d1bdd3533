// Recognising database errors by meaning, whichever driver adapter raised them.

interface WithCode {
  code?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
}

function codes(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const e = current as WithCode;
    if (typeof e.code === 'string') found.push(e.code);
    const adapterCause = e.meta?.driverAdapterError?.cause;
    if (adapterCause) {
      if (typeof adapterCause.kind === 'string') found.push(adapterCause.kind);
      if (typeof adapterCause.originalCode === 'string') found.push(adapterCause.originalCode);
    }
    current = e.cause;
  }
  return found;
}

/** Unique constraint violated (Prisma P2002, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return codes(error).some((c) => c === 'P2002' || c === '23505' || c === 'UniqueConstraintViolation');
}

/**
 * The database chose this transaction as the victim of a deadlock or a serialization failure
 * (Prisma P2034, PostgreSQL 40P01 / 40001): it was rolled back whole, and running it again is safe.
 */
export function isRetryableConflict(error: unknown): boolean {
  return codes(error).some((c) => c === 'P2034' || c === '40P01' || c === '40001' || c === 'TransactionWriteConflict');
}

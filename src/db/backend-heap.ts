// Keeps each pooled PostgreSQL backend from handing its heap back to the kernel after every
// statement.
//
// A compiled statement builds its JSON answer in PostgreSQL: a few hundred KB of memory-context
// blocks, all freed when the statement ends. glibc's malloc returns the free top of the heap to
// the kernel once it exceeds M_TRIM_THRESHOLD (128 KB by default), so the next statement grows it
// again and page-faults on every fresh page. Measured on SessionsList (first: 20), one connection,
// 2,000 calls: 154 minor faults and 1.0 ms of system CPU per call, 2.6–3.5 ms wall; with the
// threshold raised, 0 faults, 0.07 ms system, 0.9–1.0 ms wall (docs/performance.md).
//
// glibc raises the threshold by itself, for the life of the process, when a block it had
// allocated with mmap (anything above M_MMAP_THRESHOLD, 128 KB at first) is freed: the mmap
// threshold becomes that block's size and the trim threshold twice that (mallopt(3), "dynamic
// mmap threshold"). PostgreSQL gives a large palloc its own malloc block, so one statement that
// allocates and frees half the wanted threshold, run once per new connection, sets it. On a
// server whose libc is not glibc it is one harmless 4 MB allocation.
import type pg from 'pg';

/**
 * The pool's `onConnect` hook: raises the threshold on every new connection before pg-pool hands
 * it out (pg-pool awaits it). Undefined when `thresholdMb` is 0 (off).
 */
export function backendTrimThresholdHook(thresholdMb: number): ((client: pg.ClientBase) => Promise<void>) | undefined {
  if (thresholdMb <= 0) return undefined;
  const bytes = Math.floor((thresholdMb * 1024 * 1024) / 2);
  // A constant: the planner folds it, allocating and freeing the block while it plans.
  const sql = `SELECT length(repeat('x', ${bytes})) AS cadence_heap_warmup`;
  return async (client) => {
    // A connection that fails here fails its first real statement the same way; an optimisation
    // must not add a failure of its own.
    await client.query(sql).catch(() => {});
  };
}

// Keeps the queue table's planner statistics fresh and its dead rows few, as autovacuum would.
// `operations` churns like no other table: a row per answer, and a dead version per status change
// (claimed, finished). Where autovacuum is off or lags (this project's CI machines run PostgreSQL
// with autovacuum = off), its statistics stay those of the table as it was at the last ANALYZE —
// empty, after a deploy or a test reset — and the planner keeps choosing plans for an empty table
// while it grows: in a 15-minute soak PostgreSQL's CPU per request went from 1.4 to 3.9 ms and the
// p95 drifted from 15 to over 100 ms; with `VACUUM (ANALYZE) operations` every 30 s the same soak
// cost PostgreSQL 0.99 ms/request and held its reads within budget (docs/scaling.md).
import type { Db } from '../db/client.js';

/** What the look found, and whether it vacuumed. */
export interface UpkeepResult {
  action: 'vacuumed' | 'not needed' | 'unavailable';
  /** Rows changed since the last ANALYZE (PostgreSQL's own counter). */
  modifiedSinceAnalyze?: number;
  deadRows?: number;
  /** Why it could not look or vacuum (no statistics view, no privilege, the database away). */
  error?: string;
}

/**
 * Vacuums and analyses `operations` when autovacuum's own rule says it is due (more than 50 rows
 * plus 10 % of the table changed since the last ANALYZE, or as many dead rows), and nobody else is
 * doing it. Harmless where autovacuum keeps up: it then finds nothing due.
 */
export async function upkeepQueueTable(db: Db): Promise<UpkeepResult> {
  let found: { modifiedSinceAnalyze: number; deadRows: number } | undefined;
  try {
    // `may`: VACUUM by anyone but the owner (or a superuser) only warns and skips the table.
    const [stats] = await db.$queryRaw<{ live: number; dead: number; modified: number; may: boolean }[]>`
      SELECT n_live_tup::int AS live, n_dead_tup::int AS dead, n_mod_since_analyze::int AS modified,
             pg_has_role(c.relowner, 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS may
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relid = 'operations'::regclass`;
    if (!stats) return { action: 'unavailable', error: 'no statistics for operations' };
    found = { modifiedSinceAnalyze: stats.modified, deadRows: stats.dead };
    if (!stats.may) return { action: 'unavailable', ...found, error: 'only the owner of operations may vacuum it' };
    const threshold = 50 + 0.1 * stats.live;
    if (stats.modified <= threshold && stats.dead <= threshold) return { action: 'not needed', ...found };
    // SKIP_LOCKED: another instance (or autovacuum) already at it is enough. VACUUM does not block
    // the queue's reads and writes; it cannot run inside a transaction, hence not $transaction.
    await db.$executeRawUnsafe('VACUUM (ANALYZE, SKIP_LOCKED) operations');
    return { action: 'vacuumed', ...found };
  } catch (error) {
    return { action: 'unavailable', ...found, error: (error as Error).message };
  }
}

// Sends a compiled statement. On PostgreSQL it goes to the pg pool Prisma's adapter uses (the
// replica's inside a read scope), as a named prepared statement, and its one text column comes
// back as the string PostgreSQL sent: Prisma's raw query API cost 0.3 ms CPU more per request
// (docs/performance.md) in argument and result conversion this statement does not need. Since
// Prisma does not see it, it is reported to the SQL listeners here, as Prisma's query event would
// be (per-request counts, the trace, the slow-SQL log). PGlite goes through Prisma.
import { db, directPool, reportSql } from '../db/client.js';
import type { StatementRow } from './plan.js';

export async function runStatement(sql: string, params: readonly unknown[]): Promise<StatementRow | undefined> {
  const direct = directPool();
  if (!direct) {
    const [row] = await db().$queryRawUnsafe<StatementRow[]>(sql, ...params);
    return row;
  }
  const started = performance.now();
  try {
    const { rows } = await direct.pool.query<StatementRow>({ name: direct.statementName(sql), text: sql, values: params as unknown[] });
    return rows[0];
  } finally {
    reportSql({ sql, durationMs: performance.now() - started, params: JSON.stringify(params), background: false });
  }
}

// The queue table's upkeep (src/queue/table-upkeep.ts): where autovacuum does not keep up (this
// project's CI PostgreSQL runs with autovacuum off), the worker vacuums and analyses `operations`
// once enough of it changed, so the planner does not keep planning for the empty table it saw.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeterministicProvider } from '../../src/coach/providers/deterministic.js';
import { upkeepQueueTable } from '../../src/queue/table-upkeep.js';
import { openQueueWorld, sessionWithPendingAnswers, worker, type QueueWorld } from './support.js';

let world: QueueWorld;
let client: pg.Client;

beforeAll(async () => {
  world = await openQueueWorld();
  client = new pg.Client({ connectionString: world.scratch.url });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await world?.close();
});

/** Our statistics reach the shared counters now, not at the next idle second. */
async function flushStats(): Promise<void> {
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT 1');
  await client.query('SELECT pg_stat_clear_snapshot()');
}

const reltuples = async () =>
  Number((await client.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'operations'")).rows[0]!.n);

describe('upkeepQueueTable', () => {
  it('leaves a quiet table alone, vacuums and analyses one that changed, then finds nothing due', async () => {
    await client.query('ANALYZE operations'); // as after a deploy: statistics of an empty table
    expect(await reltuples()).toBe(0);
    expect((await upkeepQueueTable(world.database.prisma)).action).toBe('not needed');

    // 2,000 jobs, then each finished: rows inserted and a dead version per row.
    const { sessionId } = await sessionWithPendingAnswers(world.database, 1);
    await client.query(
      `INSERT INTO operations (id, session_id, kind, status, created_at, updated_at, run_after)
       SELECT gen_random_uuid(), $1, 'ANSWER_FEEDBACK', 'PENDING', now(), now(), now() FROM generate_series(1, 2000)`,
      [sessionId],
    );
    await client.query(`UPDATE operations SET status = 'SUCCEEDED', finished_at = now()`);
    await flushStats();

    const result = await upkeepQueueTable(world.database.prisma);
    expect(result.action).toBe('vacuumed');
    expect(result.modifiedSinceAnalyze).toBeGreaterThanOrEqual(4000);
    expect(await reltuples()).toBe(2001);
    await flushStats();
    const after = await client.query<{ dead: number; modified: number }>(
      "SELECT n_dead_tup::int AS dead, n_mod_since_analyze::int AS modified FROM pg_stat_user_tables WHERE relname = 'operations'",
    );
    expect(after.rows[0]).toEqual({ dead: 0, modified: 0 });
    expect((await upkeepQueueTable(world.database.prisma)).action).toBe('not needed');
  });

  it('reports a database it cannot reach instead of throwing', async () => {
    const { openDatabase } = await import('../../src/db/client.js');
    const gone = await openDatabase({ ...world.config, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere', DB_POOL_MIN: 0 });
    try {
      const result = await upkeepQueueTable(gone.prisma);
      expect(result.action).toBe('unavailable');
      expect(result.error).toBeTruthy();
    } finally {
      await gone.close();
    }
  });

  it('says so instead of vacuuming when its role does not own the table (VACUUM would only warn)', async () => {
    const role = `cadence_upkeep_${process.pid}`;
    await client.query(`CREATE ROLE ${role} LOGIN`);
    await client.query(`GRANT SELECT ON operations TO ${role}`);
    const { openDatabase } = await import('../../src/db/client.js');
    const url = new URL(world.scratch.url);
    url.username = role;
    const other = await openDatabase({ ...world.config, DATABASE_URL: url.toString(), DB_POOL_MIN: 0 });
    try {
      await client.query(`UPDATE operations SET attempts = attempts + 1`);
      await flushStats();
      const result = await upkeepQueueTable(other.prisma);
      expect(result).toMatchObject({ action: 'unavailable', error: 'only the owner of operations may vacuum it' });
      expect(result.modifiedSinceAnalyze).toBeGreaterThan(2000);
    } finally {
      await other.close();
      await client.query(`REVOKE ALL ON operations FROM ${role}`);
      await client.query(`DROP ROLE ${role}`);
    }
  });

  it('runs from the worker on its timer setting (QUEUE_UPKEEP_MS)', async () => {
    await client.query(`UPDATE operations SET attempts = attempts + 1`);
    await flushStats();
    // Due now (autovacuum is off here): only the worker's upkeep brings the counter back to 0.
    expect(
      (await client.query<{ m: number }>("SELECT n_mod_since_analyze::int AS m FROM pg_stat_user_tables WHERE relname = 'operations'"))
        .rows[0]!.m,
    ).toBeGreaterThan(2000);
    const w = worker(world, new DeterministicProvider(), { QUEUE_UPKEEP_MS: '50' });
    w.start();
    try {
      await expect
        .poll(
          async () => {
            await flushStats();
            return (
              await client.query<{ m: number }>(
                "SELECT n_mod_since_analyze::int AS m FROM pg_stat_user_tables WHERE relname = 'operations'",
              )
            ).rows[0]!.m;
          },
          { timeout: 5_000 },
        )
        .toBe(0);
    } finally {
      await w.stop(1_000);
    }
  });
});

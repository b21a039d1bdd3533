// A write that PostgreSQL picks as a deadlock's victim is rolled back whole; `write` runs it again
// instead of answering 500 (src/idempotency/write.ts). Here a real deadlock: a second connection
// holds row 2 and then asks for row 1 while the write holds row 1 and waits for row 2. The write
// waited first, so its backend runs the deadlock check first (after deadlock_timeout) and aborts
// itself; the second connection then commits, and the write's second attempt goes through.
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { write } from '../../src/idempotency/write.js';
import { startApp, type TestApp } from '../support/app.js';

let app: TestApp;
let other: pg.Client;

beforeAll(async () => {
  app = await startApp();
  other = new pg.Client({ connectionString: inject('databaseUrl') });
  await other.connect();
  await other.query('CREATE TABLE IF NOT EXISTS deadlock_probe (id int PRIMARY KEY, v text)');
  await other.query(`INSERT INTO deadlock_probe VALUES (1, 'start'), (2, 'start') ON CONFLICT (id) DO UPDATE SET v = 'start'`);
  // The write's backend must run the check first: it waited first, and this one checks late.
  await other.query(`SET deadlock_timeout = '10s'`);
});
afterAll(async () => {
  await other.query('DROP TABLE IF EXISTS deadlock_probe');
  await other.end();
  await app.close();
});

async function waitUntilBlocked(): Promise<void> {
  const watcher = new pg.Client({ connectionString: inject('databaseUrl') });
  await watcher.connect();
  try {
    for (let i = 0; i < 500; i++) {
      const { rows } = await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND position('deadlock_probe' in query) > 0`,
      );
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the write never waited for row 2');
  } finally {
    await watcher.end();
  }
}

it('runs a deadlock victim again, and its second attempt commits', async () => {
  await other.query('BEGIN');
  await other.query(`UPDATE deadlock_probe SET v = 'other' WHERE id = 2`);
  let attempts = 0;
  const written = write('probe', async (tx) => {
    attempts += 1;
    await tx.$executeRaw`UPDATE deadlock_probe SET v = ${`write ${attempts}`} WHERE id = 1`;
    await tx.$executeRaw`UPDATE deadlock_probe SET v = ${`write ${attempts}`} WHERE id = 2`;
    return attempts;
  });
  await waitUntilBlocked();
  // Closes the cycle; the write's backend finds it and gives up, so this UPDATE gets row 1.
  await other.query(`UPDATE deadlock_probe SET v = 'other' WHERE id = 1`);
  await other.query('COMMIT');
  expect(await written).toBe(2);
  const { rows } = await other.query<{ id: number; v: string }>('SELECT id, v FROM deadlock_probe ORDER BY id');
  expect(rows).toEqual([
    { id: 1, v: 'write 2' },
    { id: 2, v: 'write 2' },
  ]);
});

it('does not run again a write that failed for another reason', async () => {
  let attempts = 0;
  await expect(
    write('probe', async (tx) => {
      attempts += 1;
      await tx.$executeRaw`INSERT INTO deadlock_probe VALUES (1, 'duplicate')`;
      return attempts;
    }),
  ).rejects.toThrow();
  expect(attempts).toBe(1);
});

// The slow-SQL log measures PostgreSQL, not Node (issue 9, item 5): a statement PostgreSQL runs
// slowly is logged with its database time; a fast one that waited for a pooled connection or
// behind a blocked event loop is not, and its wait is reported apart; repeats within the window
// become one summary line. Real PostgreSQL, the pool class the server uses.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onStatementTiming, TimedPool, type StatementTiming } from '../../src/db/statement-timing.js';
import { startSqlAccounting } from '../../src/perf/sql-accounting.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

let db: ScratchDatabase;
let pool: TimedPool;

beforeAll(async () => {
  db = await createScratchDatabase('slow_sql');
  pool = new TimedPool({ connectionString: db.url, max: 1 });
  await pool.query({ text: 'SELECT 1' }); // the connection is open from here on
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function recordTimings(): StatementTiming[] {
  const timings: StatementTiming[] = [];
  stops.push(onStatementTiming((t) => timings.push(t)));
  return timings;
}

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines };
}

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** pino writes through a stream: let it flush. */
const settle = () => sleep(20);

describe('statement timing at the pool', () => {
  it('gives a statement PostgreSQL ran slowly its database time', async () => {
    const timings = recordTimings();
    await pool.query({ text: 'SELECT pg_sleep(0.3)' });
    expect(timings).toHaveLength(1);
    expect(timings[0]!.dbMs).toBeGreaterThanOrEqual(290);
    expect(timings[0]!.waitMs).toBeLessThan(timings[0]!.dbMs);
  });

  it('counts the wait for a pooled connection as wait, not database time', async () => {
    const timings = recordTimings();
    const held = await pool.connect();
    const queued = pool.query({ text: 'SELECT 1' });
    await sleep(300);
    held.release();
    await queued;
    expect(timings).toHaveLength(1);
    expect(timings[0]!.waitMs).toBeGreaterThanOrEqual(290);
    expect(timings[0]!.dbMs).toBeLessThan(timings[0]!.waitMs);
  });

  it('counts a stall of the event loop while the reply waited as stall, not database time', async () => {
    const timings = recordTimings();
    const pending = pool.query({ text: 'SELECT pg_sleep(0.05)' });
    await sleep(15); // sent: the pool hands its idle connection over on a later tick
    busy(300); // the reply arrives meanwhile and is read only after this
    await pending;
    expect(timings).toHaveLength(1);
    expect(timings[0]!.stallMs).toBeGreaterThanOrEqual(250);
    expect(timings[0]!.dbMs).toBeLessThan(timings[0]!.stallMs);
    expect(timings[0]!.dbMs + timings[0]!.stallMs).toBeGreaterThanOrEqual(300);
  });

  it('times the statements of a held connection (a transaction), with no wait', async () => {
    const timings = recordTimings();
    const client = await pool.connect();
    try {
      await client.query({ text: 'BEGIN' });
      await client.query({ text: 'SELECT pg_sleep(0.1)' });
      await client.query({ text: 'COMMIT' });
    } finally {
      client.release();
    }
    expect(timings.map((t) => t.sql)).toEqual(['BEGIN', 'SELECT pg_sleep(0.1)', 'COMMIT']);
    expect(timings[1]!.dbMs).toBeGreaterThanOrEqual(95);
    expect(timings.every((t) => t.waitMs === 0)).toBe(true);
  });

  it('leaves the callback and text forms of query alone (pg-pool calls them itself)', async () => {
    const timings = recordTimings();
    await pool.query('SELECT 1');
    await new Promise<void>((resolve, reject) => pool.query({ text: 'SELECT 1' }, (error) => (error ? reject(error) : resolve())));
    expect(timings).toEqual([]);
  });
});

describe('the slow-SQL log', () => {
  it('logs the statement PostgreSQL was slow on, and not the fast ones that waited in Node', async () => {
    const { log, lines } = captureLog();
    stops.push(startSqlAccounting({ log, slowQueryMs: 150, slowLogWindowMs: 60_000, timedPool: true }));

    await pool.query({ text: 'SELECT pg_sleep(0.2)' });
    const held = await pool.connect();
    const queued = pool.query({ text: 'SELECT 2' });
    await sleep(300);
    held.release();
    await queued;
    const stalled = pool.query({ text: 'SELECT 3' });
    await sleep(15);
    busy(300);
    await stalled;
    const beforeSend = pool.query({ text: 'SELECT 4' });
    busy(300); // before the pool sent it: wait, not database time
    await beforeSend;
    await settle();

    expect(lines.map((l) => [l.msg, l.sql])).toEqual([['slow SQL statement', 'SELECT pg_sleep(0.2)']]);
    expect(lines[0]!.dbMs).toBeGreaterThanOrEqual(190);
    expect(lines[0]!.thresholdMs).toBe(150);
  });

  it('sums up repeats within the window in one line, with their count', async () => {
    const { log, lines } = captureLog();
    const stop = startSqlAccounting({ log, slowQueryMs: 50, slowLogWindowMs: 60_000, timedPool: true });
    for (let i = 0; i < 4; i++) await pool.query({ text: 'SELECT pg_sleep(0.08)' });
    await settle();
    expect(lines.map((l) => l.msg)).toEqual(['slow SQL statement']);
    stop(); // ends the window: the summary is written
    await settle();
    expect(lines.map((l) => l.msg)).toEqual(['slow SQL statement', 'slow SQL statement, repeated']);
    expect(lines[1]).toMatchObject({ repeats: 3, sql: 'SELECT pg_sleep(0.08)', thresholdMs: 50 });
    expect(lines[1]!.dbMsMedian as number).toBeGreaterThanOrEqual(75);
  });

  it('writes a line for every slow run when the window is 0', async () => {
    const { log, lines } = captureLog();
    stops.push(startSqlAccounting({ log, slowQueryMs: 50, slowLogWindowMs: 0, timedPool: true }));
    for (let i = 0; i < 3; i++) await pool.query({ text: 'SELECT pg_sleep(0.08)' });
    await settle();
    expect(lines.map((l) => l.msg)).toEqual(['slow SQL statement', 'slow SQL statement', 'slow SQL statement']);
  });
});

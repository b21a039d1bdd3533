// A log reader that does not keep up never stalls the server. Cadence logs to stdout; when that
// is a pipe whose reader is slow (a container's log driver, a busy parent process) the pipe fills.
// pino's synchronous writer then slept 100 ms per attempt on the event loop, so requests stalled
// behind log lines (hundreds of ms under load, for ever with a reader that stops). Here the
// reader stops entirely while every request writes an over-budget line: all requests are still
// answered promptly, and when the reader resumes, every line arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';
import { startCadence, type CadenceChild } from './support/child.js';

const REQUESTS = 1_500;
const CONCURRENCY = 10;

let db: ScratchDatabase;
let server: CadenceChild;

beforeAll(async () => {
  db = await createScratchDatabase('lifecycle_slow_log_reader');
  // A budget of 0 ms: every operation is over budget and writes a warn line.
  server = await startCadence({ NODE_ENV: 'test', DATABASE_URL: db.url, BUDGET_QUERY_MS: '0' });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

/** Operation `Q<n>`: over-budget lines are limited per operation name, so each request gets its own. */
async function query(port: number, n: number): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `query Q${n} { __typename }`, operationName: `Q${n}` }),
    signal: AbortSignal.timeout(10_000),
  });
  await response.text();
  return { status: response.status, ms: performance.now() - started };
}

describe('stdout whose reader stops', () => {
  it(`answers ${REQUESTS} requests promptly while nothing reads the log, and loses no line`, async () => {
    const before = server.lines.filter((l) => l.msg === 'operation over budget').length;
    server.process.stdout!.pause(); // the pipe (64 KiB) fills after a few hundred lines
    const results: { status: number; ms: number }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          results.push(await query(server.port, next++));
        }
      }),
    );
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const slowest = Math.max(...results.map((r) => r.ms));
    // A blocked writer stalls every request for 100 ms at a time, and for good while the reader
    // stays away; an unblocked server answers these in a few ms (the bound leaves room for a busy CI).
    expect(slowest).toBeLessThan(1_000);
    server.process.stdout!.resume();
    await expect
      .poll(() => server.lines.filter((l) => l.msg === 'operation over budget').length - before, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(REQUESTS);
    expect(server.lines.some((l) => l.droppedLines !== undefined)).toBe(false);
  }, 60_000);
});

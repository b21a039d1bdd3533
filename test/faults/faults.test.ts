// Cadence under PostgreSQL faults, as a real process behind a TCP proxy the test owns, with 20
// clients writing (each write with its own Idempotency-Key) and reading throughout. For every fault:
// every answer is 200, 503 SERVICE_UNAVAILABLE with Retry-After, or 504 TIMEOUT, none much past the
// deadline; the server recovers by itself; every acknowledged write is stored exactly once; and
// every failed write, sent again with its key after the fault, answers 200 and leaves one row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEADLINE_MS,
  STATEMENT_TIMEOUT_MS,
  misfit,
  openFaultWorld,
  recovered,
  retryFailures,
  rowsByMarker,
  runLoad,
  sleep,
  type FaultWorld,
} from './support.js';

let world: FaultWorld;
beforeAll(async () => {
  world = await openFaultWorld();
}, 90_000);
afterAll(async () => {
  await world?.close();
  console.log(['fault figures:', ...figures.map((f) => JSON.stringify(f))].join('\n'));
});

interface Figures {
  fault: string;
  requests: number;
  statuses: Record<string, number>;
  writes: number;
  failedWrites: number;
  committedBeforeRetry: number;
  retries: number;
  replayed: number;
  inUse: number;
  rowsChecked: number;
  recoveryMs: number;
  extra?: Record<string, number>;
}
const figures: Figures[] = [];

/**
 * Runs the load, lets it warm up, runs `fault` (which injects the fault and clears it), waits for
 * the server to recover, then checks every answer and every row.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a fault either reports figures of its own or nothing
async function underFault(label: string, fault: () => Promise<Record<string, number> | void>): Promise<Figures> {
  let release!: () => void;
  const stop = new Promise<void>((resolve) => (release = resolve));
  const errorsBefore = world.cadence.errorLines.length;
  const load = runLoad(world.cadence, world.clients, label, stop);
  // biome-ignore lint/suspicious/noConfusingVoidType: what the fault returned
  let extra: Record<string, number> | void;
  let recoveryMs = 0;
  try {
    await sleep(400);
    extra = await fault();
    recoveryMs = await recovered(world.cadence, world.clients[0]!, label);
    // A little load after recovery: the pool serves again under concurrency, not only one probe.
    await sleep(300);
  } finally {
    release();
  }
  const { answers, writes } = await load;

  const statuses: Record<string, number> = {};
  for (const { answer } of answers) {
    const code = answer.body.errors?.[0]?.extensions?.code;
    const name = `${answer.status}${code ? ` ${code}` : ''}`;
    statuses[name] = (statuses[name] ?? 0) + 1;
  }
  const misfits = answers.map(({ kind, answer }) => ({ kind, why: misfit(answer), replayed: answer.replayed })).filter((m) => m.why);
  expect(
    misfits,
    `${JSON.stringify(statuses)}; server errors: ${JSON.stringify(world.cadence.errorLines.slice(errorsBefore, errorsBefore + 2)).slice(0, 3_000)}; ${JSON.stringify(misfits).slice(0, 3_000)}; warnings: ${JSON.stringify(world.cadence.warnLines.filter((w) => !String(w.msg).includes('database fault')).slice(-5)).slice(0, 3_000)}`,
  ).toEqual([]);
  const failed = answers.filter(({ answer }) => answer.status !== 200);
  // The fault must have been felt, or this case proves nothing.
  expect(failed.length, JSON.stringify(statuses)).toBeGreaterThan(0);

  // Before any retry: an acknowledged write is there once; a failed one is absent or there once.
  const before = await rowsByMarker(world.admin, label);
  const rows = (w: (typeof writes)[number], of: typeof before) => (w.kind === 'posting' ? of.postings : of.answers).get(w.marker) ?? 0;
  let committedBeforeRetry = 0;
  for (const write of writes) {
    const n = rows(write, before);
    if (write.answer.status === 200) expect(n, `${write.kind} ${write.marker} acknowledged`).toBe(1);
    else {
      expect(n, `${write.kind} ${write.marker} failed with ${write.answer.status}`).toBeLessThanOrEqual(1);
      committedBeforeRetry += n;
    }
  }

  // Every failure sent again with its key and body: 200, and one row per key in total.
  const retry = await retryFailures(world.cadence, writes);
  const after = await rowsByMarker(world.admin, label);
  for (const write of writes) expect(rows(write, after), `${write.kind} ${write.marker} after retry`).toBe(1);
  const postings = writes.filter((w) => w.kind === 'posting').length;
  expect([...after.postings.values()].reduce((a, b) => a + b, 0)).toBe(postings);
  expect([...after.answers.values()].reduce((a, b) => a + b, 0)).toBe(writes.length - postings);

  // Nothing unexpected was logged: every fault was classified.
  expect(world.cadence.errorLines.slice(errorsBefore)).toEqual([]);
  const result: Figures = {
    fault: label,
    requests: answers.length,
    statuses,
    writes: writes.length,
    failedWrites: writes.filter((w) => w.answer.status !== 200).length,
    committedBeforeRetry,
    retries: retry.retries,
    replayed: retry.replayed,
    inUse: retry.inUse,
    rowsChecked: after.postings.size + after.answers.size,
    recoveryMs,
    ...(extra ? { extra } : {}),
  };
  figures.push(result);
  return result;
}

describe('PostgreSQL faults under load', () => {
  it('connections cut mid-load: 503, then the pool reconnects', async () => {
    const figures = await underFault('cut', async () => {
      for (let i = 0; i < 3; i++) {
        world.proxy.cut();
        await sleep(250);
      }
    });
    expect(figures.statuses['503 SERVICE_UNAVAILABLE']).toBeGreaterThan(0);
  }, 60_000);

  it(`a network black hole longer than the deadline (${DEADLINE_MS} ms): 504 at the deadline, then recovery`, async () => {
    const figures = await underFault('pause', async () => {
      world.proxy.pause();
      await sleep(DEADLINE_MS + 1_500);
      world.proxy.resume();
    });
    expect(figures.statuses['504 TIMEOUT']).toBeGreaterThan(0);
  }, 60_000);

  it('PostgreSQL unreachable (connections cut and refused): 503 with Retry-After, then recovery', async () => {
    const figures = await underFault('refuse', async () => {
      await world.proxy.refuse();
      world.proxy.cut();
      await sleep(2_000);
      await world.proxy.accept();
    });
    expect(figures.statuses['503 SERVICE_UNAVAILABLE']).toBeGreaterThan(0);
  }, 60_000);

  it('pg_terminate_backend of every Cadence backend every 5 ms under load', async () => {
    // Backends die between and inside transactions. (Catching one in COMMIT through pg_stat_activity
    // is luck; the next case loses COMMIT answers on purpose.)
    await underFault('kill', async () => {
      const until = Date.now() + 2_000;
      let rounds = 0;
      let killed = 0;
      while (Date.now() < until) {
        const { rows } = await world.admin.query<{ killed: string }>(
          `SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'cadence'`,
          [world.scratch.name],
        );
        rounds += 1;
        killed += Number(rows[0]!.killed);
        await sleep(5);
      }
      return { rounds, killed };
    });
  }, 60_000);

  it('a COMMIT whose answer is lost (the write committed, Cadence saw the connection die): a retry replays it', async () => {
    const figures = await underFault('commit', async () => {
      world.commits.arm('commit', 15);
      const until = Date.now() + 3_000;
      while (Date.now() < until && world.commits.matched < 15) await sleep(50);
      world.commits.disarm();
      return { lostCommitAnswers: world.commits.matched };
    });
    expect(figures.extra?.lostCommitAnswers).toBeGreaterThan(0);
    // Each lost answer was a committed write of the load that answered 503; its retry found its outcome.
    expect(figures.committedBeforeRetry).toBe(figures.extra?.lostCommitAnswers);
  }, 60_000);

  it(`a table lock held past statement_timeout (${STATEMENT_TIMEOUT_MS} ms): 504 TIMEOUT, nothing half-written`, async () => {
    const figures = await underFault('lock', async () => {
      await world.admin.query('BEGIN');
      try {
        await world.admin.query('LOCK TABLE job_postings IN ACCESS EXCLUSIVE MODE');
        await sleep(2_000);
      } finally {
        await world.admin.query('COMMIT');
      }
    });
    expect(figures.statuses['504 TIMEOUT']).toBeGreaterThan(0);
  }, 60_000);
});

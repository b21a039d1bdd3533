// The dashboard's feed keeps exact counts with bounded memory: percentiles from a capped reservoir,
// the slowest operations and statements across buckets, budgets by operation type and name, and
// nothing older than its 5-minute history.
import { describe, expect, it } from 'vitest';
import { BUCKET_MS, DashboardFeed, HISTORY_BUCKETS, type FinishedOperation } from '../../../src/http/dashboard/feed.js';

const T0 = 1_800_000_000_000;
const budgets = { queryMs: 50, mutationMs: 100, byOperation: { SessionsList: 80 } };

function op(overrides: Partial<FinishedOperation>): FinishedOperation {
  return {
    at: T0,
    requestId: 'r',
    operation: 'Viewer',
    type: 'query',
    durationMs: 1,
    ok: true,
    sqlCount: 0,
    sqlMs: 0,
    slowestSql: [],
    cache: null,
    ...overrides,
  };
}

describe('DashboardFeed', () => {
  it('counts every operation exactly and keeps percentiles, budgets and the slowest across buckets', () => {
    let seed = 1;
    const feed = new DashboardFeed(budgets, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    // 10,000 queries in one bucket (over the reservoir) with durations 1..100 ms, then mutations.
    for (let i = 0; i < 10_000; i++) {
      feed.record(op({ requestId: `q${i}`, durationMs: (i % 100) + 1, cache: i % 4 === 0 ? 'miss' : 'hit' }));
    }
    for (let i = 0; i < 30; i++) {
      feed.record(
        op({
          at: T0 + BUCKET_MS,
          requestId: `m${i}`,
          operation: 'SubmitAnswer',
          type: 'mutation',
          durationMs: 200 + i,
          ok: i !== 0,
          sqlCount: 9,
          slowestSql: [{ sql: `UPDATE x /* ${i} */`, durationMs: 10 + i }],
        }),
      );
    }
    feed.record(op({ at: T0 + BUCKET_MS, requestId: 'list', operation: 'SessionsList', durationMs: 70 }));

    const view = feed.view(60_000, T0 + 2 * BUCKET_MS);
    expect(view.totals.operations).toBe(10_031);
    expect(view.totals.errors).toBe(1);
    expect(view.totals.cache).toEqual({ hits: 7_500, misses: 2_500, bypasses: 0, hitRate: 0.75 });

    const byName = Object.fromEntries(view.operations.map((o) => [o.name, o]));
    expect(byName.Viewer!.count).toBe(10_000);
    // From 2,000 sampled of a uniform 1..100: the median is near 50, p99 near 99.
    expect(byName.Viewer!.p50Ms).toBeGreaterThanOrEqual(45);
    expect(byName.Viewer!.p50Ms).toBeLessThanOrEqual(55);
    expect(byName.Viewer!.p99Ms).toBeGreaterThanOrEqual(97);
    expect(byName.Viewer!.budgetMs).toBe(50);
    expect(byName.Viewer!.withinBudget).toBe(false);
    expect(byName.SubmitAnswer).toMatchObject({ count: 30, errors: 1, budgetMs: 100, withinBudget: false, p50Ms: 214 });
    expect(byName.SessionsList).toMatchObject({ count: 1, budgetMs: 80, withinBudget: true });
    // Worst first, by p95 against budget.
    expect(view.operations[0]!.name).toBe('SubmitAnswer');

    expect(view.slowestOperations.map((s) => s.requestId)).toEqual(Array.from({ length: 10 }, (_, i) => `m${29 - i}`));
    expect(view.slowestSql[0]).toMatchObject({ requestId: 'm29', operation: 'SubmitAnswer', durationMs: 39, sql: 'UPDATE x /* 29 */' });
    expect(view.slowestSql).toHaveLength(10);

    expect(view.series.t).toEqual([T0 / 1000, (T0 + BUCKET_MS) / 1000, (T0 + 2 * BUCKET_MS) / 1000]);
    expect(view.series.requestsPerSecond).toEqual([5_000, 15.5, 0]);
    expect(view.series.p99Ms[2]).toBeNull();
  });

  it('forgets what is older than its history and keeps the gauges of the latest sample', () => {
    const feed = new DashboardFeed(budgets);
    feed.record(op({ requestId: 'old', durationMs: 999 }));
    const pool = { total: 5, idle: 2, waiting: 1, max: 20 };
    feed.sample({ pool, concurrent: 3, rssMb: 100, heapUsedMb: 50, cpuPercent: 40, eventLoopP99Ms: 12, queueDepth: 7 }, T0);
    const later = T0 + HISTORY_BUCKETS * BUCKET_MS;
    feed.record(op({ at: later, requestId: 'new', durationMs: 2 }));
    feed.sample(
      {
        pool: { ...pool, idle: 5, waiting: 0 },
        concurrent: 0,
        rssMb: 120,
        heapUsedMb: 60,
        cpuPercent: 5,
        eventLoopP99Ms: 1,
        queueDepth: 3,
      },
      later,
    );
    // The timer's samples carry no queue depth: the last one read stays.
    feed.sample(
      {
        pool: { ...pool, idle: 5, waiting: 0 },
        concurrent: 0,
        rssMb: 121,
        heapUsedMb: 60,
        cpuPercent: 5,
        eventLoopP99Ms: 1,
        queueDepth: null,
      },
      later + 1,
    );

    const view = feed.view(60_000, later);
    expect(view.slowestOperations.map((s) => s.requestId)).toEqual(['new']);
    expect(view.series.t.length).toBeLessThanOrEqual(HISTORY_BUCKETS);
    expect(view.gauges).toMatchObject({ rssMb: 121, concurrent: 0, queueDepth: 3, pool: { total: 5, idle: 5, waiting: 0, max: 20 } });
    expect(view.series.queueDepth.at(-1)).toBe(3);
    expect(view.series.poolActive.at(-1)).toBe(0);
  });
});

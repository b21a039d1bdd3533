// The response cache's hit rate per operation in /metrics/performance (issue 10, item 4): after a
// known sequence of requests the counts are exact, and each request's Redis round trips are in
// Server-Timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface OperationReport {
  count: number;
  cache: { hits: number; misses: number; bypass: number; hitRate: number | null };
}

async function operations(app: TestApp): Promise<Record<string, OperationReport>> {
  const res = await app.yoga.fetch('http://cadence.test/metrics/performance');
  return ((await res.json()) as { operations: Record<string, OperationReport> }).operations;
}

describe('cache hit rate per operation', () => {
  let app: TestApp;
  let key: string;
  beforeAll(async () => {
    app = await startApp({ env: { REDIS_URL, RESPONSE_CACHE_TTL_MS: '60000' } });
    ({ key } = await signUp(app));
  });
  afterAll(() => app.close());

  it('counts hits, misses and bypasses of a known sequence, and Redis round trips per request', async () => {
    const query = `query HitRateViewer { viewer { id } }`;
    const timings: string[] = [];
    const timed = async (headers: Record<string, string> = {}) => {
      const response = await app.request(query, { key, headers });
      ok(response);
      return response.headers.get('server-timing') ?? '';
    };
    // 1 miss, then 3 hits; a per-request extension bypasses; a write invalidates, so 1 more miss.
    for (let i = 0; i < 4; i++) timings.push(await timed());
    timings.push(await timed({ 'x-cadence-cost': '1' }));
    ok(await app.request(`mutation HitRateWrite { createApiKey(input: { name: "hit-rate" }) { key } }`, { key }));
    timings.push(await timed());
    timings.push(await timed());

    const report = await operations(app);
    expect(report.HitRateViewer).toMatchObject({ count: 7, cache: { hits: 4, misses: 2, bypass: 1, hitRate: 0.5714 } });
    // A mutation never asks the cache: no decisions, no rate.
    expect(report.HitRateWrite).toMatchObject({ count: 1, cache: { hits: 0, misses: 0, bypass: 0, hitRate: null } });
    // Miss: version, shared lookup, store. Local hit: the version only.
    expect(timings[0]).toMatch(/redis;desc="3 round trips"/);
    expect(timings[1]).toMatch(/redis;desc="1 round trip"/);
    expect(timings[4]).not.toMatch(/redis;desc/); // bypassed before asking Redis
    expect(timings[5]).toMatch(/redis;desc="3 round trips"/);
  });
});

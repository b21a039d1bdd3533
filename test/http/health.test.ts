// Health, readiness (against the real local Redis, and a Redis that is not there), the
// performance views and the Prometheus endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { ok, signUp } from '../support/fixtures.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function get(app: TestApp, path: string) {
  const response = await app.yoga.fetch(`http://cadence.test${path}`);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('with Redis reachable', () => {
  let app: TestApp;
  let key: string;
  beforeAll(async () => {
    app = await startApp({ env: { REDIS_URL } });
    ({ key } = await signUp(app));
  });
  afterAll(() => app.close());

  it('answers /health while alive', async () => {
    const r = await get(app, '/health');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ status: 'ok' });
  });

  it('is ready when PostgreSQL and Redis answer', async () => {
    const r = await get(app, '/health/ready');
    const body = JSON.parse(r.text) as { status: string; checks: Record<string, { ok: boolean; configured?: boolean }> };
    expect(r.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.postgres!.ok).toBe(true);
    expect(body.checks.redis).toMatchObject({ ok: true, configured: true });
  });

  it('reports response times, throughput and resources in /health/performance and per operation in /metrics/performance', async () => {
    for (let i = 0; i < 5; i++) ok(await app.request(`query Viewer { viewer { id } }`, { key }));
    const compact = JSON.parse((await get(app, '/health/performance')).text) as Record<string, Record<string, unknown>>;
    expect(compact.responseTime).toMatchObject({
      count: expect.any(Number),
      avgMs: expect.any(Number),
      p95Ms: expect.any(Number),
      p99Ms: expect.any(Number),
    });
    expect(compact.requests).toMatchObject({ total: expect.any(Number), successRate: 1, peakConcurrent: expect.any(Number) });
    expect(compact.process).toMatchObject({
      cpuPercent: expect.any(Number),
      memory: { rssMb: expect.any(Number) },
      eventLoopDelay: { p95Ms: expect.any(Number), maxMs: expect.any(Number) },
    });
    expect(compact.queue).toEqual({ depth: 0, concurrentGenerations: 0 });
    expect(Number(compact.responseTime!.count)).toBeGreaterThanOrEqual(5);
    const detailed = JSON.parse((await get(app, '/metrics/performance')).text) as { operations: Record<string, { count: number }> };
    expect(detailed.operations.Viewer!.count).toBe(5);
  });

  it('serves Prometheus metrics that parse, with SQL per operation', async () => {
    ok(await app.request(`query Viewer { viewer { id } }`, { key }));
    const r = await get(app, '/metrics');
    expect(r.status).toBe(200);
    const lines = r.text.split('\n').filter((l) => l && !l.startsWith('#'));
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?(\d+(\.\d+)?(e[+-]?\d+)?|NaN|\+Inf|-Inf)$/;
    expect(lines.filter((l) => !sample.test(l))).toEqual([]);
    expect(r.text).toMatch(/cadence_operation_sql_statements_sum\{operationName="Viewer",operationType="query"\} \d+/);
    expect(r.text).toContain('cadence_operation_duration_seconds_bucket');
    expect(r.text).toContain('graphql_envelop_phase_execute');
    expect(r.text).toMatch(/cadence_db_pool_connections \d+|cadence_process_cpu/);
  });

  it('counts errors by code', async () => {
    await app.request(`{ viewer { id } }`);
    const r = await get(app, '/metrics');
    expect(r.text).toMatch(/cadence_errors_total\{code="UNAUTHENTICATED"\} [1-9]/);
  });
});

describe('with Redis down', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: connection refused at once.
    app = await startApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(() => app.close());

  // Redis is optional to serving (issue 8, item 7): a Redis outage must not take every replica
  // out of rotation at once, so only PostgreSQL decides readiness.
  it('stays ready as degraded, names Redis, says why with no secret, and still answers queries', async () => {
    const r = await get(app, '/health/ready');
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as {
      status: string;
      degraded: string[];
      checks: { postgres: { ok: boolean }; redis: { ok: boolean; error: string } };
    };
    expect(body.status).toBe('degraded');
    expect(body.degraded).toEqual(['redis']);
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(false);
    expect(body.checks.redis.error).not.toContain('redis://');
    const { key } = await signUp(app);
    ok(await app.request(`{ viewer { id } }`, { key }));
  });
});

// Health, readiness (against the real local Redis, and a Redis that is not there), the
// performance views and the Prometheus endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, ok, signUp, STAR_ANSWER } from '../support/fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-db.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function get(app: TestApp, path: string) {
  const response = await app.yoga.fetch(`http://cadence.test${path}`);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('with Redis reachable', () => {
  let app: TestApp;
  let key: string;
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    // A database of its own, no worker in this process: the queue figures count every instance's
    // jobs, and the run's shared database has other suites' workers generating feedback.
    scratch = await createScratchDatabase('cadence_health');
    app = await startApp({ databaseUrl: scratch.url, env: { REDIS_URL, QUEUE_IN_SERVER: 'false' } });
    ({ key } = await signUp(app));
  });
  afterAll(async () => {
    await app?.close();
    await scratch?.drop();
  });

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

  it('counts waiting jobs and generations under a live lease, not expired ones', async () => {
    let { questionId } = await createSession(app, key);
    for (let i = 0; i < 2 && questionId; i++) {
      const answered: { submitAnswer: { nextQuestion: { id: string } | null } } = ok(
        await app.request(`mutation($input: SubmitAnswerInput!) { submitAnswer(input: $input) { nextQuestion { id } } }`, {
          key,
          variables: { input: { questionId, content: STAR_ANSWER } },
        }),
      );
      questionId = answered.submitAnswer.nextQuestion?.id ?? null;
    }
    const queue = async () => (JSON.parse((await get(app, '/health/performance')).text) as { queue: unknown }).queue;
    const pending = await app.prisma.operation.findMany({ where: { status: 'PENDING' }, select: { id: true } });
    expect(pending).toHaveLength(2);
    expect(await queue()).toEqual({ depth: pending.length, concurrentGenerations: 0 });
    // One job claimed by a live worker, one whose worker died (lease run out): only the first runs.
    const [live, stale] = pending as [{ id: string }, { id: string }];
    await app.prisma.operation.update({
      where: { id: live.id },
      data: { status: 'RUNNING', lockedUntil: new Date(Date.now() + 60_000), attempts: 1 },
    });
    await app.prisma.operation.update({
      where: { id: stale.id },
      data: { status: 'RUNNING', lockedUntil: new Date(Date.now() - 60_000), attempts: 1 },
    });
    expect(await queue()).toEqual({ depth: 0, concurrentGenerations: 1 });
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

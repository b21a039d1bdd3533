// The tracing plugin: headers on every response, the trace on request, the over-budget and
// slow-SQL log lines with their documented fields and nothing secret in them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogLimiter } from '../../src/plugins/use-tracing.js';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, ok, signUp } from '../support/fixtures.js';

describe('with default budgets', () => {
  let app: TestApp;
  let key: string;
  beforeAll(async () => {
    app = await startApp();
    ({ key } = await signUp(app));
    await createSession(app, key, 1);
  });
  afterAll(() => app.close());

  it('sets X-Request-ID, X-Response-Time and Server-Timing with db, gql and total on every response', async () => {
    const r = await app.request(`query Viewer { viewer { id } }`, { key });
    ok(r);
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('x-response-time')).toMatch(/^\d+\.\dms$/);
    const timing = r.headers.get('server-timing')!;
    // One statement: the viewer (the key was looked up once, by the sign-up fixture's first use, and is cached).
    // On PostgreSQL the timed pool also splits it: PostgreSQL's part, and the waits in Node.
    const split = app.kind === 'postgres' ? ', pg;dur=\\d+\\.\\d, dbwait;dur=\\d+\\.\\d' : '';
    expect(timing).toMatch(new RegExp(`^db;dur=\\d+\\.\\d;desc="1 statement"${split}, gql;dur=\\d+\\.\\d, total;dur=\\d+\\.\\d$`));
  });

  it('times health routes too', async () => {
    const response = await app.yoga.fetch('http://cadence.test/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('server-timing')).toMatch(/^db;dur=0\.0;desc="0 statements", total;dur=/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('returns the trace in extensions when the request asks for it', async () => {
    const r = await app.request<{ sessions: unknown }>(
      `query SessionsList { sessions(first: 5) { edges { node { id averageScore jobPosting { title } } } } }`,
      { key, headers: { 'x-cadence-trace': '1' } },
    );
    ok(r);
    const trace = r.body.extensions?.trace as {
      operationName: string;
      budgetMs: number;
      requestId: string;
      sql: { count: number; slowest: { sql: string; durationMs: number }[] };
      resolvers: { path: string }[];
    };
    expect(trace.operationName).toBe('SessionsList');
    expect(trace.budgetMs).toBe(50);
    expect(trace.requestId).toBe(r.headers.get('x-request-id'));
    // The list with its joined relations, and the averageScore batch (the key is cached).
    expect(trace.sql.count).toBe(2);
    expect(trace.sql.slowest[0]!.sql).toMatch(/^SELECT/);
    expect(trace.resolvers.map((x) => x.path)).toEqual(expect.arrayContaining(['sessions', 'sessions.edges.0.node.averageScore']));
  });

  it('leaves the trace out when not asked', async () => {
    const r = await app.request(`{ viewer { id } }`, { key });
    expect(r.body.extensions?.trace).toBeUndefined();
  });

  it('logs no over-budget line for an operation within its budget', async () => {
    // A budget no request can miss, so the check does not depend on how loaded the machine is.
    const roomy = await startApp({ env: { OPERATION_BUDGETS: JSON.stringify({ Cheap: 600_000 }) } });
    try {
      const { key: roomyKey } = await signUp(roomy);
      const before = roomy.logLines.length;
      ok(await roomy.request(`query Cheap { __typename }`, { key: roomyKey }));
      expect(roomy.logLines.slice(before).filter((l) => l.msg === 'operation over budget')).toEqual([]);
    } finally {
      await roomy.close();
    }
  });
});

describe('with a zero budget and a zero slow-SQL threshold', () => {
  let app: TestApp;
  let key: string;
  beforeAll(async () => {
    // A line per slow statement (no summing up of repeats): the test looks for this request's own.
    app = await startApp({
      env: { BUDGET_QUERY_MS: '0', BUDGET_MUTATION_MS: '0', SLOW_QUERY_MS: '0', SLOW_QUERY_LOG_WINDOW_S: '0', TRACE_EXTENSIONS: 'false' },
    });
    ({ key } = await signUp(app));
  });
  afterAll(() => app.close());

  it('logs an operation that exceeds its budget with the documented fields', async () => {
    const before = app.logLines.length;
    const r = await app.request(`query ViewerOverBudget { viewer { id name } }`, { key, headers: { 'x-request-id': 'budget-test-0001' } });
    ok(r);
    const lines = app.logLines.slice(before).filter((l) => l.msg === 'operation over budget');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({
      level: 'warn',
      requestId: 'budget-test-0001',
      operationName: 'ViewerOverBudget',
      operationType: 'query',
      budgetMs: 0,
      sql: { count: 2, totalMs: expect.any(Number) },
    });
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.slowestSql).toEqual(expect.arrayContaining([expect.objectContaining({ sql: expect.stringMatching(/^SELECT/) })]));
    expect(line.slowestResolvers).toEqual([expect.objectContaining({ path: 'viewer' })]);
  });

  it('logs slow SQL with operation name and request id, never the parameters or the key', async () => {
    const email = `secret-param-${Date.now()}@example.test`;
    const before = app.logLines.length;
    const r = await app.request<{ signUp: { key: string } }>(
      `mutation SignUpSlow($input: SignUpInput!) { signUp(input: $input) { key } }`,
      { variables: { input: { email, name: 'Param Secret' } }, headers: { 'x-request-id': 'slow-sql-test-0001' } },
    );
    const secret = ok(r).signUp.key;
    const lines = app.logLines.slice(before);
    // This request's lines (the in-process feedback worker's statements are logged too, marked background).
    const slow = lines.filter((l) => l.msg === 'slow SQL statement' && l.requestId === 'slow-sql-test-0001');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow[0]).toMatchObject({ level: 'warn', requestId: 'slow-sql-test-0001', operationName: 'SignUpSlow', thresholdMs: 0 });
    // The statement text as sent (signUp is one statement, named by its leading comment).
    expect(slow[0]!.sql).toMatch(/^\/\* signUp: write \*\/\s+WITH u AS \(\s+INSERT INTO users/);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(email);
    expect(text).not.toContain('Param Secret');
    expect(text).not.toContain(secret);
  });

  it('keeps the trace out of extensions when the server does not allow it', async () => {
    const r = await app.request(`{ viewer { id } }`, { key, headers: { 'x-cadence-trace': '1' } });
    expect(r.body.extensions?.trace).toBeUndefined();
  });
});

describe('the over-budget log limiter', () => {
  it('lets a few lines per operation per second through and reports how many it held back', () => {
    const limiter = new LogLimiter(2);
    const t = 1_000_000;
    expect([limiter.take('A', t), limiter.take('A', t + 1), limiter.take('A', t + 2), limiter.take('A', t + 3)]).toEqual([
      0,
      0,
      null,
      null,
    ]);
    // Another operation has its own allowance.
    expect(limiter.take('B', t + 4)).toBe(0);
    // The next second, the first line carries the count of the two held back.
    expect(limiter.take('A', t + 1_000)).toBe(2);
    expect(limiter.take('A', t + 1_001)).toBe(0);
  });
});

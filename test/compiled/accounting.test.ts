// The compiled path inside the request's accounting: exactly one SQL statement per SessionsList
// whatever the page size, seen by the SQL accounting (Server-Timing, the trace extension) like any
// statement, with the cost extension and the root field's resolver timing kept. One server per
// process here: the SQL listeners are per process, and a second server would count each twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { callPersisted, cursorFor, seedUsers, SESSIONS_LIST, type SeededUser } from './support.js';

let app: TestApp;
let user: SeededUser;

beforeAll(async () => {
  app = await startApp({ env: { TRACE_EXTENSIONS: 'true' } });
  [user] = (await seedUsers(app, [23])) as [SeededUser];
  await callPersisted(app, SESSIONS_LIST, { first: 1 }, user.key); // the key is cached from now on
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('compiled SessionsList accounting', () => {
  it.each([
    [{ first: 1 }],
    [{ first: 20 }],
    [{ first: 30 }],
    [{ first: 5, status: 'COMPLETED', after: cursorFor('00000000-0000-4000-8000-000000000000') }],
    [{ first: 3, status: 'ACTIVE' }],
  ])('runs one statement for %j, and Server-Timing says so', async (variables) => {
    const { result, statements } = await app.recordSql(() => callPersisted(app, SESSIONS_LIST, variables, user.key));
    expect(result.status).toBe(200);
    expect(statements.map((s) => s.sql.slice(0, 30))).toEqual(["SELECT json_build_object('sess"]);
    expect(result.headers.get('server-timing')).toMatch(/db;dur=[\d.]+;desc="1 statement"/);
  });

  it('leaves a document that is not persisted to the reference executor (Prisma’s own statement)', async () => {
    const adHoc = 'query { sessions(first: 20) { edges { node { id jobPosting { id } feedback { id } } } } }';
    const { result, statements } = await app.recordSql(() => app.request(adHoc, { key: user.key }));
    expect(result.status).toBe(200);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(statement.sql).not.toContain('json_build_object');
  });

  it('keeps the trace and cost extensions; the trace sees the one statement and the root field', async () => {
    const response = await callPersisted(app, SESSIONS_LIST, { first: 3 }, user.key, { 'x-cadence-trace': '1', 'x-cadence-cost': '1' });
    expect(response.status).toBe(200);
    const trace = response.body.extensions?.trace as { sql: { count: number }; resolvers?: { path: string }[] };
    expect(trace.sql.count).toBe(1);
    expect(JSON.stringify(trace)).toContain('sessions');
    expect(response.body.extensions?.cost).toBeDefined();
    expect((response.body.data as { sessions: { edges: unknown[] } }).sessions.edges).toHaveLength(3);
  });
});

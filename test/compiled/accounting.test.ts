// The compiled path inside the request's accounting: exactly one SQL statement per SessionsList
// whatever the page size, seen by the SQL accounting (Server-Timing, the trace extension) like any
// statement, with the cost extension and the root field's resolver timing kept. One server per
// process here: the SQL listeners are per process, and a second server would count each twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import {
  callPersisted,
  cursorFor,
  globalId,
  JOB_POSTINGS,
  RESUMES,
  seedUsers,
  SESSION_DETAIL,
  SESSION_FEEDBACK,
  SESSION_MESSAGES,
  SESSIONS_LIST,
  VIEWER,
  type SeededUser,
} from './support.js';

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

  it('runs one statement for every other compiled query, first page and next, whatever the page size', async () => {
    const session = globalId('InterviewSession', user.sessionIds[1]!); // 25 messages
    const cases: [string, Record<string, unknown>][] = [
      [SESSION_DETAIL, { id: session }],
      [SESSION_FEEDBACK, { id: session }],
      [VIEWER, {}],
    ];
    for (const first of [1, 10, 30]) {
      cases.push(
        [SESSION_MESSAGES, { id: session, first }],
        [SESSION_MESSAGES, { id: session, first, after: cursorFor(user.messageIds[1]![2]!) }],
        [JOB_POSTINGS, { first }],
        [JOB_POSTINGS, { first, after: cursorFor(user.jobPostingIds[4]!) }],
        [RESUMES, { first }],
        [RESUMES, { first, after: cursorFor(user.resumeIds[4]!) }],
      );
    }
    for (const [operation, variables] of cases) {
      const { result, statements } = await app.recordSql(() => callPersisted(app, operation, variables, user.key));
      expect(result.status, operation).toBe(200);
      expect(result.body.errors, operation).toBeUndefined();
      expect(
        statements.map((s) => s.sql.slice(0, 24)),
        `${operation} ${JSON.stringify(variables)}`,
      ).toEqual(['SELECT json_build_object']);
    }
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

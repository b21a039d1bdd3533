// Compiled execution answers exactly what the reference executor (graphql-js + Pothos) answers:
// every compiled query of schema/operations/ by persisted id on two servers over one database,
// one compiled and one with COMPILED_EXECUTION=0, compared byte for byte after JSON normalisation,
// on every page of every user at many page sizes and on generated variable sets (bad ones
// included, which the plan hands to the reference executor), and with the response cache on. (SQL counts and traces are in
// accounting.test.ts: with two servers in one process each statement is accounted twice.)
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { PlanRegistry } from '../../src/compiled/registry.js';
import { loadManifest } from '../../src/policy/persisted.js';
import { schema } from '../../src/schema/index.js';
import {
  callPersisted,
  cursorFor,
  globalId,
  JOB_POSTINGS,
  normalised,
  RESUMES,
  seedUsers,
  SESSION_DETAIL,
  SESSION_FEEDBACK,
  SESSION_MESSAGES,
  SESSIONS_LIST,
  VIEWER,
  type SeededUser,
} from './support.js';

let compiled: TestApp;
let reference: TestApp;
let users: SeededUser[];
/** Requests compared per operation, for the report. */
const compared = new Map<string, number>();

beforeAll(async () => {
  reference = await startApp({ env: { COMPILED_EXECUTION: '0' } });
  compiled = await startApp();
  // 23 sessions (three pages of 10, a 25-message one), 7, 1 and none.
  users = await seedUsers(compiled, [23, 7, 1, 0]);
}, 120_000);

afterAll(async () => {
  await compiled?.close();
  await reference?.close();
  const counts = [...compared].map(([name, n]) => `${name} ${n}`).join(', ');
  console.info(`compiled vs reference: ${[...compared.values()].reduce((a, b) => a + b, 0)} requests compared (${counts})`);
});

async function expectSame(variables: Record<string, unknown>, key: string | null, operation = SESSIONS_LIST) {
  const [a, b] = await Promise.all([
    callPersisted(compiled, operation, variables, key),
    callPersisted(reference, operation, variables, key),
  ]);
  compared.set(operation, (compared.get(operation) ?? 0) + 1);
  expect({ status: a.status, body: normalised(a.body) }, JSON.stringify(variables)).toEqual({ status: b.status, body: normalised(b.body) });
  return a;
}

type Page = { sessions: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] } };

describe('SessionsList, compiled vs reference', () => {
  it('agrees on every page of every user, page sizes 1 to 100, each status filter', async () => {
    let pages = 0;
    let refused = 0;
    for (const user of users) {
      for (const first of [1, 2, 3, 7, 10, 20, 22, 23, 100, undefined]) {
        for (const status of [undefined, 'ACTIVE', 'COMPLETED']) {
          let after: string | null | undefined;
          for (;;) {
            const response = await expectSame({ first, after, status }, user.key);
            pages++;
            // first: 100 is over the cost limit (a 400 on both, compared above).
            if (!response.body.data) {
              refused++;
              break;
            }
            const page = (response.body.data as Page).sessions;
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor;
          }
        }
      }
    }
    expect(pages).toBeGreaterThan(200);
    expect(refused).toBeLessThan(pages / 10);
  }, 120_000);

  it('agrees on generated variable sets: foreign, missing and malformed cursors, bad sizes, no key', async () => {
    const allSessions = users.flatMap((u) => u.sessionIds);
    const cursor = fc.oneof(
      fc.constantFrom(...allSessions).map(cursorFor),
      fc.constant(cursorFor('00000000-0000-4000-8000-000000000000')),
      fc.constantFrom(
        '',
        'not a cursor',
        cursorFor('not-a-uuid'),
        Buffer.from('XYZ:S:1').toString('base64'),
        cursorFor(allSessions[0]!.toUpperCase()),
      ),
      fc.string({ maxLength: 12 }),
    );
    const variables = fc.record(
      {
        first: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, -1, 101, null), fc.constant('10')),
        after: fc.oneof(cursor, fc.constant(null)),
        status: fc.constantFrom('ACTIVE', 'COMPLETED', null, 'BOGUS'),
      },
      { requiredKeys: [] },
    );
    const viewer = fc.constantFrom<string | null>(...users.map((u) => u.key), null, 'cad_live_not_a_real_key');
    await fc.assert(
      fc.asyncProperty(variables, viewer, async (vars, key) => {
        await expectSame(vars, key);
      }),
      { numRuns: 300, seed: 20_261_203 },
    );
  }, 120_000);
});

describe('SessionDetail, compiled vs reference', () => {
  it('agrees for every session of every user seen by every user (own, foreign), missing and malformed ids, no key', async () => {
    const ids = [
      ...users.flatMap((u) => u.sessionIds).map((id) => globalId('InterviewSession', id)),
      globalId('InterviewSession', '00000000-0000-4000-8000-000000000000'),
      globalId('JobPosting', users[0]!.sessionIds[0]!),
      'not-an-id',
      '',
    ];
    let found = 0;
    for (const key of [...users.map((u) => u.key), null]) {
      for (const id of ids) {
        const response = await expectSame({ id }, key, SESSION_DETAIL);
        if ((response.body.data as { session: unknown } | undefined)?.session) found++;
      }
    }
    // Each user's own sessions, once each.
    expect(found).toBe(users.reduce((n, u) => n + u.sessionIds.length, 0));
  }, 120_000);

  it('runs one statement for a session of the viewer, and the reference for one that is not', async () => {
    const user = users[0]!;
    const id = globalId('InterviewSession', user.sessionIds[1]!);
    await callPersisted(compiled, SESSION_DETAIL, { id }, user.key);
    const own = await compiled.recordSql(() => callPersisted(compiled, SESSION_DETAIL, { id }, user.key));
    expect(own.statements.map((s) => s.sql.slice(0, 24))).toEqual(['SELECT json_build_object']);
    const foreign = await compiled.recordSql(() =>
      callPersisted(compiled, SESSION_DETAIL, { id: globalId('InterviewSession', users[1]!.sessionIds[0]!) }, user.key),
    );
    expect(foreign.result.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(foreign.statements.length).toBeGreaterThan(1);
  });
});

/** Every id a client could send for a session: each user's, a missing one, another type's, malformed. */
function sessionIdsToTry(): string[] {
  return [
    ...users.flatMap((u) => u.sessionIds).map((id) => globalId('InterviewSession', id)),
    globalId('InterviewSession', '00000000-0000-4000-8000-000000000000'),
    globalId('JobPosting', users[0]!.sessionIds[0]!),
    'not-an-id',
    '',
  ];
}

type Connection = { pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** Follows a connection page by page from the first, comparing each; returns the pages read. */
async function everyPage(
  operation: string,
  variables: Record<string, unknown>,
  key: string,
  connectionOf: (data: unknown) => Connection | null | undefined,
): Promise<number> {
  let after: string | null | undefined;
  for (let pages = 1; ; pages++) {
    const response = await expectSame({ ...variables, after }, key, operation);
    const connection = response.body.data ? connectionOf(response.body.data) : null;
    if (!connection?.pageInfo.hasNextPage) return pages;
    after = connection.pageInfo.endCursor;
  }
}

describe('every query of schema/operations/ is compiled', () => {
  it('lists no query operation among those left to graphql-js', () => {
    const { compiled: names, fallback } = new PlanRegistry(schema, loadManifest().values()).report;
    expect(names.sort()).toEqual([JOB_POSTINGS, RESUMES, SESSION_DETAIL, SESSION_FEEDBACK, SESSION_MESSAGES, SESSIONS_LIST, VIEWER].sort());
    for (const reason of Object.values(fallback)) expect(reason).toMatch(/^a (mutation|subscription)$/);
  });
});

describe('SessionMessages, compiled vs reference', () => {
  type Data = { session: { messages: Connection } | null };

  it('agrees on every page of every own session at page sizes 1 to 100, empty and 1,000-message transcripts', async () => {
    let pages = 0;
    for (const user of users) {
      for (const [s, sessionId] of user.sessionIds.entries()) {
        const long = user.messageIds[s]!.length > 100;
        // The long transcript at a few sizes (its pages are many), the others at every size.
        const sizes = long ? [37, 100] : [1, 2, 3, 10, 24, 25, 26, 100, undefined];
        for (const first of sizes) {
          pages += await everyPage(
            SESSION_MESSAGES,
            { id: globalId('InterviewSession', sessionId), first },
            user.key,
            (d) => (d as Data).session?.messages,
          );
        }
      }
    }
    expect(pages).toBeGreaterThan(300);
  }, 240_000);

  it('agrees on generated variable sets: foreign and missing sessions, cursors from other sessions, bad sizes, no key', async () => {
    const allMessages = users.flatMap((u) => u.messageIds.flat());
    const cursor = fc.oneof(
      fc.constantFrom(...allMessages).map(cursorFor),
      fc.constant(cursorFor('00000000-0000-4000-8000-000000000000')),
      fc.constantFrom('', 'not a cursor', cursorFor('not-a-uuid'), Buffer.from('XYZ:S:1').toString('base64')),
      fc.string({ maxLength: 12 }),
    );
    const variables = fc.record(
      {
        id: fc.constantFrom(...sessionIdsToTry()),
        first: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, -1, 101, null), fc.constant('10')),
        after: fc.oneof(cursor, fc.constant(null)),
      },
      { requiredKeys: ['id'] },
    );
    const viewer = fc.constantFrom<string | null>(...users.map((u) => u.key), null);
    await fc.assert(
      fc.asyncProperty(variables, viewer, async (vars, key) => {
        await expectSame(vars, key, SESSION_MESSAGES);
      }),
      { numRuns: 300, seed: 20_261_204 },
    );
  }, 120_000);
});

describe('SessionFeedback, compiled vs reference', () => {
  it('agrees for every session seen by every user (own, foreign), missing and malformed ids, no key', async () => {
    let found = 0;
    for (const key of [...users.map((u) => u.key), null]) {
      for (const id of sessionIdsToTry()) {
        const response = await expectSame({ id }, key, SESSION_FEEDBACK);
        if ((response.body.data as { session: unknown } | undefined)?.session) found++;
      }
    }
    expect(found).toBe(users.reduce((n, u) => n + u.sessionIds.length, 0));
  }, 120_000);
});

describe('JobPostings and Resumes, compiled vs reference', () => {
  for (const [operation, field] of [
    [JOB_POSTINGS, 'jobPostings'],
    [RESUMES, 'resumes'],
  ] as const) {
    it(`${operation}: every page of every user at page sizes 1 to 100`, async () => {
      let pages = 0;
      for (const user of users) {
        for (const first of [1, 2, 3, 7, 23, 24, 25, 100, undefined]) {
          pages += await everyPage(operation, { first }, user.key, (d) => (d as Record<string, Connection>)[field]);
        }
      }
      expect(pages).toBeGreaterThan(50);
    }, 120_000);

    it(`${operation}: generated variable sets (foreign, missing and malformed cursors, bad sizes, no key)`, async () => {
      const rows = users.flatMap((u) => (operation === JOB_POSTINGS ? u.jobPostingIds : u.resumeIds));
      const cursor = fc.oneof(
        fc.constantFrom(...rows).map(cursorFor),
        fc.constant(cursorFor(users[0]!.sessionIds[0]!)),
        fc.constantFrom('', 'not a cursor', cursorFor('not-a-uuid')),
        fc.string({ maxLength: 12 }),
      );
      const variables = fc.record(
        {
          first: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, -1, 101, null)),
          after: fc.oneof(cursor, fc.constant(null)),
        },
        { requiredKeys: [] },
      );
      const viewer = fc.constantFrom<string | null>(...users.map((u) => u.key), null);
      await fc.assert(
        fc.asyncProperty(variables, viewer, async (vars, key) => {
          await expectSame(vars, key, operation);
        }),
        { numRuns: 150, seed: 20_261_205 },
      );
    }, 120_000);
  }
});

describe('Viewer, compiled vs reference', () => {
  it('agrees for every user (55 keys, some revoked, listed to 50), no key and a bad key', async () => {
    for (const key of [...users.map((u) => u.key), null, 'cad_live_not_a_real_key']) {
      await expectSame({}, key, VIEWER);
    }
    const listed = await callPersisted(compiled, VIEWER, {}, users[0]!.key);
    expect((listed.body.data as { viewer: { apiKeys: unknown[] } }).viewer.apiKeys).toHaveLength(50);
  });
});

describe('compiled SessionsList', () => {
  it('returns only the viewer’s own sessions, even from another user’s cursor', async () => {
    const [a, b] = users as [SeededUser, SeededUser];
    const response = await callPersisted(compiled, SESSIONS_LIST, { first: 50, after: cursorFor(a.sessionIds[3]!) }, b.key);
    const ids = (response.body.data as Page).sessions.edges.map((e) => Buffer.from(e.node.id, 'base64url').toString().split(':')[1]);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(b.sessionIds).toContain(id);
  });

  it('answers the same through the response cache (miss, then hit) as the reference', async () => {
    const cached = await startApp({ env: { RESPONSE_CACHE_TTL_MS: '60000' }, database: compiled.database });
    try {
      const user = users[0]!;
      const plain = await callPersisted(reference, SESSIONS_LIST, { first: 4 }, user.key);
      await callPersisted(cached, SESSIONS_LIST, { first: 2 }, user.key); // the key is cached from now on
      const miss = await cached.recordSql(() => callPersisted(cached, SESSIONS_LIST, { first: 4 }, user.key));
      const hit = await cached.recordSql(() => callPersisted(cached, SESSIONS_LIST, { first: 4 }, user.key));
      expect(miss.result.headers.get('server-timing')).toContain('cache;desc=miss');
      expect(hit.result.headers.get('server-timing')).toContain('cache;desc=hit');
      expect(miss.statements.map((s) => s.sql.slice(0, 24))).toEqual(['SELECT json_build_object']);
      expect(hit.statements).toEqual([]);
      expect(normalised(miss.result.body)).toBe(normalised(plain.body));
      expect(hit.result.text).toBe(miss.result.text);
    } finally {
      await cached.close();
    }
  });
});

// SQL statements per operation, counted through Prisma's query events. A figure that changes is
// a regression to look at (an N+1 shows up here as a count that grows with the page size).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, ok, signUp } from '../support/fixtures.js';

let app: TestApp;
let key: string;
beforeAll(async () => {
  app = await startApp();
  ({ key } = await signUp(app));
  for (let i = 0; i < 50; i++) await createSession(app, key, i < 5 ? 2 : 0);
});
afterAll(async () => {
  await app.close();
});

const SESSIONS_LIST = /* GraphQL */ `
  query SessionsList($first: Int!) {
    sessions(first: $first) {
      edges { node {
        id status createdAt
        jobPosting { title }
        messages(first: 10) { edges { node { id role content feedback { score } } } }
        feedback { score summary }
      } }
    }
  }
`;

describe('the sessions list', () => {
  it('runs the same number of SQL statements at page sizes 1, 20 and 50', async () => {
    const counts: Record<number, number> = {};
    for (const first of [1, 20, 50]) {
      const { result, statements } = await app.recordSql(() => app.request<{ sessions: { edges: unknown[] } }>(SESSIONS_LIST, { key, variables: { first } }));
      expect(ok(result).sessions.edges).toHaveLength(first);
      counts[first] = statements.length;
    }
    console.info(`SQL statements for SessionsList (incl. the API-key lookup): ${JSON.stringify(counts)}`);
    expect(new Set(Object.values(counts)).size).toBe(1);
  });
});

// One reload per event per instance (issue 10, fan-out): ten subscribers of one session on one
// instance all receive an event, and its object is loaded once for them; a subscriber whose selection
// changes the Prisma query (a relation) gets a load of its own (scalar-only differences do not: the
// model's columns are loaded either way); another user's subscribers on the same instance never share theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishSessionEvent } from '../../src/events/session-events.js';
import { createSession, signUp } from '../support/fixtures.js';
import { connectWs, rawId, startInstance, subscribeSse, type Instance, type Result } from './support.js';

let app: Instance;
beforeAll(async () => {
  app = await startInstance({});
}, 60_000);
afterAll(() => app?.close());

const WITH_MESSAGES = `subscription WithMessages($sessionId: ID!) { sessionEvents(sessionId: $sessionId) { __typename ... on SessionCompleted { session { id messages(first: 1) { edges { node { id } } } } } } }`;

async function openCount(n: number) {
  for (let i = 0; i < 200 && (await app.metric('cadence_subscriptions_active')) < n; i++) await new Promise((r) => setTimeout(r, 20));
  expect(await app.metric('cadence_subscriptions_active')).toBe(n);
}

const sessionReads = (sql: string[]) =>
  sql.filter((s) => /from\s+("public"\.)?"interview_sessions"/i.test(s) && /"user_id"/.test(s)).length;

describe('shared reload per event', () => {
  it('loads a session once for all its subscribers with the same selection, per user', async () => {
    const one = await signUp(app.app);
    const two = await signUp(app.app);
    const s1 = await createSession(app.app, one.key, 0);
    const s2 = await createSession(app.app, two.key, 0);
    const subs = await Promise.all([...Array(10).keys()].map(() => subscribeSse(app, one.key, s1.sessionId)));
    const ws = connectWs(app, one.key);
    const withMessages = ws.subscribe(s1.sessionId, WITH_MESSAGES);
    const others = await Promise.all([0, 1, 2].map(() => subscribeSse(app, two.key, s2.sessionId)));
    await openCount(14);

    for (let round = 0; round < 5; round++) {
      const { statements } = await app.app.recordSql(async () => {
        publishSessionEvent({ type: 'SessionCompleted', sessionId: rawId(s1.sessionId), userId: rawId(one.userId) });
        publishSessionEvent({ type: 'SessionCompleted', sessionId: rawId(s2.sessionId), userId: rawId(two.userId) });
        for (const sub of [...subs, withMessages, ...others]) {
          const result = (await sub.inbox.next()) as Result;
          expect(result.errors).toBeUndefined();
          expect(result.data?.sessionEvents.__typename).toBe('SessionCompleted');
        }
        // Exactly one delivery each: nothing duplicated by the sharing.
        for (const sub of [...subs, withMessages, ...others]) expect(sub.inbox.size).toBe(0);
      });
      const sql = statements.map((s) => s.sql);
      // User one: one load for the ten SSE subscribers, one for the WebSocket one; user two: one (14 without sharing).
      expect(sessionReads(sql), sql.join('\n')).toBe(3);
    }
    for (const sub of [...subs, withMessages, ...others]) sub.close();
    await ws.dispose();
  });
});

// The response cache across instances: a user's write on one instance invalidates their cached
// answers on another through the real local Redis. PostgreSQL only: two embedded PGlite instances
// would be two databases.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { createSession, signUp } from '../support/fixtures.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSIONS = `query Sessions($first: Int) { sessions(first: $first) { edges { node { id } } } }`;

async function ask(app: TestApp, key: string) {
  const res = await app.yoga.fetch('http://cadence.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: SESSIONS, variables: { first: 5 } }),
  });
  const body = (await res.json()) as { data: { sessions: { edges: { node: { id: string } }[] } } };
  return {
    cache: /cache;desc=(\w+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? null,
    ids: body.data.sessions.edges.map((e) => e.node.id),
  };
}

describe('response cache on two instances sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // A roomy Redis timeout: this suite checks invalidation, and on a loaded machine the default
    // 25 ms turns a slow Redis reply into a BYPASS (that degradation has its own test).
    const env = { REDIS_URL, RESPONSE_CACHE_TTL_MS: '60000', RESPONSE_CACHE_REDIS_TIMEOUT_MS: '1000' };
    a = await startApp({ env });
    b = await startApp({ env });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('invalidates on the other instance when a user writes on one', async () => {
    const { key } = await signUp(a);
    await ask(b, key);
    expect((await ask(b, key)).cache).toBe('hit');
    const { sessionId } = await createSession(a, key);
    // Pub/sub delivery is asynchronous: allow it a moment, bounded.
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      const res = await ask(b, key);
      seen = res.ids.includes(sessionId);
      if (!seen) await sleep(20);
    }
    expect(seen).toBe(true);
  });
});

// With persisted operations required, the WebSocket path accepts the frontend's SessionEvents by
// hash and refuses any other document, as HTTP does (the HTTP hooks do not run on WebSocket).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as documents from '../../schema/generated/graphql.js';
import { publishSessionEvent } from '../../src/events/session-events.js';
import { persistedId } from '../../src/policy/operations.js';
import { createSession, signUp } from '../support/fixtures.js';
import { connectWs, rawId, startInstance, type Instance, type Message, type Result } from './support.js';
import { Inbox } from './support.js';

let app: Instance;
/** Seeds with text documents, which `app` refuses; same database and (in-process) bus. */
let setup: Instance;

beforeAll(async () => {
  setup = await startInstance();
  app = await startInstance({ PERSISTED_OPERATIONS_ONLY: 'true' });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await setup?.close();
});

describe('persisted operations on the WebSocket path', () => {
  it('runs SessionEvents by its hash and refuses a document sent as text or an unknown hash', async () => {
    const { key, userId } = await signUp(setup.app);
    const { sessionId } = await createSession(setup.app, key);
    const ws = connectWs(app, key);
    const hash = persistedId(documents.SessionEventsDocument as never);

    const subscribe = (payload: { query: string; extensions?: Record<string, unknown> }) => {
      const inbox = new Inbox<Message>();
      ws.client.subscribe(
        { ...payload, variables: { sessionId } },
        {
          next: (r) => inbox.push(r as Result),
          error: (e) => inbox.push({ end: 'error', errors: e as Result['errors'] }),
          complete: () => inbox.push({ end: 'complete' }),
        },
      );
      return inbox;
    };

    const asText = subscribe({ query: `subscription($sessionId: ID!) { sessionEvents(sessionId: $sessionId) { __typename } }` });
    expect(await asText.next()).toMatchObject({ end: 'error', errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] });
    const unknown = subscribe({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(await unknown.next()).toMatchObject({ end: 'error', errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] });

    const byHash = subscribe({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    for (let i = 0; i < 100 && (await app.metric('cadence_subscriptions_active')) < 1; i++) await new Promise((r) => setTimeout(r, 20));
    publishSessionEvent({ type: 'SessionCompleted', sessionId: rawId(sessionId), userId: rawId(userId) });
    expect(((await byHash.next()) as Result).data?.sessionEvents).toMatchObject({ __typename: 'SessionCompleted', sessionId });
    await ws.dispose();
  });
});

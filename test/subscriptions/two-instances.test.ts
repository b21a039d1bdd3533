// sessionEvents on two instances sharing Redis and PostgreSQL: what is published through A reaches
// subscribers on B over SSE and over WebSocket, only the session's owner hears it, unknown and
// foreign sessions are NOT_FOUND before anything subscribes, a revoked key ends its subscriptions,
// and the per-connection bound holds. Events are published with publishSessionEvent, the call the
// writers make after commit, through A's bus (A is created last, so the process's bus is A's).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/events/session-events.js';
import { publishSessionEvent } from '../../src/events/session-events.js';
import { encodeGlobalId } from '../../src/schema/ids.js';
import { createSession, ok, signUp } from '../support/fixtures.js';
import { connectWs, post, rawId, startInstance, subscribeSse, type Instance, type Message, type Result } from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ENV = { REDIS_URL, SUBSCRIPTIONS_PER_CONNECTION: '3' };

let a: Instance;
let b: Instance;

interface Owner {
  key: string;
  userId: string;
  sessionId: string;
  rawSessionId: string;
  messageId: string;
}

async function owner(answers = 0): Promise<Owner> {
  const { key, userId } = await signUp(a.app);
  const { sessionId } = await createSession(a.app, key, answers);
  const message = await a.app.prisma.sessionMessage.findFirstOrThrow({
    where: { sessionId: rawId(sessionId), seq: 1 },
    select: { id: true },
  });
  return { key, userId: rawId(userId), sessionId, rawSessionId: rawId(sessionId), messageId: message.id };
}

const messageAdded = (o: Owner): SessionEvent => ({
  type: 'MessageAdded',
  sessionId: o.rawSessionId,
  userId: o.userId,
  messageId: o.messageId,
});

function event(message: Message): NonNullable<Result['data']>['sessionEvents'] {
  expect('end' in message, JSON.stringify(message)).toBe(false);
  const result = message as Result;
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.sessionEvents;
}

/** Publishes until `deliver` sees it: the subscriber's Redis SUBSCRIBE may land just after Yoga answered. */
async function publishUntilSeen(e: SessionEvent, inbox: { size: number }) {
  for (let i = 0; i < 100 && inbox.size === 0; i++) {
    publishSessionEvent(e);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  b = await startInstance(ENV);
  a = await startInstance(ENV);
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('sessionEvents across two instances', () => {
  it('delivers an event published through A to a subscriber on B over SSE, with its message resolved', async () => {
    const o = await owner();
    const sub = await subscribeSse(b, o.key, o.sessionId);
    await publishUntilSeen(messageAdded(o), sub.inbox);
    const got = event(await sub.inbox.next());
    expect(got).toMatchObject({ __typename: 'MessageAdded', sessionId: o.sessionId, message: { seq: 1, role: 'INTERVIEWER' } });
    expect(rawId((got.message as { id: string }).id)).toBe(o.messageId);
    sub.close();
  });

  it('delivers an event published through A to a subscriber on B over WebSocket, every event type', async () => {
    const o = await owner(1);
    const ws = connectWs(b, o.key);
    const sub = ws.subscribe(o.sessionId);
    await publishUntilSeen(messageAdded(o), sub.inbox);
    expect(event(await sub.inbox.next()).__typename).toBe('MessageAdded');
    // Drain duplicates of the retry loop, then one of each other type, in order.
    while (sub.inbox.size) await sub.inbox.next();
    const operation = await a.app.prisma.operation.findFirst({ where: { sessionId: o.rawSessionId }, select: { id: true } });
    const feedback = await a.app.prisma.feedback.findFirst({ where: { sessionId: o.rawSessionId }, select: { id: true } });
    expect(operation && feedback).toBeTruthy();
    publishSessionEvent({
      type: 'OperationUpdated',
      sessionId: o.rawSessionId,
      userId: o.userId,
      operationId: operation!.id,
      status: 'SUCCEEDED',
    });
    publishSessionEvent({ type: 'FeedbackReady', sessionId: o.rawSessionId, userId: o.userId, feedbackId: feedback!.id, messageId: null });
    publishSessionEvent({ type: 'SessionCompleted', sessionId: o.rawSessionId, userId: o.userId });
    const updated = event(await sub.inbox.next());
    expect(updated).toMatchObject({ __typename: 'OperationUpdated', status: 'SUCCEEDED' });
    expect(rawId((updated.operation as { id: string }).id)).toBe(operation!.id);
    const ready = event(await sub.inbox.next());
    expect(ready.__typename).toBe('FeedbackReady');
    expect(rawId((ready.feedback as { id: string }).id)).toBe(feedback!.id);
    expect(event(await sub.inbox.next())).toMatchObject({ __typename: 'SessionCompleted', session: { id: o.sessionId } });
    sub.close();
    await ws.dispose();
  });

  it('never delivers one user’s events to another, over SSE and WebSocket, across 40 interleaved publishes', async () => {
    const [x, y] = await Promise.all([owner(), owner()]);
    const xSse = await subscribeSse(b, x.key, x.sessionId);
    const yWs = connectWs(b, y.key);
    const ySub = yWs.subscribe(y.sessionId);
    await publishUntilSeen(messageAdded(x), xSse.inbox);
    await publishUntilSeen(messageAdded(y), ySub.inbox);
    // Warm-up publishes still in flight arrive later: a marker per session, published after them on
    // the same connection (Redis keeps the order), ends the warm-up; everything before it is dropped.
    publishSessionEvent({ type: 'SessionCompleted', sessionId: x.rawSessionId, userId: x.userId });
    publishSessionEvent({ type: 'SessionCompleted', sessionId: y.rawSessionId, userId: y.userId });
    while (event(await xSse.inbox.next()).__typename !== 'SessionCompleted');
    while (event(await ySub.inbox.next()).__typename !== 'SessionCompleted');
    // A forged event naming x's session for y (a publisher bug) is not delivered to either.
    publishSessionEvent({ ...messageAdded(x), userId: y.userId });
    for (let i = 0; i < 20; i++) {
      publishSessionEvent(messageAdded(x));
      publishSessionEvent(messageAdded(y));
    }
    for (let i = 0; i < 20; i++) {
      expect(event(await xSse.inbox.next()).sessionId).toBe(x.sessionId);
      expect(event(await ySub.inbox.next()).sessionId).toBe(y.sessionId);
    }
    // One more marker each: had the forged event got through, x would have 21 and see it before this.
    publishSessionEvent({ type: 'SessionCompleted', sessionId: x.rawSessionId, userId: x.userId });
    expect(event(await xSse.inbox.next()).__typename).toBe('SessionCompleted');
    expect(xSse.inbox.size).toBe(0);
    expect(ySub.inbox.size).toBe(0);
    xSse.close();
    ySub.close();
    await yWs.dispose();
  });

  it('answers NOT_FOUND for an unknown or a foreign session before subscribing, over SSE and WebSocket', async () => {
    const [x, y] = await Promise.all([owner(), owner()]);
    const unknown = encodeGlobalId('InterviewSession', randomUUID());
    const before = await b.metric('cadence_subscriptions_active');
    for (const sessionId of [y.sessionId, unknown]) {
      const sse = await subscribeSse(b, x.key, sessionId);
      const first = (await sse.inbox.next()) as Result;
      expect(first.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      sse.close();
      const ws = connectWs(b, x.key);
      const sub = ws.subscribe(sessionId);
      const reply = await sub.inbox.next();
      const errors = 'end' in reply && reply.end === 'error' ? reply.errors : (reply as Result).errors;
      expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      await ws.dispose();
    }
    expect(await b.metric('cadence_subscriptions_active')).toBe(before);
  });

  it('answers UNAUTHENTICATED to an SSE subscription without a key, before subscribing', async () => {
    const o = await owner();
    const before = await b.metric('cadence_subscriptions_active');
    const sse = await subscribeSse(b, undefined, o.sessionId);
    expect(((await sse.inbox.next()) as Result).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    sse.close();
    expect(await b.metric('cadence_subscriptions_active')).toBe(before);
  });

  it('refuses a WebSocket connection without a key or with a bad one (4403)', async () => {
    for (const key of [undefined, 'cad_' + 'x'.repeat(43)]) {
      const ws = connectWs(b, key);
      expect((await ws.closed.next()).code).toBe(4403);
      await ws.dispose();
    }
  });

  it('ends open subscriptions on B, SSE and WebSocket, when their key is revoked through A', async () => {
    const o = await owner();
    const created = ok(
      await a.app.request<{ createApiKey: { key: string; apiKey: { id: string } } }>(
        `mutation { createApiKey(input: { name: "to revoke" }) { key apiKey { id } } }`,
        { key: o.key },
      ),
    ).createApiKey;
    const sse = await subscribeSse(b, created.key, o.sessionId);
    const ws = connectWs(b, created.key);
    const wsSub = ws.subscribe(o.sessionId);
    await publishUntilSeen(messageAdded(o), wsSub.inbox);
    await publishUntilSeen(messageAdded(o), sse.inbox);
    while (sse.inbox.size) event(await sse.inbox.next());
    const activeBefore = await b.metric('cadence_subscriptions_active');
    expect(activeBefore).toBeGreaterThanOrEqual(2);

    ok(await a.app.request(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { key: o.key, variables: { id: created.apiKey.id } }));

    const last = (await sse.inbox.next()) as Result;
    expect(last.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await sse.inbox.next()).toEqual({ end: 'complete' });
    expect((await ws.closed.next()).code).toBe(4403);
    // The revoked key cannot open anything new either.
    const again = connectWs(b, created.key);
    expect((await again.closed.next()).code).toBe(4403);
    await Promise.all([ws.dispose(), again.dispose()]);
    sse.close();
    expect(await b.metric('cadence_subscriptions_ended_total')).toBeGreaterThanOrEqual(1);
  });

  it('refuses a subscription over the per-connection bound with RATE_LIMITED, and only that one', async () => {
    const o = await owner();
    const ws = connectWs(b, o.key);
    const subs = [0, 1, 2, 3].map(() => ws.subscribe(o.sessionId));
    const refused = await subs[3]!.inbox.next();
    expect(refused).toMatchObject({ end: 'error', errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    await publishUntilSeen(messageAdded(o), subs[2]!.inbox);
    for (const sub of subs.slice(0, 3)) expect(event(await sub.inbox.next()).__typename).toBe('MessageAdded');
    for (const sub of subs) sub.close();
    await ws.dispose();
  });

  it('accepts only subscriptions over WebSocket', async () => {
    const o = await owner();
    const ws = connectWs(b, o.key);
    const sub = ws.subscribe(o.sessionId, `query { viewer { id } }`);
    expect(await sub.inbox.next()).toMatchObject({ end: 'error', errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    await ws.dispose();
  });

  it('applies the depth limit on the WebSocket path', async () => {
    const o = await owner();
    const ws = connectWs(b, o.key);
    const deep = `subscription { sessionEvents(sessionId: "${o.sessionId}") { ... on SessionCompleted { session { messages(first: 1) { edges { node { feedback { message { feedback { message { id } } } } } } } } } } }`;
    const sub = ws.subscribe(o.sessionId, deep);
    expect(await sub.inbox.next()).toMatchObject({ end: 'error', errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    await ws.dispose();
  });

  it('still answers queries on both instances', async () => {
    const o = await owner();
    for (const instance of [a, b]) {
      const r = await post(instance, `query { viewer { id } }`, {}, o.key);
      expect(r.status).toBe(200);
    }
  });
});

// SUBSCRIPTIONS_PER_KEY across two instances sharing Redis (issue 10): a key's subscriptions on A
// and B count against one limit, the (limit+1)-th on either is RATE_LIMITED, and closing one on A
// frees a slot that B can take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, signUp } from '../support/fixtures.js';
import { connectWs, startInstance, subscribeSse, type Instance, type Message, type Subscription } from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 3;

let a: Instance;
let b: Instance;
beforeAll(async () => {
  const env = { REDIS_URL, SUBSCRIPTIONS_PER_KEY: String(LIMIT) };
  b = await startInstance(env);
  a = await startInstance(env);
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const code = (message: Message) =>
  'end' in message ? (message.end === 'error' ? message.errors?.[0]?.extensions?.code : 'complete') : message.errors?.[0]?.extensions?.code;

/** True once the subscription answered with nothing (open) within a short wait; its refusal otherwise. */
async function refusal(sub: Subscription): Promise<string | undefined> {
  try {
    return code(await sub.inbox.next(300)) ?? 'event';
  } catch {
    return undefined; // Nothing arrived: the subscription is open and waiting for events.
  }
}

describe('per-key subscription limit shared through Redis', () => {
  it('refuses the (limit+1)-th subscription across both instances with RATE_LIMITED, and frees the slot on close', async () => {
    const { key } = await signUp(a.app);
    const { sessionId } = await createSession(a.app, key, 0);
    // Two on A over SSE, one on B over WebSocket: each instance alone is under the limit.
    const onA = [await subscribeSse(a, key, sessionId), await subscribeSse(a, key, sessionId)];
    const ws = connectWs(b, key);
    const onB = ws.subscribe(sessionId);
    for (const sub of [...onA, onB]) expect(await refusal(sub)).toBeUndefined();

    // The fourth, on either instance, is over the shared limit.
    const overOnB = await subscribeSse(b, key, sessionId);
    expect(code(await overOnB.inbox.next())).toBe('RATE_LIMITED');
    const overOnA = await subscribeSse(a, key, sessionId);
    expect(code(await overOnA.inbox.next())).toBe('RATE_LIMITED');
    expect(await a.metric('cadence_subscriptions_ended_total')).toBeGreaterThanOrEqual(1);
    expect(await b.metric('cadence_subscriptions_ended_total')).toBeGreaterThanOrEqual(1);

    // Another key of the same user has a limit of its own.
    const other = await signUp(a.app);
    const { sessionId: otherSession } = await createSession(a.app, other.key, 0);
    const otherSub = await subscribeSse(b, other.key, otherSession);
    expect(await refusal(otherSub)).toBeUndefined();

    // Closing one on A frees a slot that B can take (the release reaches Redis asynchronously).
    onA[0]!.close();
    let reopened: Subscription | undefined;
    for (let i = 0; i < 50 && !reopened; i++) {
      const attempt = await subscribeSse(b, key, sessionId);
      if ((await refusal(attempt)) === undefined) reopened = attempt;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(reopened).toBeDefined();
    const overAgain = await subscribeSse(a, key, sessionId);
    expect(code(await overAgain.inbox.next())).toBe('RATE_LIMITED');

    for (const sub of [...onA, onB, overOnA, overOnB, otherSub, reopened!, overAgain]) sub.close();
    await ws.dispose();
  });
});

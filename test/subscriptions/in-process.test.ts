// Without REDIS_URL the bus is in process: one instance delivers its own events over SSE and
// WebSocket. Also the idle bound: a WebSocket connection with nothing open is closed, one with an
// open subscription is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishSessionEvent, sessionEventBus, InProcessSessionEventBus } from '../../src/events/session-events.js';
import { createSession, signUp } from '../support/fixtures.js';
import { connectWs, rawId, startInstance, subscribeSse, type Instance, type Result } from './support.js';

let app: Instance;

beforeAll(async () => {
  app = await startInstance({ WS_IDLE_TIMEOUT_MS: '300' });
}, 60_000);
afterAll(() => app?.close());

describe('sessionEvents with REDIS_URL unset', () => {
  it('uses the in-process bus and delivers over SSE and WebSocket', async () => {
    expect(sessionEventBus()).toBeInstanceOf(InProcessSessionEventBus);
    const { key, userId } = await signUp(app.app);
    const { sessionId } = await createSession(app.app, key);
    const sse = await subscribeSse(app, key, sessionId);
    const ws = connectWs(app, key);
    const wsSub = ws.subscribe(sessionId);
    // The WebSocket subscription is open once the server counts it.
    for (let i = 0; i < 100 && (await app.metric('cadence_subscriptions_active')) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await app.metric('cadence_subscriptions_active')).toBe(2);
    expect(await app.metric('cadence_websocket_connections')).toBe(1);
    publishSessionEvent({ type: 'SessionCompleted', sessionId: rawId(sessionId), userId: rawId(userId) });
    for (const inbox of [sse.inbox, wsSub.inbox]) {
      const result = (await inbox.next()) as Result;
      expect(result.data?.sessionEvents).toMatchObject({ __typename: 'SessionCompleted', sessionId });
    }
    sse.close();
    wsSub.close();
    await ws.dispose();
    // Back to baseline once the clients are gone: nothing left listening or counted.
    for (let i = 0; i < 100 && (await app.metric('cadence_subscriptions_active')) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await app.metric('cadence_subscriptions_active')).toBe(0);
    expect(await app.metric('cadence_websocket_connections')).toBe(0);
    expect((sessionEventBus() as InProcessSessionEventBus).listening()).toEqual([]);
  });

  it('closes a WebSocket connection idle for WS_IDLE_TIMEOUT_MS, and keeps one with an open subscription', async () => {
    const { key, userId } = await signUp(app.app);
    const { sessionId } = await createSession(app.app, key);
    const busy = connectWs(app, key);
    const sub = busy.subscribe(sessionId);
    const idle = connectWs(app, key);
    expect(await idle.closed.next()).toEqual({ code: 1000, reason: 'Idle timeout' });
    // The idle one is gone, so the timeout has passed: the busy one is still open and delivering.
    publishSessionEvent({ type: 'SessionCompleted', sessionId: rawId(sessionId), userId: rawId(userId) });
    expect(((await sub.inbox.next()) as Result).data?.sessionEvents.__typename).toBe('SessionCompleted');
    expect(busy.closed.size).toBe(0);
    sub.close();
    await Promise.all([busy.dispose(), idle.dispose()]);
  });
});
